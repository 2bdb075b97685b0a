#include "dispatch/store/alert_timeline.h"

namespace tocsin {

namespace {

// Step k+1 started when the deadline ending step k fired and the escalation went past step k
// (a fired deadline whose goal was met, or the last step's, started nothing).
constexpr const char* kTimeline = R"sql(
WITH a AS (SELECT created_at, ended_at, status FROM alerts WHERE id = $1),
entries AS (
  SELECT a.created_at AS ts, 'raised' AS what, 0::bigint AS n, 0 AS ord FROM a
  UNION ALL
  SELECT t.due_at, 'step', t.step + 1, 1
    FROM escalation_timers t JOIN escalations e ON e.alert_id = t.alert_id
   WHERE t.alert_id = $1 AND t.kind = 'step' AND t.state = 'fired' AND t.step < e.step
  UNION ALL
  SELECT e.updated_at, 'goal_met', 0, 2 FROM escalations e WHERE e.alert_id = $1 AND e.state = 'goal_met'
  UNION ALL
  SELECT min(d.created_at), m.kind, count(DISTINCT d.member_id), 3
    FROM (SELECT DISTINCT seq, kind FROM alert_messages
           WHERE alert_id = $1 AND kind IN ('reminder', 'update', 'stand_down')) m
    JOIN deliveries d ON d.alert_id = $1 AND d.seq = m.seq
   GROUP BY m.seq, m.kind
  UNION ALL
  SELECT a.ended_at, a.status, 0, 4 FROM a WHERE a.ended_at IS NOT NULL)
SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), what, n
  FROM entries ORDER BY ts, ord
)sql";

}  // namespace

Result<std::vector<TimelineEntry>> AlertTimeline(pqxx::transaction_base& tx, std::int64_t network_id,
                                                 std::int64_t alert_id) {
  if (tx.exec_params("SELECT 1 FROM alerts WHERE id = $1 AND network_id = $2", alert_id, network_id).empty()) {
    return Error::NotFound("no such alert");
  }
  std::vector<TimelineEntry> out;
  for (const auto& r : tx.exec_params(kTimeline, alert_id)) {
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::int64_t>()});
  }
  return out;
}

}  // namespace tocsin
