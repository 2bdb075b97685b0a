#include "dispatch/store/escalation_store.h"

#include <boost/json.hpp>

#include "dispatch/store/policy_store.h"

namespace tocsin {
namespace {

constexpr const char* kInsertEscalation =
    "INSERT INTO escalations (alert_id, policy, state, step_started_at)"
    " VALUES ($1, $2::jsonb, $3, to_timestamp($4::float8 / 1000))";
constexpr const char* kInsertTimer =
    "INSERT INTO escalation_timers (alert_id, kind, step, due_at)"
    " VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000)) RETURNING id";
// The deadline, its escalation and its alert, locked so two firings cannot interleave.
constexpr const char* kLockTimer =
    "SELECT t.alert_id, t.kind, t.step, t.state, e.policy::text, e.step, e.state, a.status, a.network_id"
    " FROM escalation_timers t JOIN escalations e ON e.alert_id = t.alert_id"
    " JOIN alerts a ON a.id = t.alert_id WHERE t.id = $1 FOR UPDATE OF t, e";
constexpr const char* kLockEscalation =
    "SELECT e.policy::text, e.step, e.state, a.status, a.network_id FROM escalations e"
    " JOIN alerts a ON a.id = e.alert_id WHERE e.alert_id = $1 FOR UPDATE OF e";
constexpr const char* kMarkFired = "UPDATE escalation_timers SET state = 'fired' WHERE id = $1";
constexpr const char* kSetState =
    "UPDATE escalations SET state = $2, updated_at = now() WHERE alert_id = $1";
constexpr const char* kSetStep =
    "UPDATE escalations SET step = $2, step_started_at = to_timestamp($3::float8 / 1000), updated_at = now()"
    " WHERE alert_id = $1";
constexpr const char* kGoing =
    "SELECT count(*) FROM (SELECT DISTINCT ON (member_id) answer FROM responses"
    " WHERE alert_id = $1 AND answer <> 'text' ORDER BY member_id, id DESC) latest"
    " WHERE answer = 'going'";
constexpr const char* kStop =
    "UPDATE escalations SET state = 'stopped', updated_at = now()"
    " WHERE alert_id = $1 AND state IN ('running', 'exhausted')";
constexpr const char* kCancelTimers =
    "UPDATE escalation_timers SET state = 'cancelled' WHERE alert_id = $1 AND state = 'pending'";
// A goal met stops the escalation's own deadlines, not a case's removal schedule.
constexpr const char* kCancelEscalationTimers =
    "UPDATE escalation_timers SET state = 'cancelled' WHERE alert_id = $1 AND state = 'pending' AND kind <> 'schedule'";
constexpr const char* kEarliest =
    "SELECT (extract(epoch FROM min(due_at)) * 1000)::bigint FROM escalation_timers"
    " WHERE alert_id = $1 AND kind = $2 AND state = 'pending'";
constexpr const char* kPending =
    "SELECT id, alert_id, (extract(epoch FROM due_at) * 1000)::bigint,"
    " CASE kind WHEN 'verify' THEN 1 WHEN 'schedule' THEN 2 ELSE 0 END FROM escalation_timers"
    " WHERE state = 'pending' ORDER BY due_at";
// Recipients of the alert message who have not answered; $2 selects what they are owed:
// 'reminder' (not reminded), 'backup' (not backed up), 'failures' (not backed up, failed),
// 'call' (texted by a step with a call ladder, not called).
constexpr const char* kPendingRecipients =
    "SELECT d.id, d.state, coalesce((extract(epoch FROM d.sent_at) * 1000)::bigint, 0),"
    " m.status = 'active', m.backup_id IS NOT NULL, coalesce(d.call_after_ms, 0)"
    " FROM deliveries d JOIN members m ON m.id = d.member_id"
    " WHERE d.alert_id = $1 AND d.seq = 0"
    " AND CASE $2 WHEN 'reminder' THEN NOT d.reminded AND m.status = 'active'"
    "   AND d.state IN ('queued', 'sending', 'sent', 'delivered')"
    "  WHEN 'call' THEN d.call_after_ms IS NOT NULL AND NOT d.called AND m.status = 'active'"
    "   AND d.state IN ('queued', 'sending', 'sent', 'delivered')"
    "  WHEN 'backup' THEN NOT d.backed_up AND m.backup_id IS NOT NULL"
    "   AND d.state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered')"
    "  ELSE NOT d.backed_up AND m.backup_id IS NOT NULL AND d.state IN ('failed', 'undelivered') END"
    " AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "   AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot'))";

LockedEscalation ReadLocked(const pqxx::row& r, int first) {
  LockedEscalation out;
  out.escalation.policy = ParseStoredPolicy(r[first].as<std::string>());
  out.escalation.step = r[first + 1].as<int>();
  out.escalation.state = ParseEscalationState(r[first + 2].as<std::string>()).value_or(EscalationState::kStopped);
  out.escalation.alert_open = r[first + 3].as<std::string>() == "open";
  out.network_id = r[first + 4].as<std::int64_t>();
  return out;
}

std::vector<PendingTimer> ReadTimers(const pqxx::result& rows) {
  std::vector<PendingTimer> out;
  for (const auto& r : rows) {
    const int owner = r[3].as<int>();
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>(),
                   owner == 1 ? TimerOwner::kVerification : owner == 2 ? TimerOwner::kSchedule : TimerOwner::kEscalation});
  }
  return out;
}

}  // namespace

