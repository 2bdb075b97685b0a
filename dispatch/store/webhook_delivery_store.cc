#include "dispatch/store/webhook_delivery_store.h"

#include <algorithm>

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

// The endpoints of alert(s) `a` (chosen by ALERTS) that want event type $2, of the
// organisations $3 (NULL: those of the alert's audience).
#define TOCSIN_WANTING_OF(ALERTS)                                                               \
  " FROM webhook_endpoints e JOIN organisations o ON o.id = e.organisation_id"                  \
  " JOIN alerts a ON " ALERTS " AND a.network_id = e.network_id"                               \
  " WHERE e.state = 'active' AND $2 = ANY(e.events) AND CASE WHEN $3::bigint[] IS NULL"         \
  "  THEN EXISTS (SELECT 1 FROM alert_organisations ao WHERE ao.alert_id = a.id"                \
  "   AND ao.organisation_id = o.id) ELSE o.id = ANY($3::bigint[]) END"
// $1 one alert.
#define TOCSIN_WANTING TOCSIN_WANTING_OF("a.id = $1")

constexpr const char* kQueue =
    "INSERT INTO deliveries (alert_id, network_id, channel, language, segments, endpoint_id, event_type,"
    "  message_id, body_enc, next_attempt_at)"
    " SELECT $1, e.network_id, 'webhook', o.language, 1, e.id, $2, $4, $5, to_timestamp($6::float8 / 1000)"
    TOCSIN_WANTING " ORDER BY e.id";
constexpr const char* kWanted = "SELECT 1" TOCSIN_WANTING " LIMIT 1";
// $1 several alerts: those of them for which some endpoint wants the event.
constexpr const char* kAlertsWanting = "SELECT DISTINCT a.id" TOCSIN_WANTING_OF("a.id = ANY($1::bigint[])");

#undef TOCSIN_WANTING
#undef TOCSIN_WANTING_OF

// $5: every matching organisation; else those of the slugs $4.
constexpr const char* kReach =
    "INSERT INTO alert_organisations (alert_id, organisation_id, step)"
    " SELECT $2, o.id, $3 FROM organisations o WHERE o.network_id = $1 AND CASE WHEN $5"
    "  THEN (o.kinds IS NULL OR $6 = ANY(o.kinds)) AND (o.areas IS NULL OR o.areas && $7::text[])"
    "  ELSE o.slug = ANY($4::text[]) END"
    " ORDER BY o.id ON CONFLICT DO NOTHING RETURNING organisation_id";

std::optional<std::string> OrgArray(const std::optional<std::vector<std::int64_t>>& only) {
  if (!only) return std::nullopt;
  return ToPgArray(*only);
}

// Ranks each endpoint's due deliveries so that no endpoint takes more than its share of a claim.
constexpr const char* kClaim =
    "WITH due AS (SELECT d.id, row_number() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at, d.id) AS n"
    "  FROM deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.state = 'active'"
    "  WHERE d.state = 'queued' AND d.endpoint_id IS NOT NULL"
    "  AND d.next_attempt_at <= to_timestamp($1::float8 / 1000) AND NOT d.endpoint_id = ANY($4::bigint[])),"
    " picked AS (SELECT d.id FROM deliveries d WHERE d.id IN (SELECT id FROM due WHERE n <= $3)"
    "  AND d.state = 'queued' ORDER BY d.next_attempt_at, d.id LIMIT $2 FOR UPDATE SKIP LOCKED)"
    " UPDATE deliveries d SET state = 'sending', attempts = d.attempts + 1, updated_at = now()"
    " FROM picked p, webhook_endpoints e WHERE d.id = p.id AND e.id = d.endpoint_id"
    " RETURNING d.id, d.network_id, d.endpoint_id, d.attempts, d.message_id, d.event_type, d.body_enc,"
    "  e.url_enc, e.secret_enc, CASE WHEN e.previous_until > now() THEN e.previous_secret_enc END";
