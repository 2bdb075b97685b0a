#include "dispatch/store/audit_log.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kInsertAudit =
    "INSERT INTO audit_log (network_id, actor, action, target, detail)"
    " VALUES ($1, $2, $3, $4, $5::jsonb)";
constexpr const char* kListAudit =
    "SELECT a.id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), n.slug,"
    " a.actor, a.action, a.target, a.detail::text"
    " FROM audit_log a LEFT JOIN networks n ON n.id = a.network_id"
    " WHERE ($1::bigint IS NULL OR a.network_id = $1) AND ($2::timestamptz IS NULL OR a.at >= $2)"
    " AND ($3::bigint IS NULL OR a.id < $3) ORDER BY a.id DESC LIMIT $4";

}  // namespace

void RecordAudit(pqxx::work& tx, std::optional<std::int64_t> network_id, const std::string& actor,
                 const std::string& action, const std::string& target,
                 const std::string& detail_json) {
  tx.exec_params(kInsertAudit, network_id, actor, action, target, detail_json);
}

std::vector<AuditEntry> ListAudit(pqxx::transaction_base& tx, const AuditQuery& q) {
  std::vector<AuditEntry> out;
  for (const auto& r : tx.exec_params(kListAudit, q.network_id, q.since, q.before_id, q.limit)) {
    AuditEntry e;
    e.id = r[0].as<std::int64_t>();
    e.at = r[1].as<std::string>();
    if (!r[2].is_null()) e.network = r[2].as<std::string>();
    e.actor = r[3].as<std::string>();
    e.action = r[4].as<std::string>();
    e.target = r[5].as<std::string>();
    e.detail_json = r[6].as<std::string>();
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace tocsin
