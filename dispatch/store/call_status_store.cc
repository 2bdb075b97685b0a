#include "dispatch/store/call_status_store.h"

#include "dispatch/store/status_store.h"

namespace tocsin {
namespace {

constexpr const char* kLockCall =
    "SELECT id, alert_id, member_id, network_id, attempts FROM deliveries"
    " WHERE provider_id = $1 AND channel = 'voice' FOR UPDATE";
constexpr const char* kFinish =
    "UPDATE deliveries SET state = $2, error_code = $3,"
    " sent_at = COALESCE(sent_at, to_timestamp($4::float8 / 1000)), updated_at = now()"
    " WHERE id = $1 AND delivery_rank($2) > delivery_rank(state)";
constexpr const char* kRetry =
    "UPDATE deliveries d SET state = CASE WHEN a.status = 'open' THEN 'queued' ELSE 'cancelled' END,"
    " error_code = $2, error_message = CASE WHEN a.status = 'open' THEN NULL ELSE 'alert ended' END,"
    " next_attempt_at = to_timestamp($3::float8 / 1000), provider_id = NULL, updated_at = now()"
    " FROM alerts a WHERE d.id = $1 AND a.id = d.alert_id AND d.state = 'sent'";

}  // namespace

std::optional<CallDelivery> LockCallDelivery(pqxx::work& tx, const std::string& sid) {
  LockProviderIds(tx, {sid});
  auto rows = tx.exec_params(kLockCall, sid);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return CallDelivery{r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
                      r[3].as<std::int64_t>(), r[4].as<int>()};
}

bool ApplyCallOutcome(pqxx::work& tx, const CallDelivery& d, const CallOutcome& outcome, std::int64_t now_ms) {
  std::optional<std::string> code;
  if (!outcome.error_code.empty()) code = outcome.error_code;
  if (outcome.kind == CallOutcome::Kind::kRetry) {
    return tx.exec_params(kRetry, d.id, code, static_cast<double>(outcome.retry_at_ms)).affected_rows() > 0;
  }
  const std::string state(DeliveryStateName(outcome.State()));
  return tx.exec_params(kFinish, d.id, state, code, static_cast<double>(now_ms)).affected_rows() > 0;
}

}  // namespace tocsin