constexpr const char* kNextDue =
    "SELECT (extract(epoch FROM min(d.next_attempt_at)) * 1000)::bigint FROM deliveries d"
    " JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.state = 'active'"
    " WHERE d.state = 'queued' AND d.endpoint_id IS NOT NULL";

constexpr const char* kDeleteRaised =
    "DELETE FROM deliveries WHERE alert_id = $1 AND state = 'queued' AND attempts = 0 AND event_type = 'alert.raised'"
    " AND (endpoint_id IN (SELECT id FROM webhook_endpoints WHERE organisation_id = $2)"
    "  OR email_id IN (SELECT id FROM organisation_emails WHERE organisation_id = $2))"
    " RETURNING channel";

}  // namespace

std::vector<std::int64_t> ReachOrganisations(pqxx::work& tx, const OrganisationReach& r) {
  std::vector<std::int64_t> out;
  for (const auto& row : tx.exec_params(kReach, r.network_id, r.alert_id, r.step, ToPgArray(r.slugs), r.all,
                                        r.alert_kind, ToPgArray(r.alert_areas))) {
    out.push_back(row[0].as<std::int64_t>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t QueueWebhookEvent(pqxx::work& tx, const WebhookEvent& e,
                               const std::optional<std::vector<std::int64_t>>& only) {
  return static_cast<std::int64_t>(tx.exec_params(kQueue, e.alert_id, e.type, OrgArray(only), e.message_id,
                                                  Bytea(e.body_sealed), static_cast<double>(e.now_ms))
                                       .affected_rows());
}

bool WebhookWanted(pqxx::transaction_base& tx, std::int64_t alert_id, const std::string& type,
                   const std::optional<std::vector<std::int64_t>>& only) {
  return !tx.exec_params(kWanted, alert_id, type, OrgArray(only)).empty();
}

std::unordered_set<std::int64_t> AlertsWantingWebhook(pqxx::transaction_base& tx,
                                                      const std::vector<std::int64_t>& alert_ids,
                                                      const std::string& type) {
  std::unordered_set<std::int64_t> out;
  if (alert_ids.empty()) return out;
  std::optional<std::string> audience;  // NULL: each alert's own audience
  for (const auto& r : ExecPrepared(tx, "alerts_wanting_webhook", kAlertsWanting, ToPgArray(alert_ids), type, audience)) {
    out.insert(r[0].as<std::int64_t>());
  }
  return out;
}

std::vector<ClaimedWebhook> ClaimWebhookDeliveries(pqxx::work& tx, std::int64_t now_ms, long long limit,
                                                   int per_endpoint, const std::vector<std::int64_t>& skip_endpoints) {
  std::vector<ClaimedWebhook> out;
  for (const auto& r : tx.exec_params(kClaim, static_cast<double>(now_ms), limit, per_endpoint, ToPgArray(skip_endpoints))) {
    ClaimedWebhook c;
    c.id = r[0].as<std::int64_t>();
    c.network_id = r[1].as<std::int64_t>();
    c.endpoint_id = r[2].as<std::int64_t>();
    c.attempts = r[3].as<int>();
    c.message_id = r[4].as<std::string>();
    c.event_type = r[5].as<std::string>();
    c.body_enc = FromBytea(r[6]).value_or("");
    c.url_enc = FromBytea(r[7]).value_or("");
    c.secret_enc = FromBytea(r[8]).value_or("");
    c.previous_secret_enc = FromBytea(r[9]);
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<std::int64_t> NextWebhookDue(pqxx::transaction_base& tx) {
  auto r = tx.exec(kNextDue);
  if (r.empty() || r[0][0].is_null()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

DeletedRaised DeleteQueuedRaised(pqxx::work& tx, std::int64_t alert_id, std::int64_t org) {
  DeletedRaised out;
  for (const auto& r : tx.exec_params(kDeleteRaised, alert_id, org)) {
    (r[0].as<std::string>() == "email" ? out.emails : out.webhooks) += 1;
  }
  return out;
}

}  // namespace tocsin
