#include "dispatch/store/status_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kApplyStatus =
    "UPDATE deliveries SET state = $2, error_code = COALESCE($3, error_code),"
    " sent_at = COALESCE(sent_at, to_timestamp($4::float8 / 1000)), updated_at = now()"
    " WHERE provider_id = $1 AND delivery_rank($2) > delivery_rank(state)"
    " RETURNING id, alert_id, member_id";
// Advisory locks of class 7301 (the two-key space, apart from the migrator's one-key locks).
constexpr const char* kLockProviderIds =
    "SELECT pg_advisory_xact_lock(7301, k) FROM (SELECT DISTINCT hashtext(p) AS k"
    " FROM unnest($1::text[]) AS p ORDER BY 1) ids";
constexpr const char* kKnownProviderId = "SELECT 1 FROM deliveries WHERE provider_id = $1";
// The delivery writer has not recorded this id yet: keep the status until it does.
constexpr const char* kKeepEarly =
    "INSERT INTO early_status (provider_id, state, error_code) VALUES ($1, $2, $3)";
constexpr const char* kOptOutByProviderId =
    "UPDATE members SET status = 'opted_out', updated_at = now()"
    " WHERE id = (SELECT member_id FROM deliveries WHERE provider_id = $1)";

}  // namespace

std::string DeliveryStateFor(const std::string& twilio_status) {
  if (twilio_status == "sent") return "sent";
  if (twilio_status == "delivered" || twilio_status == "read") return "delivered";
  if (twilio_status == "undelivered") return "undelivered";
  if (twilio_status == "failed" || twilio_status == "canceled") return "failed";
  return "";
}

void LockProviderIds(pqxx::transaction_base& tx, const std::vector<std::string>& sids) {
  if (!sids.empty()) ExecPrepared(tx, "lock_provider_ids", kLockProviderIds, ToPgArray(sids));
}

std::vector<StatusApplied> ApplyStatusCallback(pqxx::work& tx, const std::string& sid, const std::string& state,
                                               const std::optional<std::string>& error_code, std::int64_t now_ms) {
  std::vector<StatusApplied> out;
  LockProviderIds(tx, {sid});
  auto rows = ExecPrepared(tx, "apply_status", kApplyStatus, sid, state, error_code, static_cast<double>(now_ms));
  for (const auto& r : rows) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>()});
  }
  if (rows.empty() && tx.exec_params(kKnownProviderId, sid).empty()) {
    tx.exec_params(kKeepEarly, sid, state, error_code);
  }
  if (error_code == "21610") tx.exec_params(kOptOutByProviderId, sid);
  return out;
}

}  // namespace tocsin
