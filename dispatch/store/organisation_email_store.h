// An organisation's email contact points (its caseworkers' addresses): add, list, delete. The
// address is personal data: sealed at rest (places::EmailAddress, bound to the contact point's
// id), never logged, never quoted in an error. The same address may be added twice (there is no
// lookup hash: nothing needs to find a contact point by its address).
//
// Every function runs inside the caller's transaction; the scope's network and organisation
// scope every lookup (another network's contact point is NotFound). Thread safety: holds a
// const reference only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/store/webhook_endpoint_store.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct OrganisationEmail {
  std::int64_t id = 0;
  std::int64_t organisation_id = 0;
  std::string address;  // opened; empty when it cannot be
  std::string created_at;
};

// Invalid ("address") unless `address` (surrounding spaces trimmed) is IsEmailAddress().
Result<std::string> NormaliseEmailAddress(const std::string& address);

class OrganisationEmailStore {
 public:
  explicit OrganisationEmailStore(const DataCipher& cipher) : cipher_(cipher) {}

  // `address` normalised. NotFound when the organisation is not the network's.
  Result<OrganisationEmail> Create(pqxx::work& tx, const WebhookScope& s, const std::string& address) const;
  // Oldest first.
  Result<std::vector<OrganisationEmail>> List(pqxx::transaction_base& tx, const WebhookScope& s) const;
  // Newest first, keyset pages (ContactDeliveries). NotFound unless the contact point is the
  // organisation's.
  Result<WebhookDeliveryPage> Deliveries(pqxx::transaction_base& tx, const WebhookScope& s, std::int64_t id,
                                         std::optional<std::int64_t> before_id, int limit) const;
  // Its deliveries go with it (ON DELETE CASCADE).
  Status Delete(pqxx::work& tx, const WebhookScope& s, std::int64_t id) const;

 private:
  OrganisationEmail Read(const pqxx::row& r) const;

  const DataCipher& cipher_;
};

}  // namespace tocsin
