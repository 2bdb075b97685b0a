// The generated scenarios of the escalation rules tests (escalation_rules_sim.h): Generate, and
// Sim's model of the alert and its run (outside events and deadlines in due order, each trigger
// put to Decide and checked). Applying Decide's actions and the checks over a finished run are in
// escalation_rules_sim_checks.cc.
#include "tests/dispatch/escalation_rules_sim.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace tocsin::test::escalation_sim {
namespace {

std::int64_t Uniform(std::mt19937& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

bool Chance(std::mt19937& rng, double p) { return std::bernoulli_distribution(p)(rng); }

template <typename T>
T Pick(std::mt19937& rng, std::initializer_list<T> items) {
  return items.begin()[Uniform(rng, 0, static_cast<std::int64_t>(items.size()) - 1)];
}

std::string Secs(std::int64_t s) { return "\"" + std::to_string(s) + "s\""; }

}  // namespace

SimScenario Generate(std::uint32_t seed) {
  std::mt19937 rng(seed);
  SimScenario s;
  // A random valid policy: 1-3 steps, waits 1-10 min (every step but the last; sometimes the last
  // too), optional until.going, optional reminder and backup, optional stand-down.
  auto steps = static_cast<int>(Uniform(rng, 1, 3));
  std::ostringstream p;
  p << R"({"steps": [)";
  const char* audiences[] = {R"({"areas": "alert"})", R"({"areas": "neighbours"})",
                             R"({"roles": ["coordinator"]})"};
  for (int i = 0; i < steps; ++i) {
    p << (i ? ", " : "") << R"({"audience": )" << audiences[i] << R"(, "channel": "sms")";
    if (i + 1 < steps || Chance(rng, 0.3)) p << R"(, "wait": ")" << Uniform(rng, 1, 10) << "m\"";
    if (Chance(rng, 0.6)) p << R"(, "until": {"going": )" << Uniform(rng, 1, 6) << "}";
    p << "}";
  }
  p << "]";
  std::optional<std::int64_t> reminder;
  if (Chance(rng, 0.65)) {
    reminder = Pick<std::int64_t>(rng, {30, 60, 120, 180, 300});
    p << R"(, "reminder": {"after": )" << Secs(*reminder) << "}";
  }
  if (Chance(rng, 0.5)) {
    auto backup = reminder ? *reminder + Pick<std::int64_t>(rng, {30, 60, 120, 240})
                           : Pick<std::int64_t>(rng, {60, 120, 240});
    p << R"(, "backup": {"after": )" << Secs(backup) << "}";
  }
  if (Chance(rng, 0.5)) p << R"(, "stand_down": true)";
  p << "}";
  s.policy_text = p.str();
  auto parsed = ParsePolicyText(s.policy_text);
  if (parsed.ok()) s.policy = parsed.value();  // else the caller fails on the empty policy

  s.start_ms = kNow + Uniform(rng, 0, 1000 * kMinute);
  auto n = Uniform(rng, 1, 20);
  for (std::int64_t i = 0; i < n; ++i) {
    SimPerson m;
    m.delivery_id = 101 + i;
    m.step = static_cast<int>(Uniform(rng, 0, steps - 1));
    m.sending = Chance(rng, 0.3);
    // Mostly a quick send; some wait in a slow queue, a few longer than any reminder delay.
    auto speed = Uniform(rng, 0, 9);
    m.latency = speed < 7   ? Uniform(rng, 0, 60 * kSecond)
                : speed < 9 ? Uniform(rng, kMinute, 5 * kMinute)
                            : Uniform(rng, 5 * kMinute, 15 * kMinute);
    m.silent_failure = Chance(rng, 0.3);
    if (Chance(rng, 0.12)) {
      m.fails = Chance(rng, 0.5) ? DeliveryState::kFailed : DeliveryState::kUndelivered;
    } else {
      if (Chance(rng, 0.06)) m.late_fail = Uniform(rng, 10 * kSecond, 5 * kMinute);
      if (Chance(rng, 0.6)) {
        m.answer_after = Uniform(rng, 0, 12 * kMinute);
        m.going = Chance(rng, 0.6);
      }
    }
    if (Chance(rng, 0.12)) m.stop_at = s.start_ms + Uniform(rng, 0, 20 * kMinute);
    m.has_backup = Chance(rng, 0.5);
    s.people.push_back(m);
  }
  if (Chance(rng, 0.35)) {
    s.end_at = s.start_ms + Uniform(rng, 0, 40 * kMinute);
    s.end = Pick(rng, {AlertEnd::kStore, AlertEnd::kClosedOnly, AlertEnd::kStoppedOnly});
  }
  s.replay_step_deadlines = Chance(rng, 0.2);
  return s;
}

