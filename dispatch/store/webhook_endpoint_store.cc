#include "dispatch/store/webhook_endpoint_store.h"

#include "dispatch/store/keyset_page.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/util/sealed_places.h"
#include "dispatch/util/standard_webhooks.h"

namespace tocsin {
namespace {

#define TOCSIN_TIME(column) "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define TOCSIN_ENDPOINT_COLUMNS                                                                 \
  "e.id, e.organisation_id, e.url_enc, e.events, e.state, e.disabled_reason,"                   \
  " CASE WHEN e.previous_until > now() THEN " TOCSIN_TIME("e.previous_until") " END, "          \
  TOCSIN_TIME("e.created_at") ", " TOCSIN_TIME("e.updated_at") ", e.network_id"
#define TOCSIN_DELIVERY_COLUMNS                                                                 \
  "d.id, d.alert_id, d.event_type, d.message_id, d.state, d.attempts, d.http_status,"           \
  " d.latency_ms, d.error_code, d.error_message, " TOCSIN_TIME("d.sent_at") ","                 \
  " CASE WHEN d.state = 'queued' THEN " TOCSIN_TIME("d.next_attempt_at") " END, "               \
  TOCSIN_TIME("d.created_at") ", " TOCSIN_TIME("d.updated_at")

constexpr const char* kOrganisationOf = "SELECT 1 FROM organisations WHERE network_id = $1 AND id = $2";
constexpr const char* kInsert =
    "INSERT INTO webhook_endpoints AS e (organisation_id, network_id, url_enc, events, secret_enc, id)"
    " OVERRIDING SYSTEM VALUE VALUES ($2, $1, $3, $4::text[], $5, $6) RETURNING " TOCSIN_ENDPOINT_COLUMNS;
constexpr const char* kList =
    "SELECT " TOCSIN_ENDPOINT_COLUMNS " FROM webhook_endpoints e"
    " WHERE e.network_id = $1 AND e.organisation_id = $2 ORDER BY e.id";
constexpr const char* kGet =
    "SELECT " TOCSIN_ENDPOINT_COLUMNS " FROM webhook_endpoints e"
    " WHERE e.network_id = $1 AND e.organisation_id = $2 AND e.id = $3";
constexpr const char* kDelete =
    "DELETE FROM webhook_endpoints WHERE network_id = $1 AND organisation_id = $2 AND id = $3";
constexpr const char* kRotate =
    "UPDATE webhook_endpoints e SET previous_secret_enc = e.secret_enc, secret_enc = $4,"
    " previous_until = now() + interval '24 hours', updated_at = now()"
    " WHERE e.network_id = $1 AND e.organisation_id = $2 AND e.id = $3 RETURNING " TOCSIN_ENDPOINT_COLUMNS;
constexpr const char* kDeliveries =
    "SELECT " TOCSIN_DELIVERY_COLUMNS " FROM deliveries d WHERE d.endpoint_id = $1"
    " AND ($2::bigint IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $3";
constexpr const char* kEmailDeliveries =
    "SELECT " TOCSIN_DELIVERY_COLUMNS " FROM deliveries d WHERE d.email_id = $1"
    " AND ($2::bigint IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $3";
constexpr const char* kDeliveryState = "SELECT state FROM deliveries WHERE id = $1 AND endpoint_id = $2 FOR UPDATE";
constexpr const char* kRequeue =
    "UPDATE deliveries d SET state = 'queued', next_attempt_at = to_timestamp($2::float8 / 1000),"
    " updated_at = now() WHERE d.id = $1 RETURNING " TOCSIN_DELIVERY_COLUMNS;
constexpr const char* kEnable =
    "UPDATE webhook_endpoints SET state = 'active', disabled_reason = NULL, failing_since = NULL, updated_at = now()"
    " WHERE id = $1 AND state = 'disabled'";

#undef TOCSIN_DELIVERY_COLUMNS
#undef TOCSIN_ENDPOINT_COLUMNS
#undef TOCSIN_TIME

std::optional<std::string> OptString(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}
std::optional<int> OptInt(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<int>(f.as<int>());
}

WebhookDeliveryView ReadDelivery(const pqxx::row& r) {
  WebhookDeliveryView d;
  d.id = r[0].as<std::int64_t>();
  d.alert_id = r[1].as<std::int64_t>();
  d.event_type = r[2].as<std::string>();
  d.message_id = r[3].as<std::string>();
  d.state = r[4].as<std::string>();
  d.attempts = r[5].as<int>();
  d.http_status = OptInt(r[6]);
  d.latency_ms = OptInt(r[7]);
  d.error_code = OptString(r[8]);
  d.error_message = OptString(r[9]);
  d.sent_at = OptString(r[10]);
  d.next_attempt_at = OptString(r[11]);
  d.created_at = r[12].as<std::string>();
  d.updated_at = r[13].as<std::string>();
  return d;
}

}  // namespace

WebhookEndpoint WebhookEndpointStore::Read(const pqxx::row& r) const {
  WebhookEndpoint e;
  e.id = r[0].as<std::int64_t>();
  e.organisation_id = r[1].as<std::int64_t>();
  e.url = cipher_.Open(FromBytea(r[2]).value_or(""), places::EndpointUrl(r[9].as<std::int64_t>(), e.id)).value_or("");
  e.events = FromPgArray(r[3]);
  e.state = r[4].as<std::string>();
  e.disabled_reason = OptString(r[5]);
  e.previous_secret_until = OptString(r[6]);
  e.created_at = r[7].as<std::string>();
  e.updated_at = r[8].as<std::string>();
  return e;
}

Result<WebhookWithSecret> WebhookEndpointStore::Create(pqxx::work& tx, const WebhookScope& s,
                                                       const WebhookInput& in) const {
  if (tx.exec_params(kOrganisationOf, s.network_id, s.organisation_id).empty()) {
    return Error::NotFound("no such organisation");
  }
  auto secret = NewWebhookSecret();
  const auto id = ReserveId(tx, "webhook_endpoints");  // the sealed values are bound to it
  auto r = tx.exec_params1(kInsert, s.network_id, s.organisation_id,
                           Bytea(cipher_.Seal(in.url, places::EndpointUrl(s.network_id, id))), ToPgArray(in.events),
                           Bytea(cipher_.Seal(secret, places::EndpointSecret(s.network_id, id))), id);
  return WebhookWithSecret{Read(r), std::move(secret)};
}

Result<std::vector<WebhookEndpoint>> WebhookEndpointStore::List(pqxx::transaction_base& tx,
                                                                const WebhookScope& s) const {
  if (tx.exec_params(kOrganisationOf, s.network_id, s.organisation_id).empty()) {
    return Error::NotFound("no such organisation");
  }
  std::vector<WebhookEndpoint> out;
  for (const auto& r : tx.exec_params(kList, s.network_id, s.organisation_id)) out.push_back(Read(r));
  return out;
}

Result<WebhookEndpoint> WebhookEndpointStore::Get(pqxx::transaction_base& tx, const WebhookScope& s,
                                                  std::int64_t id) const {
  auto r = tx.exec_params(kGet, s.network_id, s.organisation_id, id);
  if (r.empty()) return Error::NotFound("no such webhook");
  return Read(r[0]);
}

Status WebhookEndpointStore::Delete(pqxx::work& tx, const WebhookScope& s, std::int64_t id) const {
  if (tx.exec_params(kDelete, s.network_id, s.organisation_id, id).affected_rows() == 0) {
    return Error::NotFound("no such webhook");
  }
  return Ok{};
}

Result<WebhookWithSecret> WebhookEndpointStore::Rotate(pqxx::work& tx, const WebhookScope& s,
                                                       std::int64_t id) const {
  auto secret = NewWebhookSecret();
  auto r = tx.exec_params(kRotate, s.network_id, s.organisation_id, id,
                          Bytea(cipher_.Seal(secret, places::EndpointSecret(s.network_id, id))));
  if (r.empty()) return Error::NotFound("no such webhook");
  return WebhookWithSecret{Read(r[0]), std::move(secret)};
}

Result<WebhookDeliveryPage> WebhookEndpointStore::Deliveries(pqxx::transaction_base& tx, const WebhookScope& s,
                                                             std::int64_t id, std::optional<std::int64_t> before_id,
                                                             int limit) const {
  if (auto e = Get(tx, s, id); !e.ok()) return e.error();
  return ContactDeliveries(tx, ContactKind::kWebhook, id, before_id, limit);
}

WebhookDeliveryPage ContactDeliveries(pqxx::transaction_base& tx, ContactKind kind, std::int64_t id,
                                      std::optional<std::int64_t> before_id, int limit) {
  WebhookDeliveryPage page;
  const char* query = kind == ContactKind::kWebhook ? kDeliveries : kEmailDeliveries;
  for (const auto& r : tx.exec_params(query, id, before_id, FetchCount(limit))) {
    page.deliveries.push_back(ReadDelivery(r));
  }
  page.next_cursor = TrimPage(page.deliveries, limit);
  return page;
}

Result<WebhookDeliveryView> WebhookEndpointStore::Retry(pqxx::work& tx, const WebhookScope& s, std::int64_t id,
                                                        std::int64_t delivery_id, std::int64_t now_ms) const {
  if (auto e = Get(tx, s, id); !e.ok()) return e.error();
  auto state = tx.exec_params(kDeliveryState, delivery_id, id);
  if (state.empty()) return Error::NotFound("no such delivery");
  auto current = state[0][0].as<std::string>();
  if (current == "queued" || current == "sending") {
    return Error::Conflict("delivery_id", "the delivery is " + current + " already");
  }
  tx.exec_params(kEnable, id);
  return ReadDelivery(tx.exec_params1(kRequeue, delivery_id, static_cast<double>(now_ms)));
}

}  // namespace tocsin