void InsertEscalation(pqxx::work& tx, std::int64_t alert_id, const Policy& p, std::int64_t now_ms) {
  tx.exec_params(kInsertEscalation, alert_id, boost::json::serialize(PolicyToJson(p)),
                 std::string(EscalationStateName(StartState(p))), static_cast<double>(now_ms));
}

std::optional<LockedEscalation> LockEscalation(pqxx::work& tx, std::int64_t alert_id) {
  auto rows = tx.exec_params(kLockEscalation, alert_id);
  if (rows.empty()) return std::nullopt;
  return ReadLocked(rows[0], 0);
}

std::optional<FiredDeadline> LockDeadline(pqxx::work& tx, std::int64_t timer_id) {
  auto rows = tx.exec_params(kLockTimer, timer_id);
  if (rows.empty() || rows[0][3].as<std::string>() != "pending") return std::nullopt;
  tx.exec_params(kMarkFired, timer_id);
  const auto& r = rows[0];
  FiredDeadline out;
  out.alert_id = r[0].as<std::int64_t>();
  out.kind = ParseDeadlineKind(r[1].as<std::string>()).value_or(DeadlineKind::kStep);
  out.step = r[2].as<int>();
  out.locked = ReadLocked(r, 4);
  return out;
}

void SetEscalationState(pqxx::work& tx, std::int64_t alert_id, EscalationState s) {
  tx.exec_params(kSetState, alert_id, std::string(EscalationStateName(s)));
}

void SetEscalationStep(pqxx::work& tx, std::int64_t alert_id, int step, std::int64_t now_ms) {
  tx.exec_params(kSetStep, alert_id, step, static_cast<double>(now_ms));
}

PendingTimer InsertDeadline(pqxx::work& tx, std::int64_t alert_id, const Deadline& d) {
  auto r = tx.exec_params1(kInsertTimer, alert_id, std::string(DeadlineKindName(d.kind)), d.step,
                           static_cast<double>(d.due_ms));
  return PendingTimer{r[0].as<std::int64_t>(), alert_id, d.due_ms};
}

void CancelDeadlines(pqxx::work& tx, std::int64_t alert_id) { tx.exec_params(kCancelEscalationTimers, alert_id); }

void StopEscalation(pqxx::work& tx, std::int64_t alert_id) {
  tx.exec_params(kStop, alert_id);
  tx.exec_params(kCancelTimers, alert_id);
}

std::optional<std::int64_t> EarliestDeadline(pqxx::transaction_base& tx, std::int64_t alert_id, DeadlineKind kind) {
  auto v = tx.exec_params1(kEarliest, alert_id, std::string(DeadlineKindName(kind)))[0];
  if (v.is_null()) return std::nullopt;
  return v.as<std::int64_t>();
}

std::int64_t GoingCount(pqxx::transaction_base& tx, std::int64_t alert_id) {
  return tx.exec_params1(kGoing, alert_id)[0].as<std::int64_t>();
}

std::vector<PendingRecipient> PendingRecipients(pqxx::transaction_base& tx, std::int64_t alert_id, Trigger t) {
  const char* what = t == Trigger::kReminderDeadline ? "reminder"
                     : t == Trigger::kBackupDeadline ? "backup"
                     : t == Trigger::kCallDeadline   ? "call"
                                                     : "failures";
  std::vector<PendingRecipient> out;
  for (const auto& r : tx.exec_params(kPendingRecipients, alert_id, std::string(what))) {
    PendingRecipient p;
    p.delivery_id = r[0].as<std::int64_t>();
    p.state = ParseDeliveryState(r[1].as<std::string>()).value_or(DeliveryState::kCancelled);
    p.reached_ms = r[2].as<std::int64_t>();
    p.active = r[3].as<bool>();
    p.has_backup = r[4].as<bool>();
    p.call_after_ms = r[5].as<std::int64_t>();
    out.push_back(p);
  }
  return out;
}

std::vector<PendingTimer> LoadPendingTimers(pqxx::transaction_base& tx) { return ReadTimers(tx.exec(kPending)); }


}  // namespace tocsin