Sim::Sim(const SimScenario& s, std::uint32_t seed)
    : s_(s), p_(s.policy), people_(s.people), rng_(seed ^ 0x9e3779b9u), now_(s.start_ms) {
  e_ = Escalation{p_, 0, StartState(p_), true};
}

void Sim::Run(SimTotals& totals) {
  for (std::size_t i = 0; i < people_.size(); ++i) {
    if (people_[i].stop_at != kNever) events_.emplace(people_[i].stop_at, Ext{Ext::kStop, i});
  }
  if (s_.end != AlertEnd::kStaysOpen) events_.emplace(s_.end_at, Ext{Ext::kEnd, 0});
  Call(Trigger::kStart, 0, {});
  int iterations = 0;
  constexpr int kMaxIterations = 20000;
  while ((!events_.empty() || !deadlines_.empty()) && ++iterations < kMaxIterations) {
    // Outside events first at equal times: a deadline sees what happened at its instant.
    bool ext = !events_.empty() &&
               (deadlines_.empty() || events_.begin()->first <= deadlines_.begin()->first);
    auto t = ext ? events_.begin()->first : deadlines_.begin()->first;
    Expect(t >= now_, "the clock went back");
    now_ = t;
    if (ext) {
      auto ev = events_.begin()->second;
      events_.erase(events_.begin());
      Happen(ev);
    } else {
      auto d = deadlines_.begin()->second;
      deadlines_.erase(deadlines_.begin());
      Fire(d);
    }
  }
  Expect(iterations < kMaxIterations, "still running after " + std::to_string(iterations) +
                                          " events: a deadline that never stops re-arming");
  Finish(totals);
}

// The model.
std::int64_t Sim::Elapsed() const { return now_ - s_.start_ms; }

void Sim::Expect(bool ok, const std::string& what) {
  if (!ok && failures.size() < 8)
    failures.push_back("t=+" + std::to_string(Elapsed()) + "ms: " + what);
}

std::string Sim::Name(std::size_t i) const {
  return "delivery " + std::to_string(people_[i].delivery_id);
}

SimPerson* Sim::Find(std::int64_t delivery_id) {
  for (auto& m : people_) {
    if (m.delivery_id == delivery_id) return &m;
  }
  return nullptr;
}

std::int64_t Sim::Wait(int step) const {
  return p_.steps[static_cast<std::size_t>(step)].wait_ms.value_or(0);
}

int Sim::Last() const { return static_cast<int>(p_.steps.size()) - 1; }

std::optional<std::int64_t> Sim::Delay(DeadlineKind k) const {
  return k == DeadlineKind::kReminder ? p_.reminder_after_ms : EffectiveBackupAfterMs(p_);
}

bool Sim::GoalMetNow(int step) const {
  const auto& until = p_.steps[static_cast<std::size_t>(step)].until_going;
  return until && going_ >= *until;
}

bool Sim::StepDeadlineMeetsGoal(int step) const {
  return GoalMetNow(step) || (step < Last() && GoalMetNow(step + 1));
}

std::int64_t Sim::PendingOf(DeadlineKind k) const {
  return std::count_if(deadlines_.begin(), deadlines_.end(),
                       [&](const auto& kv) { return kv.second.d.kind == k; });
}

