#include "dispatch/escalation/escalation_store.h"

#include <algorithm>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/registry/network_registry.h"
#include "dispatch/registry/member_registry.h"
#include "dispatch/escalation/time_scale.h"
#include "dispatch/trees/tree_run.h"
#include "dispatch/trees/tree_store.h"

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

// A deadline `policy_ms` of policy time from now (see time_scale.h).
PendingTimer InsertPolicyTimer(pqxx::work& tx, std::int64_t alert_id, const char* kind, int step,
                               std::int64_t policy_ms) {
  return InsertTimer(tx, alert_id, kind, step, static_cast<double>(ScaledMs(policy_ms)));
}

// A step waits only if something follows it or its goal is watched until the wait ends.
std::optional<PendingTimer> TimerForStep(pqxx::work& tx, std::int64_t alert_id, const Policy& p,
                                         std::size_t step) {
  const auto& s = p.steps[step];
  if (!s.wait_ms || step + 1 >= p.steps.size()) return std::nullopt;
  return InsertPolicyTimer(tx, alert_id, "step", static_cast<int>(step), *s.wait_ms);
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
  out.ended = true;
  if (p.stand_down && alerts.StandDown(tx, net, alert_id) > 0) out.network_id = net.id;
}

bool StepGoalMet(pqxx::work& tx, const PolicyStep& step, std::int64_t alert_id) {
  if (step.until_going && tx.exec_params1(kGoing, alert_id)[0].as<std::int64_t>() >= *step.until_going) {
    return true;
  }
  return step.until_confirmed && step.audience.tree && TreeConfirmed(tx, alert_id, *step.audience.tree);
}

// The escalation row as locked by kLockTimer (columns 3..7) or kLockEscalation (0..4).
struct Locked {
  Policy policy;
  int step = 0;
  std::string state;         // running, goal_met, exhausted, stopped
  std::string alert_status;  // open, resolved, cancelled
  std::int64_t network_id = 0;

  Locked(const pqxx::row& r, int first)
      : policy(ParseStored(r[first].as<std::string>())),
        step(r[first + 1].as<int>()),
        state(r[first + 2].as<std::string>()),
        alert_status(r[first + 3].as<std::string>()),
        network_id(r[first + 4].as<std::int64_t>()) {}
  // Reminders, backups and trees go on until the goal is met or the alert ends.
  bool Live() const { return alert_status == "open" && (state == "running" || state == "exhausted"); }
};

// A reminder or backup deadline: acts on the members due it, sets the next such deadline.
void FireRecipientTimer(pqxx::work& tx, AlertService& alerts, const Network& net, std::int64_t alert_id,
                        const std::string& kind, const Locked& e, EscalationOutcome& out) {
  auto policy_after = kind == "reminder" ? e.policy.reminder_after_ms : EffectiveBackupAfterMs(e.policy);
  if (!policy_after) {
    out.what = "stale";
    return;
  }
  auto after = ScaledMs(*policy_after);
  std::optional<double> next_in_ms;
  auto queued = kind == "reminder" ? alerts.Remind(tx, net, alert_id, after, &next_in_ms)
                                   : alerts.CallBackups(tx, net, alert_id, after, &next_in_ms);
  if (queued > 0) out.network_id = net.id;
  if (next_in_ms) out.timers.push_back(InsertTimer(tx, alert_id, kind.c_str(), 0, *next_in_ms));
  out.what = (kind == "reminder" ? "reminded " : "backups called ") + std::to_string(queued);
}

// Trees run only from a step of the alert's own policy: without one there is nothing to move.
bool UsesTrees(const Policy& p) {
  return std::any_of(p.steps.begin(), p.steps.end(),
                     [](const PolicyStep& s) { return s.audience.scope == AreaScope::kTree; });
}

void MoveTrees(pqxx::work& tx, AlertService& alerts, const Network& net, std::int64_t alert_id,
               EscalationOutcome& out) {
  auto moved = MoveTreeRuns(tx, alerts, net, alert_id);
  if (moved.queued > 0) out.network_id = net.id;
  if (moved.timer) out.timers.push_back(*moved.timer);
}

