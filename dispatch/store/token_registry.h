// API tokens: one per integration or person, scoped to one network and one role. Only a hash
// is stored; the token itself is shown once, at creation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "dispatch/util/result.h"

namespace tocsin {

struct TokenInfo {
  std::int64_t id = 0;
  std::int64_t network_id = 0;
  std::string network_slug;
  std::string role;  // admin, coordinator, viewer, integration
};

struct NewTokenResult {
  std::int64_t id = 0;
  std::string token;  // the only time it exists in clear
};

// `role` must pass CheckTokenRole, `label` may be empty (else 1..200 bytes).
Result<NewTokenResult> CreateToken(pqxx::work& tx, std::int64_t network_id, const std::string& role,
                                   const std::string& label);
// NotFound unless an unrevoked token `id` belongs to `network_id`.
Status RevokeToken(pqxx::work& tx, std::int64_t network_id, std::int64_t id);
// Whether token `id` exists and is not revoked (a long-lived stream checks it now and then).
bool TokenActive(pqxx::transaction_base& tx, std::int64_t id);
// The unrevoked token whose hash matches, or nullopt.
std::optional<TokenInfo> AuthenticateToken(pqxx::transaction_base& tx, const std::string& token);

}  // namespace tocsin