Deadlines Sim::StartedStepDeadlines(int step) const {
  Deadlines want;
  if (step < Last() && p_.steps[static_cast<std::size_t>(step)].wait_ms)
    want.push_back({DeadlineKind::kStep, step, now_ + Wait(step)});
  for (auto kind : {DeadlineKind::kReminder, DeadlineKind::kBackup}) {
    auto delay = Delay(kind);
    if (delay && PendingOf(kind) == 0) want.push_back({kind, 0, now_ + *delay});
  }
  return want;
}

Deadlines Sim::Ordered(Deadlines ds) {
  std::sort(ds.begin(), ds.end(), [](const Deadline& a, const Deadline& b) {
    return std::tie(a.kind, a.step, a.due_ms) < std::tie(b.kind, b.step, b.due_ms);
  });
  return ds;
}

EscalationFacts Sim::GoalFacts() const {
  EscalationFacts f;
  f.going = going_;
  return f;
}

EscalationFacts Sim::StepFacts() const {
  auto f = GoalFacts();
  f.reminder_pending = PendingOf(DeadlineKind::kReminder) > 0;
  f.backup_pending = PendingOf(DeadlineKind::kBackup) > 0;
  return f;
}

EscalationFacts Sim::Owed(Trigger t) {
  EscalationFacts f;
  for (const auto& m : people_) {
    if (!m.created || m.answered_at) continue;
    bool owed = t == Trigger::kReminderDeadline
                    ? !m.reminded_at && m.active && (IsUnsent(m.state) || IsReached(m.state))
                : t == Trigger::kBackupDeadline
                    ? !m.backed_up_at && m.has_backup &&
                          (IsUnsent(m.state) || IsReached(m.state) || IsFailed(m.state))
                    : !m.backed_up_at && m.has_backup && IsFailed(m.state);
    if (owed)
      f.recipients.push_back({m.delivery_id, m.state, m.reached_ms, m.active, m.has_backup});
  }
  std::shuffle(f.recipients.begin(), f.recipients.end(), rng_);  // the store's order is none
  return f;
}

// The run.
void Sim::Happen(const Ext& ev) {
  auto& m = people_[ev.person];
  switch (ev.kind) {
    case Ext::kSend:
      m.left_unsent_at = now_;
      if (m.fails) {
        m.state = *m.fails;
        m.failed_at = now_;
        if (!m.silent_failure) Failures();
      } else {
        m.state = Chance(rng_, 0.5) ? DeliveryState::kSent : DeliveryState::kDelivered;
        m.reached_ms = now_;
        if (m.answer_after) events_.emplace(now_ + *m.answer_after, Ext{Ext::kAnswer, ev.person});
        if (m.late_fail) events_.emplace(now_ + *m.late_fail, Ext{Ext::kLateFail, ev.person});
      }
      return;
    case Ext::kLateFail:
      m.state = DeliveryState::kUndelivered;
      m.failed_at = now_;
      if (!m.silent_failure) Failures();
      return;
    case Ext::kAnswer:
      m.answered_at = now_;
      if (m.going) ++going_;
      Call(Trigger::kAnswers, 0, GoalFacts());
      return;
    case Ext::kStop:
      m.active = false;
      return;
    case Ext::kEnd:
      ended_at_ = now_;
      if (s_.end != AlertEnd::kClosedOnly &&
          (e_.state == EscalationState::kRunning || e_.state == EscalationState::kExhausted)) {
        e_.state = EscalationState::kStopped;
      }
      if (s_.end != AlertEnd::kStoppedOnly) e_.alert_open = false;
      if (s_.end == AlertEnd::kStore) deadlines_.clear();
      trace.push_back("+" + std::to_string(Elapsed()) + " alert ended");
      return;
  }
}

void Sim::Failures() {
  Call(Trigger::kFailures, 0, Owed(Trigger::kFailures));
  Call(Trigger::kAnswers, 0, GoalFacts());
}

