// Generated scenarios for the escalation rules tests (escalation_rules_generated_test.cc): one
// alert, a random valid policy, 1-20 recipients, a fake clock. Generate makes a seed's scenario;
// Sim runs it, asking Decide (dispatch/model/escalation_rules.h) what each trigger does, checking
// it against the rules and the model and applying it (escalation_rules_sim.cc, and for applying
// and the checks of a finished run escalation_rules_sim_checks.cc). Its parts are split over
// those files, so it has a namespace of its own rather than the tests' unnamed one.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/dispatch/escalation_rules_fixture.h"

namespace tocsin::test::escalation_sim {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

// One recipient of the alert message (one delivery) in a generated scenario.
struct SimPerson {
  // The scenario.
  std::int64_t delivery_id = 0;
  int step = 0;              // the step whose audience holds them
  bool sending = false;      // created `sending` rather than `queued`
  std::int64_t latency = 0;  // from their step's start until the provider took it or failed
  std::optional<DeliveryState> fails;        // failed/undelivered instead of sent
  bool silent_failure = false;               // no failure check follows (the deadline must do)
  std::optional<std::int64_t> late_fail;     // sent, then reported undelivered this long after
  std::optional<std::int64_t> answer_after;  // answers this long after it was sent
  bool going = false;                        // ... going (else cannot)
  std::int64_t stop_at = kNever;             // opts out (inactive from then on), absolute
  bool has_backup = false;
  // The model, as the store would hold it.
  bool created = false;
  std::int64_t created_at = 0;
  std::int64_t left_unsent_at = 0;  // sent or failed
  std::int64_t failed_at = kNever;
  DeliveryState state = DeliveryState::kQueued;
  std::int64_t reached_ms = 0;
  bool active = true;
  std::optional<std::int64_t> answered_at, reminded_at, backed_up_at;
};

// How the alert ends, if it does. kStore is what the store does (StopEscalation: a live
// escalation stops and its deadlines are cancelled); the other two leave the deadlines to fire,
// as a timer already in flight would, so Decide itself must turn them away (rule 7).
enum class AlertEnd { kStaysOpen, kStore, kClosedOnly, kStoppedOnly };

struct SimScenario {
  std::string policy_text;
  Policy policy;
  std::vector<SimPerson> people;
  std::int64_t start_ms = 0;
  std::int64_t end_at = kNever;
  AlertEnd end = AlertEnd::kStaysOpen;
  bool replay_step_deadlines = false;  // step deadlines fire again later (stale copies)
};

// The scenario of `seed`: a random valid policy (its text parses; else `policy` is empty, for the
// caller to fail on), the recipients, their sends, failures, answers and opt-outs, and the end.
SimScenario Generate(std::uint32_t seed);

// Totals over every run, to show the generator reaches each rule.
struct SimTotals {
  std::int64_t runs = 0, goal_met = 0, exhausted = 0, ended = 0, reminded = 0,
               backups_on_failure = 0, backups_on_deadline = 0, empty_fires = 0, clamped = 0,
               unsent_rearms = 0, stale_calls = 0, fires = 0, max_fires = 0, later_step_misses = 0,
               unnoticed_goals = 0, next_goal_met = 0, later_chains = 0, joined_chains = 0;
};

// Runs one scenario: holds the model the store would hold, fires deadlines in due order against a
// fake clock, asks Decide what each trigger does, checks it and applies it.
class Sim {
 public:
  Sim(const SimScenario& s, std::uint32_t seed);

  // Invariant violations, each with the time it happened (ms after the start).
  std::vector<std::string> failures;
  // The two bugs the regression tests at the end guard, also listed apart from `failures` (where
  // they are failures too) for those tests' reports: reminders or backups owed to recipients of
  // a later step that never came, and a goal met but not noticed at the end.
  std::vector<std::string> later_step_misses, unnoticed_goals;
  std::vector<std::string> trace;

  void Run(SimTotals& totals);

