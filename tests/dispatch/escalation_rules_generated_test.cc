// Tests of the escalation rules (dispatch/model/escalation_rules.h) over generated scenarios of
// one alert run against a fake clock (escalation_rules_sim.h), with invariants checked over every
// run, and regression tests for two bugs of rule 2 that walk examples and then count the
// generated runs where the bug would show. The examples rule by rule are in
// escalation_rules_steps_test.cc and escalation_rules_recipients_test.cc.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "tests/dispatch/escalation_rules_fixture.h"
#include "tests/dispatch/escalation_rules_sim.h"

using namespace tocsin;
using namespace tocsin::test::escalation_sim;

// ---------------------------------------------------------------------------------------------
// Generated scenarios: one alert, a random valid policy, 1-20 recipients, a fake clock.

TEST_CASE("escalation rules: generated scenarios keep the invariants", "[escalation_rules]") {
  auto totals = RunAll([](std::uint32_t seed, const SimScenario& s, const Sim& sim) {
    if (sim.failures.empty()) return;
    INFO("seed " << seed << ", policy " << s.policy_text << ", " << s.people.size()
                 << " recipients\n"
                 << Lines(sim.failures) << "trace:\n"
                 << Lines(sim.trace));
    CHECK(sim.failures.empty());
  });
  // The generator reaches every rule.
  INFO("runs " << totals.runs << ", goal met " << totals.goal_met << ", exhausted "
               << totals.exhausted << ", ended " << totals.ended << ", reminded " << totals.reminded
               << ", backups on failure " << totals.backups_on_failure << ", on deadline "
               << totals.backups_on_deadline << ", empty fires " << totals.empty_fires
               << ", clamped " << totals.clamped << ", unsent re-arms " << totals.unsent_rearms
               << ", stale calls " << totals.stale_calls << ", fires " << totals.fires << " (max "
               << totals.max_fires << "), ended on the next step's goal " << totals.next_goal_met
               << ", chains of later steps " << totals.later_chains
               << ", later steps taken on by a pending chain " << totals.joined_chains);
  CHECK(totals.runs == kSeeds);
  CHECK(totals.goal_met > 100);
  CHECK(totals.exhausted > 100);
  CHECK(totals.ended > 100);
  CHECK(totals.reminded > 1000);
  CHECK(totals.backups_on_failure > 50);
  CHECK(totals.backups_on_deadline > 500);
  CHECK(totals.empty_fires > 100);
  CHECK(totals.clamped > 10);
  CHECK(totals.unsent_rearms > 100);
  CHECK(totals.stale_calls > 100);
  CHECK(totals.next_goal_met > 50);
  CHECK(totals.later_chains > 500);   // later steps started with none of a kind pending
  CHECK(totals.joined_chains > 500);  // ... and with one pending, which takes them on
}

// ---------------------------------------------------------------------------------------------
// Regression tests for two bugs of rule 2, fixed in Decide: a step started by a step deadline
// set only its own step deadline, so once the reminder and backup chains of the start had run dry
// its audience was never reminded nor backed up (now it starts a chain of each kind none is
// pending of; a pending one takes the new audience on); and a step deadline checked only the
// ending step's goal, so a next step whose goal was already met started and left the escalation
// live on a met goal (now the next step's `going` goal counts; its tree, not started, cannot be
// confirmed). Each walks examples, then counts the generated runs where the bug would show.

namespace {

// Pending deadlines as the store holds them, for walking an escalation by hand.
class PendingDeadlines {
 public:
  void Apply(const EscalationActions& a) {
    if (a.cancel_deadlines) pending_.clear();
    pending_.insert(pending_.end(), a.deadlines.begin(), a.deadlines.end());
  }
  // Removes and returns the earliest pending deadline of kind `k`.
  Deadline Take(DeadlineKind k) {
    auto it = pending_.end();
    for (auto p = pending_.begin(); p != pending_.end(); ++p) {
      if (p->kind == k && (it == pending_.end() || p->due_ms < it->due_ms)) it = p;
    }
    REQUIRE(it != pending_.end());
    auto d = *it;
    pending_.erase(it);
    return d;
  }
  // `f` with reminder_pending and backup_pending as the store sets them on a step deadline.
  EscalationFacts OnStepDeadline(EscalationFacts f) const {
    auto any = [&](DeadlineKind k) {
      return std::any_of(pending_.begin(), pending_.end(),
                         [&](const Deadline& d) { return d.kind == k; });
    };
    f.reminder_pending = any(DeadlineKind::kReminder);
    f.backup_pending = any(DeadlineKind::kBackup);
    return f;
  }
  Deadlines All() const {
    auto all = pending_;
    std::sort(all.begin(), all.end(), [](const Deadline& a, const Deadline& b) {
      return std::tie(a.due_ms, a.kind, a.step) < std::tie(b.due_ms, b.kind, b.step);
    });
    return all;
  }