void Sim::Fire(const Pending& pd) {
  const auto& d = pd.d;
  Expect(now_ >= d.due_ms, "a deadline fired before its due time");
  Trigger t = d.kind == DeadlineKind::kStep       ? Trigger::kStepDeadline
              : d.kind == DeadlineKind::kReminder ? Trigger::kReminderDeadline
                                                  : Trigger::kBackupDeadline;
  bool live = e_.Live();
  ++fires_[static_cast<int>(d.kind)];
  if (live && !pd.replay) ++live_fires_[static_cast<int>(d.kind)];
  auto facts = t == Trigger::kStepDeadline ? StepFacts() : Owed(t);
  auto a = Call(t, d.step, facts);
  if (pd.replay) {
    Expect(Nothing(a), "a replayed step deadline did something: " + a.what);
  } else if (t == Trigger::kStepDeadline && s_.replay_step_deadlines) {
    deadlines_.emplace(now_ + Uniform(rng_, 1, 5 * kMinute), Pending{d, true});
  }
  if (live && t != Trigger::kStepDeadline && a.remind.empty() && a.call_backups.empty()) {
    ++empty_fires_;
  }
}

EscalationActions Sim::Call(Trigger t, int timer_step, const EscalationFacts& f) {
  bool live = e_.Live();
  auto a = Decide(e_, t, timer_step, f, now_);
  if (t != Trigger::kStart) {
    trace.push_back("+" + std::to_string(Elapsed()) + " trigger " +
                    std::to_string(static_cast<int>(t)) + " step " + std::to_string(e_.step) +
                    ": " + a.what);
  }
  if (t != Trigger::kStart && (!live || goal_met_at_ != kNever || ended_at_ != kNever)) {
    Expect(!live, "still live after the goal was met or the alert ended");
    Expect(Nothing(a), "an action after the goal was met or the alert ended: " + a.what);
    ++stale_calls_;
    return a;
  }
  if (t == Trigger::kReminderDeadline || t == Trigger::kBackupDeadline)
    CheckRecipientRule(t, f, a);
  if (t == Trigger::kFailures) {
    Ids failed;
    if (EffectiveBackupAfterMs(p_)) {
      for (const auto& r : f.recipients) failed.push_back(r.delivery_id);
    }
    Expect(Sorted(a.call_backups) == Sorted(failed), "not every failed delivery's backup called");
    Expect(a.deadlines.empty() && !a.new_state && a.remind.empty(), "a failure did more");
  }
  if (t == Trigger::kAnswers) {
    Expect(a.new_state.has_value() == GoalMetNow(e_.step),
           "answers: goal met is " + std::to_string(GoalMetNow(e_.step)));
  }
  if (t == Trigger::kStepDeadline) {
    Expect(f.reminder_pending == (PendingOf(DeadlineKind::kReminder) > 0) &&
               f.backup_pending == (PendingOf(DeadlineKind::kBackup) > 0),
           "a step deadline's facts do not say truly what is pending");
    bool current =
        e_.state == EscalationState::kRunning && timer_step == e_.step && e_.step < Last();
    Expect(current || Nothing(a), "a stale step deadline did something");
    if (current) {
      Expect(StepDeadlineMeetsGoal(e_.step) ? a.new_state == EscalationState::kGoalMet
                                            : a.start_step == e_.step + 1,
             "a step deadline neither met the goal (its step's or the next's) nor started "
             "the next step");
      if (StepDeadlineMeetsGoal(e_.step) && !GoalMetNow(e_.step)) ++next_goal_met_;
    }
  }
  if (a.start_step) {
    Expect(Ordered(a.deadlines) == Ordered(StartedStepDeadlines(*a.start_step)),
           "step " + std::to_string(*a.start_step) +
               " started without exactly its wait and a reminder (backup) chain if none was "
               "pending");
    for (auto kind : {DeadlineKind::kReminder, DeadlineKind::kBackup}) {
      if (!Delay(kind)) continue;
      if (PendingOf(kind) == 0) {
        ++want_chains_[static_cast<int>(kind)];
      } else {
        ++joined_chains_;  // the pending chain takes the new audience on
      }
    }
  } else if (t != Trigger::kReminderDeadline && t != Trigger::kBackupDeadline) {
    Expect(a.deadlines.empty(), "a deadline set though no step started");
  }
  Apply(t, a);
  return a;
}

}  // namespace tocsin::test::escalation_sim
