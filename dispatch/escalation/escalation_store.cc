#include "dispatch/escalation/escalation_store.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/registry/network_registry.h"

namespace tocsin {
namespace {

constexpr const char* kSelectPolicy = "SELECT policy::text FROM policies WHERE network_id = $1 AND kind = $2";
constexpr const char* kUpsertPolicy =
    "INSERT INTO policies (network_id, kind, policy) VALUES ($1, $2, $3::jsonb)"
    " ON CONFLICT (network_id, kind) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()";
constexpr const char* kInsertEscalation =
    "INSERT INTO escalations (alert_id, policy, state) VALUES ($1, $2::jsonb, $3)";
constexpr const char* kInsertTimer =
    "INSERT INTO escalation_timers (alert_id, kind, step, due_at)"
    " VALUES ($1, $4, $2, now() + make_interval(secs => $3::float8 / 1000))"
    " RETURNING id, (extract(epoch FROM due_at) * 1000)::bigint";
// The timer, its escalation and its alert, locked so two firings cannot interleave.
constexpr const char* kLockTimer =
    "SELECT t.alert_id, t.step, t.state, e.policy::text, e.step, e.state, a.status, a.network_id,"
    " t.kind"
    " FROM escalation_timers t JOIN escalations e ON e.alert_id = t.alert_id"
    " JOIN alerts a ON a.id = t.alert_id WHERE t.id = $1 FOR UPDATE OF t, e";
constexpr const char* kLockEscalation =
    "SELECT e.policy::text, e.step, e.state, a.status, a.network_id FROM escalations e"
    " JOIN alerts a ON a.id = e.alert_id WHERE e.alert_id = $1 FOR UPDATE OF e";
constexpr const char* kMarkFired = "UPDATE escalation_timers SET state = 'fired' WHERE id = $1";
constexpr const char* kSetState =
    "UPDATE escalations SET state = $2, updated_at = now() WHERE alert_id = $1";
constexpr const char* kSetStep =
    "UPDATE escalations SET step = $2, step_started_at = now(), updated_at = now() WHERE alert_id = $1";
constexpr const char* kGoing =
    "SELECT count(*) FROM (SELECT DISTINCT ON (member_id) answer FROM responses"
    " WHERE alert_id = $1 AND answer <> 'text' ORDER BY member_id, id DESC) latest"
    " WHERE answer = 'going'";
constexpr const char* kStop =
    "UPDATE escalations SET state = 'stopped', updated_at = now()"
    " WHERE alert_id = $1 AND state = 'running'";
constexpr const char* kCancelTimers =
    "UPDATE escalation_timers SET state = 'cancelled' WHERE alert_id = $1 AND state = 'pending'";
constexpr const char* kPending =
    "SELECT id, alert_id, (extract(epoch FROM due_at) * 1000)::bigint FROM escalation_timers"
    " WHERE state = 'pending' ORDER BY due_at";
constexpr const char* kPendingOf =
    "SELECT id, alert_id, (extract(epoch FROM due_at) * 1000)::bigint FROM escalation_timers"
    " WHERE state = 'pending' AND alert_id = $1 ORDER BY id";

// A step waits only if something follows it or its goal is watched until the wait ends.
std::optional<PendingTimer> TimerForStep(pqxx::work& tx, std::int64_t alert_id, const Policy& p,
                                         std::size_t step) {
  const auto& s = p.steps[step];
  if (!s.wait_ms || step + 1 >= p.steps.size()) return std::nullopt;
  auto r = tx.exec_params1(kInsertTimer, alert_id, static_cast<int>(step), *s.wait_ms, "step");
  return PendingTimer{r[0].as<std::int64_t>(), alert_id, r[1].as<std::int64_t>()};
}

PendingTimer ReminderTimer(pqxx::work& tx, std::int64_t alert_id, double in_ms) {
  auto r = tx.exec_params1(kInsertTimer, alert_id, 0, in_ms, "reminder");
  return PendingTimer{r[0].as<std::int64_t>(), alert_id, r[1].as<std::int64_t>()};
}

Policy ParseStored(const std::string& json) {
  auto p = ParsePolicyText(json);
  if (!p.ok()) {
    // Stored policies were validated on write; this only happens if the rules changed since.
    spdlog::error("stored escalation policy no longer valid ({}): using the default", p.error().message);
    return DefaultPolicy("other");
  }
  return std::move(p.value());
}

// The goal of `step` is met: escalation ends; the stand-down goes out if the policy asks.
void GoalMet(pqxx::work& tx, AlertService& alerts, const Network& net, std::int64_t alert_id,
             const Policy& p, EscalationOutcome& out) {
  tx.exec_params(kSetState, alert_id, "goal_met");
  tx.exec_params(kCancelTimers, alert_id);
  out.what = "goal_met";
  if (p.stand_down && alerts.StandDown(tx, net, alert_id) > 0) out.network_id = net.id;
}

bool StepGoalMet(pqxx::work& tx, const PolicyStep& step, std::int64_t alert_id) {
  if (!step.until_going) return false;
  return tx.exec_params1(kGoing, alert_id)[0].as<std::int64_t>() >= *step.until_going;
}

}  // namespace

std::optional<Policy> StoredPolicy(pqxx::transaction_base& tx, std::int64_t network_id,
                                   const std::string& kind) {
  auto rows = tx.exec_params(kSelectPolicy, network_id, kind);
  if (rows.empty()) return std::nullopt;
  return ParseStored(rows[0][0].as<std::string>());
}

Policy PolicyFor(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& kind) {
  if (auto p = StoredPolicy(tx, network_id, kind)) return *p;
  return DefaultPolicy(kind);
}

Status PutPolicy(pqxx::work& tx, std::int64_t network_id, const std::string& kind, const Policy& p) {
  tx.exec_params(kUpsertPolicy, network_id, kind, boost::json::serialize(PolicyToJson(p)));
  return Ok{};
}

std::optional<PendingTimer> StartEscalation(pqxx::work& tx, std::int64_t alert_id, const Policy& p) {
  bool more = p.steps.size() > 1;
  tx.exec_params(kInsertEscalation, alert_id, boost::json::serialize(PolicyToJson(p)),
                 more ? "running" : "exhausted");
  if (p.reminder_after_ms) ReminderTimer(tx, alert_id, static_cast<double>(*p.reminder_after_ms));
  return TimerForStep(tx, alert_id, p, 0);
}

EscalationOutcome FireStepTimer(pqxx::work& tx, AlertService& alerts, std::int64_t timer_id) {
  EscalationOutcome out;
  auto rows = tx.exec_params(kLockTimer, timer_id);
  if (rows.empty() || rows[0][2].as<std::string>() != "pending") {
    out.what = "stale";  // fired already, or cancelled: nothing fires twice
    return out;
  }
  const auto& r = rows[0];
  auto alert_id = r[0].as<std::int64_t>();
  auto timer_step = r[1].as<int>();
  auto policy = ParseStored(r[3].as<std::string>());
  auto step = r[4].as<int>();
  tx.exec_params(kMarkFired, timer_id);
  if (r[8].as<std::string>() == "reminder") {
    // Reminders go on while the alert is open and escalation has not ended by its goal.
    auto state = r[5].as<std::string>();
    if (r[6].as<std::string>() != "open" || state == "goal_met" || state == "stopped" ||
        !policy.reminder_after_ms) {
      out.what = "stale";
      return out;
    }
    auto net = FindNetworkById(tx, r[7].as<std::int64_t>());
    if (!net) return out;
    std::optional<double> next_in_ms;
    auto reminded = alerts.Remind(tx, *net, alert_id, *policy.reminder_after_ms, &next_in_ms);
    if (reminded > 0) out.network_id = net->id;
    if (next_in_ms) out.next_reminder = ReminderTimer(tx, alert_id, *next_in_ms);
    out.what = "reminded " + std::to_string(reminded);
    return out;
  }
  if (r[5].as<std::string>() != "running" || r[6].as<std::string>() != "open" || step != timer_step ||
      step >= static_cast<int>(policy.steps.size())) {
    out.what = "stale";
    return out;
  }
  auto net = FindNetworkById(tx, r[7].as<std::int64_t>());
  if (!net) return out;
  if (StepGoalMet(tx, policy.steps[step], alert_id)) {
    GoalMet(tx, alerts, *net, alert_id, policy, out);
    return out;
  }
  auto next = static_cast<std::size_t>(step) + 1;
  tx.exec_params(kSetStep, alert_id, static_cast<int>(next));
  if (alerts.QueueAudience(tx, *net, alert_id, policy.steps[next].audience) > 0) out.network_id = net->id;
  out.next_timer = TimerForStep(tx, alert_id, policy, next);
  if (next + 1 >= policy.steps.size()) tx.exec_params(kSetState, alert_id, "exhausted");
  out.what = "step " + std::to_string(next);
  return out;
}

EscalationOutcome CheckGoal(pqxx::work& tx, AlertService& alerts, std::int64_t alert_id) {
  EscalationOutcome out;
  auto rows = tx.exec_params(kLockEscalation, alert_id);
  if (rows.empty()) return out;
  const auto& r = rows[0];
  auto step = r[1].as<int>();
  // An exhausted escalation still watches its last step's goal (for the stand-down).
  auto state = r[2].as<std::string>();
  if ((state != "running" && state != "exhausted") || r[3].as<std::string>() != "open") return out;
  auto policy = ParseStored(r[0].as<std::string>());
  if (step >= static_cast<int>(policy.steps.size()) || !StepGoalMet(tx, policy.steps[step], alert_id)) {
    return out;
  }
  auto net = FindNetworkById(tx, r[4].as<std::int64_t>());
  if (net) GoalMet(tx, alerts, *net, alert_id, policy, out);
  return out;
}

void StopEscalation(pqxx::work& tx, std::int64_t alert_id) {
  tx.exec_params(kStop, alert_id);
  tx.exec_params(kCancelTimers, alert_id);
}

std::vector<PendingTimer> LoadPendingTimers(pqxx::transaction_base& tx) {
  std::vector<PendingTimer> out;
  for (const auto& r : tx.exec(kPending)) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>()});
  }
  return out;
}

std::vector<PendingTimer> PendingTimersOf(pqxx::transaction_base& tx, std::int64_t alert_id) {
  std::vector<PendingTimer> out;
  for (const auto& r : tx.exec_params(kPendingOf, alert_id)) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>()});
  }
  return out;
}

}  // namespace tocsin