 private:
  Deadlines pending_;
};

}  // namespace

TEST_CASE("escalation rules: a later step's audience is reminded and backed up too (rule 2)",
          "[escalation_rules]") {
  // policy.h rule 5: per recipient, *inside every step*, one reminder after `reminder.after`.
  // raid: step 0 (the alert's own areas) waits 3m, reminder after 2m, backup after 4m.
  // Nobody is in the alert's own areas, the very case a wider step 1 is for.
  auto raid = DefaultPolicy("raid");
  PendingDeadlines pending;
  pending.Apply(Decide(At(raid, 0), Trigger::kStart, 0, {}, kNow));
  // +2m: the reminder deadline finds nobody pending and, by rule 6, is not re-armed.
  auto d = pending.Take(DeadlineKind::kReminder);
  CHECK(d.due_ms == kNow + 2 * kMinute);
  auto a = Decide(At(raid, 0), Trigger::kReminderDeadline, 0, With({}), d.due_ms);
  CHECK(a.deadlines.empty());
  pending.Apply(a);
  CHECK(pending.All() == Deadlines{{DeadlineKind::kStep, 0, kNow + 3 * kMinute},
                                   {DeadlineKind::kBackup, 0, kNow + 4 * kMinute}});
  // +3m: step 1 (the neighbours) starts. No reminder deadline is pending (the start's ran dry),
  // so it sets one for its audience; the start's backup deadline is still pending, so no second
  // backup chain: that one will find them (rule 6).
  d = pending.Take(DeadlineKind::kStep);
  const auto step1 = d.due_ms;
  auto facts = pending.OnStepDeadline(Going(0));
  CHECK_FALSE(facts.reminder_pending);
  CHECK(facts.backup_pending);
  a = Decide(At(raid, 0), Trigger::kStepDeadline, 0, facts, step1);
  REQUIRE(a.start_step == 1);
  pending.Apply(a);
  CHECK(pending.All() == Deadlines{{DeadlineKind::kBackup, 0, kNow + 4 * kMinute},
                                   {DeadlineKind::kReminder, 0, step1 + 2 * kMinute},
                                   {DeadlineKind::kStep, 1, step1 + 5 * kMinute}});
  // A neighbour is reached 10s later, so owed a reminder at step1 + 2m10s. The new reminder
  // deadline (step1 + 2m) finds them not yet due and re-arms for them ...
  auto neighbour = Reached(21, step1 + 10 * kSecond);
  d = pending.Take(DeadlineKind::kReminder);
  a = Decide(At(raid, 1), Trigger::kReminderDeadline, 0, With({neighbour}), d.due_ms);
  CHECK(a.remind.empty());
  REQUIRE(a.deadlines ==
          Deadlines{{DeadlineKind::kReminder, 0, step1 + 2 * kMinute + 10 * kSecond}});
  pending.Apply(a);
  // ... and that one reminds them, then (nobody left) ends.
  d = pending.Take(DeadlineKind::kReminder);
  a = Decide(At(raid, 1), Trigger::kReminderDeadline, 0, With({neighbour}), d.due_ms);
  CHECK(a.remind == Ids{21});
  CHECK(a.deadlines.empty());
  pending.Apply(a);
  // Their backup is due at step1 + 4m10s. The start's backup deadline (kNow + 4m, a minute
  // into step 1) finds them not yet due and re-arms for them; that one calls it.
  d = pending.Take(DeadlineKind::kBackup);
  CHECK(d.due_ms == kNow + 4 * kMinute);
  a = Decide(At(raid, 1), Trigger::kBackupDeadline, 0, With({neighbour}), d.due_ms);
  CHECK(a.call_backups.empty());
  REQUIRE(a.deadlines == Deadlines{{DeadlineKind::kBackup, 0, step1 + 4 * kMinute + 10 * kSecond}});
  pending.Apply(a);
  d = pending.Take(DeadlineKind::kBackup);
  a = Decide(At(raid, 1), Trigger::kBackupDeadline, 0, With({neighbour}), d.due_ms);
  CHECK(a.call_backups == Ids{21});
  CHECK(a.deadlines.empty());
  pending.Apply(a);
  CHECK(pending.All() == Deadlines{{DeadlineKind::kStep, 1, step1 + 5 * kMinute}});

  // The same over the generated scenarios: no recipient of a later step goes without a reminder
  // or a backup they stayed owed while the escalation was live.
  std::string first;
  auto totals = RunAll([&](std::uint32_t seed, const SimScenario& s, const Sim& sim) {
    if (first.empty() && !sim.later_step_misses.empty()) {
      first = "seed " + std::to_string(seed) + ", policy " + s.policy_text + "\n" +
              Lines(sim.later_step_misses) + "trace:\n" + Lines(sim.trace);
    }
  });
  INFO("runs with a later step's recipient never reminded or backed up: "
       << totals.later_step_misses << " of " << totals.runs << "; the first:\n"
       << first);
  CHECK(totals.later_step_misses == 0);
  // The generator starts later steps both ways: with a chain of their own (none of the kind
  // pending) and taken on by a pending one.
  CHECK(totals.later_chains > 500);
  CHECK(totals.joined_chains > 500);
}

