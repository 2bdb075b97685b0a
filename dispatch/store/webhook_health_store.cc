#include "dispatch/store/webhook_health_store.h"

namespace tocsin {
namespace {

constexpr const char* kSucceeded =
    "UPDATE webhook_endpoints SET failing_since = NULL, failure_notified = false"
    " WHERE id = $1 AND (failing_since IS NOT NULL OR failure_notified)";
constexpr const char* kFailed =
    "UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, to_timestamp($2::float8 / 1000)),"
    " state = CASE WHEN state = 'active' AND failing_since <= to_timestamp(($2::float8 - $3::float8) / 1000)"
    "  THEN 'disabled' ELSE state END,"
    " disabled_reason = CASE WHEN state = 'active' AND failing_since <= to_timestamp(($2::float8 - $3::float8) / 1000)"
    "  THEN 'failing for 5 days' ELSE disabled_reason END,"
    " updated_at = now() WHERE id = $1";
constexpr const char* kClaimNotice =
    "UPDATE webhook_endpoints e SET failure_notified = true FROM organisations o, deliveries d"
    " WHERE e.id = $1 AND o.id = e.organisation_id AND d.id = $2 AND d.endpoint_id = e.id"
    " AND NOT e.failure_notified RETURNING e.network_id, d.alert_id, o.name";

}  // namespace

void RecordEndpointAttempt(pqxx::work& tx, std::int64_t endpoint_id, bool ok, std::int64_t now_ms) {
  if (ok) {
    tx.exec_params(kSucceeded, endpoint_id);
  } else {
    tx.exec_params(kFailed, endpoint_id, static_cast<double>(now_ms), static_cast<double>(kDisableFailingAfterMs));
  }
}

std::optional<EndpointFailureNotice> ClaimFailureNotice(pqxx::work& tx, std::int64_t endpoint_id,
                                                        std::int64_t delivery_id) {
  auto rows = tx.exec_params(kClaimNotice, endpoint_id, delivery_id);
  if (rows.empty()) return std::nullopt;
  return EndpointFailureNotice{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>(),
                               rows[0][2].as<std::string>()};
}

}  // namespace tocsin
