// API tokens: one per integration or person, scoped to one network and one role. Only a hash
// keyed with the data key is stored (DataCipher::TokenHash), so a row written into the database
// without the key authenticates nothing; the token itself is shown once, at creation. A listing shows what a token is for
// and when it was last used, never the token or its hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct TokenInfo {
  std::int64_t id = 0;
  std::int64_t network_id = 0;
  std::string network_slug;
  std::string role;  // admin, coordinator, viewer, integration
  // An integration token that answers alerts for this organisation (of the same network).
  std::optional<std::int64_t> organisation_id;
};

// A token as an operator sees it in a listing. Times are RFC 3339 UTC.
struct TokenRecord {
  std::int64_t id = 0;
  std::string role;
  std::string label;
  std::string created_at;
  std::optional<std::string> last_used_at;  // to within a minute (see AuthenticateToken)
  std::optional<std::string> revoked_at;
  std::optional<std::string> organisation;  // the slug it answers for
};

struct NewTokenResult {
  std::int64_t id = 0;
  std::string token;  // the only time it exists in clear
};

// `role` must pass CheckTokenRole, `label` may be empty (else 1..200 bytes). `organisation`
// (a slug of the network's) makes an integration token answer alerts for that organisation:
// Invalid ("organisation") for another role or an unknown slug.
Result<NewTokenResult> CreateToken(pqxx::work& tx, const DataCipher& cipher, std::int64_t network_id,
                                   const std::string& role, const std::string& label,
                                   const std::optional<std::string>& organisation = std::nullopt);
// NotFound unless an unrevoked token `id` belongs to `network_id`.
Status RevokeToken(pqxx::work& tx, std::int64_t network_id, std::int64_t id);
// Whether token `id` exists and is not revoked (a long-lived stream checks it now and then).
bool TokenActive(pqxx::transaction_base& tx, std::int64_t id);
// The unrevoked token whose hash matches, or nullopt. Records that it was used when its
// last_used_at is unset or more than a minute old, so most requests write nothing.
std::optional<TokenInfo> AuthenticateToken(pqxx::work& tx, const DataCipher& cipher, const std::string& token);
// The unrevoked token `id` (what a console session acts as), its use recorded as above.
std::optional<TokenInfo> UseTokenById(pqxx::work& tx, std::int64_t id);
// Every token of the network, revoked ones included, oldest first.
std::vector<TokenRecord> ListTokens(pqxx::transaction_base& tx, std::int64_t network_id);

}  // namespace tocsin