 private:
  struct Ext {
    enum Kind { kSend, kLateFail, kAnswer, kStop, kEnd } kind;
    std::size_t person = 0;
  };
  struct Pending {
    Deadline d;
    bool replay = false;
  };

  // The model (escalation_rules_sim.cc).
  std::int64_t Elapsed() const;
  void Expect(bool ok, const std::string& what);
  std::string Name(std::size_t i) const;
  SimPerson* Find(std::int64_t delivery_id);
  std::int64_t Wait(int step) const;
  int Last() const;
  std::optional<std::int64_t> Delay(DeadlineKind k) const;
  // The goal of `step`, from the model (no trees in these scenarios).
  bool GoalMetNow(int step) const;
  // Rule 2: on a step deadline of step k, the goal of k or already that of k + 1 ends it.
  bool StepDeadlineMeetsGoal(int step) const;
  // How many deadlines of kind `k` are pending (set, not yet fired nor cancelled).
  std::int64_t PendingOf(DeadlineKind k) const;
  // Rules 1 and 2: what starting `step` now sets, in any order: its wait if another step
  // follows, and a new reminder (backup) chain for its audience (step 0 in the deadline)
  // exactly when no reminder (backup) deadline is pending; a pending one finds the new
  // audience when it fires (rule 6). Read from the model before the actions are applied.
  Deadlines StartedStepDeadlines(int step) const;
  static Deadlines Ordered(Deadlines ds);
  // Facts as EscalationRunner and the store load them.
  EscalationFacts GoalFacts() const;
  // On a step deadline the store also says whether a reminder (backup) deadline is pending.
  EscalationFacts StepFacts() const;
  EscalationFacts Owed(Trigger t);

  // The run (escalation_rules_sim.cc).
  void Happen(const Ext& ev);
  // EscalationRunner::Check after a failure: backups of the failed ones, then the goal.
  void Failures();
  void Fire(const Pending& pd);
  // Asks Decide, checks what it says against the rules and the model, applies it.
  EscalationActions Call(Trigger t, int timer_step, const EscalationFacts& f);

  // The checks (escalation_rules_sim_checks.cc).
  // Rules 5 and 6, computed from the facts independently of Decide.
  void CheckRecipientRule(Trigger t, const EscalationFacts& f, const EscalationActions& a);
  void Apply(Trigger t, const EscalationActions& a);
  void Finish(SimTotals& totals);

  const SimScenario& s_;
  const Policy& p_;
  std::vector<SimPerson> people_;
  std::mt19937 rng_;
  std::int64_t now_;
  Escalation e_;
  std::int64_t going_ = 0;
  std::multimap<std::int64_t, Ext> events_;         // outside events, by time
  std::multimap<std::int64_t, Pending> deadlines_;  // pending deadlines, by due time
  std::vector<std::int64_t> started_at_;            // per step
  std::int64_t goal_met_at_ = kNever, ended_at_ = kNever;
  std::int64_t fires_[4] = {}, live_fires_[4] = {}, chains_[4] = {},  // by DeadlineKind
      want_chains_[4] = {};
  std::int64_t reminded_ = 0, backups_on_failure_ = 0, backups_on_deadline_ = 0, empty_fires_ = 0,
               clamped_ = 0, unsent_rearms_ = 0, stale_calls_ = 0, next_goal_met_ = 0,
               joined_chains_ = 0;
};

inline std::string Lines(const std::vector<std::string>& lines, std::size_t max = 40) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < max; ++i) out += lines[i] + "\n";
  return out;
}

inline constexpr std::uint32_t kSeeds = 2000;

// Runs the scenario of every seed; `each` sees the seed, the scenario and the finished run.
template <typename F>
SimTotals RunAll(F each) {
  SimTotals totals;
  for (std::uint32_t seed = 1; seed <= kSeeds; ++seed) {
    auto s = Generate(seed);
    INFO("seed " << seed << ", policy " << s.policy_text);
    REQUIRE(!s.policy.steps.empty());
    Sim sim(s, seed);
    sim.Run(totals);
    each(seed, s, sim);
  }
  return totals;
}

}  // namespace tocsin::test::escalation_sim
