#include "dispatch/store/case_schedule_store.h"

#include <map>

#include "dispatch/store/policy_store.h"
#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kInsert =
    "INSERT INTO escalation_timers (alert_id, kind, step, due_at)"
    " VALUES ($1, 'schedule', $2, to_timestamp($3::float8 / 1000)) RETURNING id";
constexpr const char* kCancel =
    "UPDATE escalation_timers SET state = 'cancelled' WHERE alert_id = $1 AND kind = 'schedule' AND state = 'pending'";
constexpr const char* kPending =
    "SELECT id, (extract(epoch FROM due_at) * 1000)::bigint FROM escalation_timers"
    " WHERE alert_id = $1 AND kind = 'schedule' AND state = 'pending' ORDER BY due_at, step";
constexpr const char* kSetDeadline =
    "UPDATE alerts SET deadline = $2::timestamptz WHERE id = $1 RETURNING (extract(epoch FROM deadline) * 1000)::bigint";
constexpr const char* kLock =
    "SELECT t.alert_id, a.network_id, k.case_id, a.status,"
    " to_char(a.deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), e.policy::text"
    " FROM escalation_timers t JOIN escalations e ON e.alert_id = t.alert_id"
    " JOIN alerts a ON a.id = t.alert_id JOIN case_alerts k ON k.alert_id = t.alert_id"
    " WHERE t.id = $1 AND t.kind = 'schedule' AND t.state = 'pending' FOR UPDATE OF t, e";
constexpr const char* kTakeDue =
    "UPDATE escalation_timers SET state = 'fired' WHERE id IN (SELECT id FROM escalation_timers"
    " WHERE alert_id = $1 AND kind = 'schedule' AND state = 'pending' AND due_at <= to_timestamp($2::float8 / 1000)"
    " FOR UPDATE) RETURNING step, (extract(epoch FROM due_at) * 1000)::bigint";
constexpr const char* kDeliveries =
    "SELECT id, member_id, language FROM deliveries WHERE alert_id = $1 AND seq = $2 ORDER BY id";
constexpr const char* kQueueAsk =
    "INSERT INTO deliveries (alert_id, seq, network_id, member_id, channel, language, segments)"
    " SELECT $1, $2, m.network_id, m.id, CASE WHEN 'sms' = ANY(m.channels) THEN 'sms' ELSE 'voice' END,"
    "  msg.language, msg.segments FROM members m JOIN alert_messages msg ON msg.alert_id = $1 AND msg.seq = $2"
    "  AND msg.language = CASE WHEN m.language = ANY($4::text[]) THEN m.language ELSE $5 END"
    " WHERE m.network_id = $3 AND m.status = 'active' AND m.channels && ARRAY['sms', 'voice']"
    " AND m.id = ANY($6::bigint[]) ORDER BY m.id";
constexpr const char* kTreeMembers =
    "SELECT DISTINCT n.member_id FROM tree_nodes n JOIN trees t ON t.id = n.tree_id"
    " WHERE t.network_id = $1 AND t.name = ANY($2::text[]) ORDER BY 1";
constexpr const char* kWithRoles =
    "SELECT id FROM members WHERE network_id = $1 AND roles && $2::text[] ORDER BY id";
constexpr const char* kOfCase =
    "SELECT * FROM (SELECT t.alert_id, t.step,"
    " to_char(t.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), t.state, e.policy::text, t.id,"
    " to_char(greatest(t.due_at, t.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM case_alerts k JOIN escalation_timers t ON t.alert_id = k.alert_id AND t.kind = 'schedule'"
    " JOIN escalations e ON e.alert_id = k.alert_id"
    " WHERE k.network_id = $1 AND k.case_id = $2 ORDER BY t.id DESC LIMIT 200) s ORDER BY 7, 3, 6";

}  // namespace

std::vector<PendingTimer> InsertScheduleTimers(pqxx::work& tx, std::int64_t alert_id,
                                               const std::vector<ScheduleEntry>& entries, std::int64_t deadline_ms,
                                               std::int64_t recorded_ms, bool at_recorded) {
  std::vector<PendingTimer> out;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].at_recorded && !at_recorded) continue;
    const auto due = EntryDueMs(entries[i], deadline_ms, recorded_ms);
    auto r = tx.exec_params1(kInsert, alert_id, static_cast<int>(i), static_cast<double>(due));
    out.push_back({r[0].as<std::int64_t>(), alert_id, due, TimerOwner::kSchedule});
  }
  return out;
}