TEST_CASE("escalation rules: a step whose goal is met before it starts ends the escalation",
          "[escalation_rules]") {
  // `going` counts over all steps so far (policy.h rule 2), so a step's goal may be met before
  // it starts. Rule 3 only runs on a new answer, so the step deadline must see it: else the
  // escalation would stay live on a met goal (reminders and backups going on, nobody stood
  // down) until someone else answered, if anyone did.
  auto p = MustParse(R"({"steps": [
     {"audience": {"areas": "alert"}, "wait": "5m", "until": {"going": 3}},
     {"audience": {"roles": ["coordinator"]}, "until": {"going": 1}}],
   "reminder": {"after": "2m"}, "stand_down": true})");
  // 2 going when step 0's wait ends: step 0's goal (3) is not met, step 1's (1) is. The
  // coordinators are not contacted; the escalation ends, its reminders with it.
  auto a = Decide(At(p, 0), Trigger::kStepDeadline, 0, Going(2), kNow);
  CHECK_FALSE(a.start_step.has_value());
  CHECK(a.new_state == EscalationState::kGoalMet);
  CHECK(a.cancel_deadlines);
  CHECK(a.stand_down);
  CHECK(a.deadlines.empty());
  CHECK(a.what == "goal_met");
  // Nobody going yet: step 1 starts (and exhausts), its goal still watched (rule 3).
  a = Decide(At(p, 0), Trigger::kStepDeadline, 0, Going(0), kNow);
  CHECK(a.start_step == 1);
  CHECK(a.new_state == EscalationState::kExhausted);
  CHECK(Decide(At(p, 1, EscalationState::kExhausted), Trigger::kAnswers, 0, Going(1), kNow)
            .new_state == EscalationState::kGoalMet);

  // Only the next step's `going` counts before it starts: `tree_confirmed` is the current step's
  // tree, and a tree not started cannot be confirmed. Here step 0's tree (north, whose goal is 4
  // going only) is confirmed at its deadline: that must not meet step 1's goal (south
  // confirmed), so step 1 starts and its tree is called.
  auto trees = MustParse(R"({"steps": [
     {"audience": {"tree": "north"}, "wait": "5m", "until": {"going": 4}},
     {"audience": {"tree": "south"}, "until": {"confirmed": true}}]})");
  EscalationFacts north_confirmed;
  north_confirmed.going = 0;
  north_confirmed.tree_confirmed = true;
  a = Decide(At(trees, 0), Trigger::kStepDeadline, 0, north_confirmed, kNow);
  CHECK(a.start_step == 1);
  CHECK(a.new_state == EscalationState::kExhausted);
  CHECK_FALSE(a.cancel_deadlines);
  CHECK(a.what == "step 1");
  // Once south has started, its own tree confirmed meets its goal (rule 3).
  a = Decide(At(trees, 1, EscalationState::kExhausted), Trigger::kAnswers, 0, north_confirmed,
             kNow);
  CHECK(a.new_state == EscalationState::kGoalMet);
  // A next tree step's `going` goal does count before it starts, the tree unconfirmed or not.
  auto trees_going = MustParse(R"({"steps": [
     {"audience": {"tree": "north"}, "wait": "5m", "until": {"going": 4}},
     {"audience": {"tree": "south"}, "until": {"confirmed": true, "going": 2}}]})");
  for (bool confirmed : {false, true}) {
    INFO("tree confirmed " << confirmed);
    auto f = Going(2);
    f.tree_confirmed = confirmed;
    a = Decide(At(trees_going, 0), Trigger::kStepDeadline, 0, f, kNow);
    CHECK_FALSE(a.start_step.has_value());
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK(a.what == "goal_met");
    f.going = 1;
    a = Decide(At(trees_going, 0), Trigger::kStepDeadline, 0, f, kNow);
    CHECK(a.start_step == 1);
    CHECK(a.new_state == EscalationState::kExhausted);
  }

  // The same over the generated scenarios: no run ends live on its current step's met goal.
  std::string first;
  auto totals = RunAll([&](std::uint32_t seed, const SimScenario& s, const Sim& sim) {
    if (first.empty() && !sim.unnoticed_goals.empty()) {
      first = "seed " + std::to_string(seed) + ", policy " + s.policy_text + "\n" +
              Lines(sim.unnoticed_goals) + "trace:\n" + Lines(sim.trace);
    }
  });
  INFO("runs ending live on a met goal: " << totals.unnoticed_goals << "; the first:\n" << first);
  CHECK(totals.unnoticed_goals == 0);
  CHECK(totals.next_goal_met > 50);  // step deadlines that ended on the next step's goal
}
