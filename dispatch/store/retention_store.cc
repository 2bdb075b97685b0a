#include "dispatch/store/retention_store.h"

namespace tocsin {
namespace {

constexpr const char* kExpired =
    "SELECT a.id, a.network_id FROM alerts a JOIN networks n ON n.id = a.network_id"
    " WHERE a.status <> 'open' AND a.purged_at IS NULL"
    " AND a.ended_at < to_timestamp($1::float8 / 1000) - make_interval(days => n.retention_days)"
    " ORDER BY a.ended_at, a.id LIMIT $2 FOR UPDATE OF a";

// Children first, each by its alert_id index.
constexpr const char* kDeleteChildren[] = {
    "DELETE FROM responses WHERE alert_id = $1",
    "DELETE FROM organisation_responses WHERE alert_id = $1",
    "DELETE FROM alert_organisations WHERE alert_id = $1",
    "DELETE FROM deliveries WHERE alert_id = $1",
    "DELETE FROM alert_messages WHERE alert_id = $1",
    "DELETE FROM tree_run_nodes WHERE alert_id = $1",
    "DELETE FROM tree_runs WHERE alert_id = $1",
    "DELETE FROM escalation_timers WHERE alert_id = $1",
    "DELETE FROM escalations WHERE alert_id = $1",
};
constexpr const char* kKeepShell =
    "UPDATE alerts SET location_enc = ''::bytea, details_enc = NULL, final_counts = $2::jsonb,"
    " purged_at = to_timestamp($3::float8 / 1000) WHERE id = $1";

constexpr const char* kTombstones =
    "DELETE FROM members m WHERE m.status = 'deleted'"
    " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.member_id = m.id)"
    " AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.member_id = m.id)"
    " AND NOT EXISTS (SELECT 1 FROM tree_run_nodes t WHERE t.member_id = m.id)";
constexpr const char* kAudit =
    "DELETE FROM audit_log WHERE at < to_timestamp($1::float8 / 1000) - make_interval(days => $2)";
constexpr const char* kInbound[] = {
    "DELETE FROM inbound_messages WHERE received_at < to_timestamp($1::float8 / 1000) - interval '7 days'",
    "DELETE FROM inbound_webhooks WHERE received_at < to_timestamp($1::float8 / 1000) - interval '7 days'",
};

constexpr const char* kReports =
    "DELETE FROM reports r USING networks n WHERE n.id = r.network_id"
    " AND r.received_at < to_timestamp($1::float8 / 1000) - make_interval(days => n.retention_days)";

}  // namespace

std::vector<std::pair<std::int64_t, std::int64_t>> ExpiredAlerts(pqxx::work& tx, std::int64_t now_ms, int limit) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& r : tx.exec_params(kExpired, static_cast<double>(now_ms), limit)) {
    out.emplace_back(r[0].as<std::int64_t>(), r[1].as<std::int64_t>());
  }
  return out;
}

std::int64_t PurgeAlert(pqxx::work& tx, std::int64_t alert_id, const std::string& final_counts_json,
                        std::int64_t now_ms) {
  std::int64_t rows = 0;
  for (const char* sql : kDeleteChildren) rows += tx.exec_params(sql, alert_id).affected_rows();
  tx.exec_params(kKeepShell, alert_id, final_counts_json, static_cast<double>(now_ms));
  return rows;
}

std::int64_t PurgeTombstones(pqxx::work& tx) { return tx.exec(kTombstones).affected_rows(); }

std::int64_t PurgeAudit(pqxx::work& tx, std::int64_t now_ms, int days) {
  return tx.exec_params(kAudit, static_cast<double>(now_ms), days).affected_rows();
}

std::int64_t PruneInboundIds(pqxx::work& tx, std::int64_t now_ms) {
  std::int64_t rows = 0;
  for (const char* sql : kInbound) rows += tx.exec_params(sql, static_cast<double>(now_ms)).affected_rows();
  return rows;
}

std::int64_t PurgeReports(pqxx::work& tx, std::int64_t now_ms) {
  return tx.exec_params(kReports, static_cast<double>(now_ms)).affected_rows();
}

}  // namespace tocsin
