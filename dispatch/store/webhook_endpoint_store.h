// Webhook endpoints of an organisation: create (a fresh signing secret, returned once), list,
// delete, rotate (a new secret; the previous one still signs for 24 hours), and each endpoint's
// deliveries (attempts, no bodies) with a manual retry. URLs and secrets are sealed with the
// DataCipher; a secret leaves this store only in clear to its creator, once, and to the sender.
//
// Every function runs inside the caller's transaction; `network_id` and `organisation_id`
// scope every lookup (another network's endpoint is NotFound). Thread safety: holds a const
// reference only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/organisation.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

struct WebhookScope {
  std::int64_t network_id = 0;
  std::int64_t organisation_id = 0;
};

// An endpoint with the secret it was just given.
struct WebhookWithSecret {
  WebhookEndpoint endpoint;
  std::string secret;  // whsec_...
};

struct WebhookDeliveryPage {
  std::vector<WebhookDeliveryView> deliveries;
  std::optional<std::int64_t> next_cursor;
};

// The deliveries of one contact point of an organisation (a webhook endpoint or an email
// address, by id; the caller checked it is the network's), newest first, keyset pages (cursor:
// the last id of the previous page). Never bodies.
enum class ContactKind { kWebhook, kEmail };
WebhookDeliveryPage ContactDeliveries(pqxx::transaction_base& tx, ContactKind kind, std::int64_t id,
                                      std::optional<std::int64_t> before_id, int limit);

class WebhookEndpointStore {
 public:
  explicit WebhookEndpointStore(const DataCipher& cipher) : cipher_(cipher) {}

  // `in` normalised. NotFound when the organisation is not the network's.
  Result<WebhookWithSecret> Create(pqxx::work& tx, const WebhookScope& s, const WebhookInput& in) const;
  Result<std::vector<WebhookEndpoint>> List(pqxx::transaction_base& tx, const WebhookScope& s) const;
  Status Delete(pqxx::work& tx, const WebhookScope& s, std::int64_t id) const;
  // A new secret; the current one becomes the previous one, signing too for 24 hours.
  Result<WebhookWithSecret> Rotate(pqxx::work& tx, const WebhookScope& s, std::int64_t id) const;
  // Newest first, keyset pages (cursor: the last id of the previous page).
  Result<WebhookDeliveryPage> Deliveries(pqxx::transaction_base& tx, const WebhookScope& s, std::int64_t id,
                                         std::optional<std::int64_t> before_id, int limit) const;
  // Queues a delivery of the endpoint again now (`now_ms`: the engine's clock), with the same
  // webhook-id and body. Conflict while it is queued or being sent; an endpoint disabled
  // (410) is enabled again by a manual retry. Returns the delivery as it now is.
  Result<WebhookDeliveryView> Retry(pqxx::work& tx, const WebhookScope& s, std::int64_t id,
                                    std::int64_t delivery_id, std::int64_t now_ms) const;

 private:
  Result<WebhookEndpoint> Get(pqxx::transaction_base& tx, const WebhookScope& s, std::int64_t id) const;
  WebhookEndpoint Read(const pqxx::row& r) const;

  const DataCipher& cipher_;
};

}  // namespace tocsin