void CancelScheduleTimers(pqxx::work& tx, std::int64_t alert_id) { tx.exec_params0(kCancel, alert_id); }

std::vector<PendingTimer> PendingScheduleTimers(pqxx::transaction_base& tx, std::int64_t alert_id) {
  std::vector<PendingTimer> out;
  for (const auto& r : tx.exec_params(kPending, alert_id)) {
    out.push_back({r[0].as<std::int64_t>(), alert_id, r[1].as<std::int64_t>(), TimerOwner::kSchedule});
  }
  return out;
}

std::int64_t SetAlertDeadline(pqxx::work& tx, std::int64_t alert_id, const std::string& deadline) {
  return tx.exec_params1(kSetDeadline, alert_id, deadline)[0].as<std::int64_t>();
}

std::optional<LockedSchedule> LockScheduleTimer(pqxx::work& tx, std::int64_t timer_id) {
  auto rows = tx.exec_params(kLock, timer_id);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return LockedSchedule{r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
                        r[3].as<std::string>(), r[4].is_null() ? "" : r[4].as<std::string>(),
                        ParseStoredPolicy(r[5].as<std::string>())};
}

std::vector<int> TakeDueEntries(pqxx::work& tx, std::int64_t alert_id, std::int64_t now_ms) {
  // Ordered here: UPDATE ... RETURNING keeps no order.
  std::multimap<std::pair<std::int64_t, int>, int> by_time;
  for (const auto& r : tx.exec_params(kTakeDue, alert_id, static_cast<double>(now_ms))) {
    const int step = r[0].as<int>();
    by_time.emplace(std::make_pair(r[1].as<std::int64_t>(), step), step);
  }
  std::vector<int> out;
  for (const auto& [unused, step] : by_time) out.push_back(step);
  return out;
}

std::vector<MessageDelivery> DeliveriesOfMessage(pqxx::transaction_base& tx, std::int64_t alert_id, int seq) {
  std::vector<MessageDelivery> out;
  for (const auto& r : tx.exec_params(kDeliveries, alert_id, seq)) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::string>()});
  }
  return out;
}

std::int64_t QueueAskForMembers(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                                const std::string& ids, const std::string& languages,
                                const std::string& fallback_language) {
  return static_cast<std::int64_t>(
      ExecPrepared(tx, "case_queue_ask", kQueueAsk, alert_id, seq, network_id, languages, fallback_language, ids)
          .affected_rows());
}

std::vector<std::int64_t> TreeMembers(pqxx::transaction_base& tx, std::int64_t network_id,
                                      const std::vector<std::string>& trees) {
  std::vector<std::int64_t> out;
  if (trees.empty()) return out;
  for (const auto& r : tx.exec_params(kTreeMembers, network_id, ToPgArray(trees))) out.push_back(r[0].as<std::int64_t>());
  return out;
}

std::vector<std::int64_t> MembersWithRoles(pqxx::transaction_base& tx, std::int64_t network_id,
                                           const std::vector<std::string>& roles) {
  std::vector<std::int64_t> out;
  for (const auto& r : tx.exec_params(kWithRoles, network_id, ToPgArray(roles))) out.push_back(r[0].as<std::int64_t>());
  return out;
}

std::vector<ScheduleItem> ScheduleOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id) {
  std::vector<ScheduleItem> out;
  std::map<std::int64_t, Policy> policies;  // parsed once per alert
  for (const auto& r : tx.exec_params(kOfCase, network_id, case_id)) {
    const auto alert = r[0].as<std::int64_t>();
    auto it = policies.find(alert);
    if (it == policies.end()) it = policies.emplace(alert, ParseStoredPolicy(r[4].as<std::string>())).first;
    out.push_back({alert, r[1].as<int>(), r[2].as<std::string>(), r[3].as<std::string>(), it->second,
                   r[6].as<std::string>()});
  }
  return out;
}

}  // namespace tocsin