// A step deadline: the goal is checked, else the next step starts.
void FireStep(pqxx::work& tx, AlertService& alerts, const Network& net, std::int64_t alert_id,
              const Locked& e, EscalationOutcome& out) {
  if (StepGoalMet(tx, e.policy.steps[e.step], alert_id)) {
    GoalMet(tx, alerts, net, alert_id, e.policy, out);
    return;
  }
  auto next = static_cast<std::size_t>(e.step) + 1;
  tx.exec_params(kSetStep, alert_id, static_cast<int>(next));
  if (QueueStepAudience(tx, alerts, net, alert_id, e.policy.steps[next].audience, &out.timers) > 0) {
    out.network_id = net.id;
  }
  if (auto t = TimerForStep(tx, alert_id, e.policy, next)) out.timers.push_back(*t);
  if (next + 1 >= e.policy.steps.size()) tx.exec_params(kSetState, alert_id, "exhausted");
  out.what = "step " + std::to_string(next);
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
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    const auto& a = p.steps[i].audience;
    auto field = "steps[" + std::to_string(i) + "].audience.";
    if (a.scope == AreaScope::kTree && !TreeExists(tx, network_id, *a.tree)) {
      return Error::Invalid(field + "tree", "no such tree in this network (PUT it first)");
    }
    if (a.scope == AreaScope::kMembers) {
      if (auto unknown = FirstUnknownMember(tx, network_id, a.members)) {
        return Error::Invalid(field + "members", "member " + std::to_string(*unknown) + " is not in this network");
      }
    }
  }
  tx.exec_params(kUpsertPolicy, network_id, kind, boost::json::serialize(PolicyToJson(p)));
  return Ok{};
}

PendingTimer InsertTimer(pqxx::work& tx, std::int64_t alert_id, const char* kind, int step, double in_ms) {
  auto r = tx.exec_params1(kInsertTimer, alert_id, step, in_ms, kind);
  return PendingTimer{r[0].as<std::int64_t>(), alert_id, r[1].as<std::int64_t>()};
}

void StartEscalation(pqxx::work& tx, std::int64_t alert_id, const Policy& p) {
  bool more = p.steps.size() > 1;
  tx.exec_params(kInsertEscalation, alert_id, boost::json::serialize(PolicyToJson(p)),
                 more ? "running" : "exhausted");
  if (p.reminder_after_ms) InsertPolicyTimer(tx, alert_id, "reminder", 0, *p.reminder_after_ms);
  if (auto b = EffectiveBackupAfterMs(p)) InsertPolicyTimer(tx, alert_id, "backup", 0, *b);
  TimerForStep(tx, alert_id, p, 0);
}

std::int64_t QueueStepAudience(pqxx::work& tx, AlertService& alerts, const Network& net,
                               std::int64_t alert_id, const PolicyAudience& audience,
                               std::vector<PendingTimer>* timers) {
  if (audience.scope != AreaScope::kTree) return alerts.QueueAudience(tx, net, alert_id, audience);
  auto started = StartTreeRun(tx, alerts, net, alert_id, audience.tree.value_or(""));
  if (started.timer && timers) timers->push_back(*started.timer);
  return started.queued;
}

EscalationOutcome FireStepTimer(pqxx::work& tx, AlertService& alerts, std::int64_t timer_id) {
  EscalationOutcome out;
  out.what = "stale";  // fired already, cancelled, or its escalation is over: nothing fires twice
  auto rows = tx.exec_params(kLockTimer, timer_id);
  if (rows.empty() || rows[0][2].as<std::string>() != "pending") return out;
  const auto& r = rows[0];
  auto alert_id = r[0].as<std::int64_t>();
  auto timer_step = r[1].as<int>();
  auto kind = r[8].as<std::string>();
  Locked e(r, 3);
  out.alert_id = alert_id;
  tx.exec_params(kMarkFired, timer_id);
  if (!e.Live()) return out;
  auto net = FindNetworkById(tx, e.network_id);
  if (!net) return out;
  if (kind == "reminder" || kind == "backup") {
    FireRecipientTimer(tx, alerts, *net, alert_id, kind, e, out);
  } else if (kind == "tree") {
    MoveTrees(tx, alerts, *net, alert_id, out);
    out.what = "trees moved";
  } else if (e.state == "running" && e.step == timer_step &&
             e.step + 1 < static_cast<int>(e.policy.steps.size())) {
    FireStep(tx, alerts, *net, alert_id, e, out);
  }
  return out;
}

EscalationOutcome CheckGoal(pqxx::work& tx, AlertService& alerts, std::int64_t alert_id, bool failures) {
  EscalationOutcome out;
  out.alert_id = alert_id;
  auto rows = tx.exec_params(kLockEscalation, alert_id);
  if (rows.empty()) return out;
  // An exhausted escalation still watches its last step's goal (for the stand-down).
  Locked e(rows[0], 0);
  if (!e.Live() || e.step >= static_cast<int>(e.policy.steps.size())) return out;
  auto net = FindNetworkById(tx, e.network_id);
  if (!net) return out;
  if (failures && EffectiveBackupAfterMs(e.policy) &&
      alerts.CallBackups(tx, *net, alert_id, std::nullopt, nullptr) > 0) {
    out.network_id = net->id;
  }
  if (UsesTrees(e.policy)) MoveTrees(tx, alerts, *net, alert_id, out);
  if (StepGoalMet(tx, e.policy.steps[e.step], alert_id)) GoalMet(tx, alerts, *net, alert_id, e.policy, out);
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
