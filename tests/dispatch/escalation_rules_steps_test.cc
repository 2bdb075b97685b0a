// Tests of the escalation rules (dispatch/model/escalation_rules.h) that move an escalation from
// step to step and end it: one group of examples per numbered rule of the header (1-4 and 7).
// Reminders, backups and calls are in escalation_rules_recipients_test.cc; the generated
// scenarios in escalation_rules_generated_test.cc.
#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

#include "tests/dispatch/escalation_rules_fixture.h"

using namespace tocsin;

namespace {

// A tree step whose goal is the tree confirmed or 4 going, then the coordinators.
constexpr std::string_view kTreeSteps = R"({"steps": [
   {"audience": {"tree": "north"}, "wait": "5m", "until": {"confirmed": true, "going": 4}},
   {"audience": {"roles": ["coordinator"]}, "until": {"going": 6}}],
 "reminder": {"after": "1m"}})";

// Goals that shrink from step to step (4, 2, 1 going), so a later step's goal can be met before
// the step starts. Backup only: nobody is reminded.
constexpr std::string_view kShrinkingGoals = R"({"steps": [
   {"audience": {"areas": "alert"}, "wait": "5m", "until": {"going": 4}},
   {"audience": {"areas": "neighbours"}, "wait": "4m", "until": {"going": 2}},
   {"audience": {"roles": ["coordinator"]}, "until": {"going": 1}}],
 "backup": {"after": "3m"}, "stand_down": true})";

}  // namespace

// ---------------------------------------------------------------------------------------------
// Examples, rule by rule.

TEST_CASE("escalation rules: start sets step 0's wait, the reminder and the backup (rule 1)",
          "[escalation_rules]") {
  // raid: steps wait 3m and 5m, reminder after 2m, backup at twice that.
  auto raid = DefaultPolicy("raid");
  CHECK(StartState(raid) == EscalationState::kRunning);
  auto a = Decide(At(raid, 0), Trigger::kStart, 0, {}, kNow);
  CHECK(a.start_step == 0);
  CHECK(a.new_state == EscalationState::kRunning);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kStep, 0, kNow + 3 * kMinute},
                                 {DeadlineKind::kReminder, 0, kNow + 2 * kMinute},
                                 {DeadlineKind::kBackup, 0, kNow + 4 * kMinute}});
  CHECK_FALSE(a.cancel_deadlines);
  CHECK_FALSE(a.stand_down);
  CHECK(a.remind.empty());
  CHECK(a.call_backups.empty());
  CHECK(a.what == "step 0");

  // One step: exhausted from the start; its wait is no step deadline; only the backup is set.
  auto one = MustParse(kOneStep);
  CHECK(StartState(one) == EscalationState::kExhausted);
  a = Decide(At(one, 0, StartState(one)), Trigger::kStart, 0, {}, kNow);
  CHECK(a.start_step == 0);
  CHECK(a.new_state == EscalationState::kExhausted);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kBackup, 0, kNow + 3 * kMinute}});

  // "other": neither reminder nor backup, so only the step deadline.
  auto other = DefaultPolicy("other");
  a = Decide(At(other, 0), Trigger::kStart, 0, {}, kNow);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kStep, 0, kNow + 10 * kMinute}});
}

TEST_CASE("escalation rules: a step deadline starts the next step; the last one exhausts (rule 2)",
          "[escalation_rules]") {
  // Every step started sets, besides its own wait, a reminder and a backup deadline for its
  // audience (step 0 in the deadline), as the start does for step 0, unless a deadline of that
  // kind is pending (the store says so in reminder_pending / backup_pending): that one finds
  // the new audience when it fires (rule 6). The facts below have none pending.
  auto raid = DefaultPolicy("raid");  // waits 3m and 5m, reminder after 2m, backup after 4m
  // Step 0's goal (5 going) not met, nor step 1's (5): step 1 starts with its own 5m deadline,
  // still running.
  auto a = Decide(At(raid, 0), Trigger::kStepDeadline, 0, Going(4), kNow);
  CHECK(a.start_step == 1);
  CHECK_FALSE(a.new_state.has_value());
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kStep, 1, kNow + 5 * kMinute},
                                 {DeadlineKind::kReminder, 0, kNow + 2 * kMinute},
                                 {DeadlineKind::kBackup, 0, kNow + 4 * kMinute}});
  CHECK_FALSE(a.cancel_deadlines);
  CHECK_FALSE(a.stand_down);
  CHECK(a.remind.empty());
  CHECK(a.call_backups.empty());
  CHECK(a.what == "step 1");

  // Step 1 -> step 2, the last (no goal): exhausted; no step deadline, but its audience's
  // reminder and backup deadlines.
  a = Decide(At(raid, 1), Trigger::kStepDeadline, 1, Going(0), kNow);
  CHECK(a.start_step == 2);
  CHECK(a.new_state == EscalationState::kExhausted);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kReminder, 0, kNow + 2 * kMinute},
                                 {DeadlineKind::kBackup, 0, kNow + 4 * kMinute}});
  CHECK(a.what == "step 2");

  // Two steps: the first deadline exhausts. detention: reminder after 5m, backup at twice that.
  a = Decide(At(DefaultPolicy("detention"), 0), Trigger::kStepDeadline, 0, Going(2), kNow);
  CHECK(a.start_step == 1);
  CHECK(a.new_state == EscalationState::kExhausted);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kReminder, 0, kNow + 5 * kMinute},
                                 {DeadlineKind::kBackup, 0, kNow + 10 * kMinute}});

  // A tree step (not confirmed, 3 of 4 going) -> the coordinators: reminder after 1m, the
  // backup at twice that.
  auto tree = MustParse(kTreeSteps);
  a = Decide(At(tree, 0), Trigger::kStepDeadline, 0, Going(3), kNow);
  CHECK(a.start_step == 1);
  CHECK(a.new_state == EscalationState::kExhausted);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kReminder, 0, kNow + kMinute},
                                 {DeadlineKind::kBackup, 0, kNow + 2 * kMinute}});

  // Backup only: the step deadline and the backup deadline, no reminder.
  auto shrinking = MustParse(kShrinkingGoals);
  a = Decide(At(shrinking, 0), Trigger::kStepDeadline, 0, Going(0), kNow);
  CHECK(a.start_step == 1);
  CHECK_FALSE(a.new_state.has_value());
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kStep, 1, kNow + 4 * kMinute},
                                 {DeadlineKind::kBackup, 0, kNow + 3 * kMinute}});

  // "other": neither reminder nor backup, and the last step has no wait: no deadline at all.
  a = Decide(At(DefaultPolicy("other"), 0), Trigger::kStepDeadline, 0, Going(100), kNow);
  CHECK(a.start_step == 1);
  CHECK(a.new_state == EscalationState::kExhausted);
  CHECK(a.deadlines.empty());
}

TEST_CASE("escalation rules: a step started sets a chain only of a kind not pending (rule 2)",
          "[escalation_rules]") {
  auto raid = DefaultPolicy("raid");  // waits 3m and 5m, reminder after 2m, backup after 4m
  auto pending = [](bool reminder, bool backup) {
    auto f = Going(0);
    f.reminder_pending = reminder;
    f.backup_pending = backup;
    return f;
  };
  const Deadline step1{DeadlineKind::kStep, 1, kNow + 5 * kMinute};
  const Deadline reminder{DeadlineKind::kReminder, 0, kNow + 2 * kMinute};
  const Deadline backup{DeadlineKind::kBackup, 0, kNow + 4 * kMinute};
  struct Case {
    bool reminder_pending, backup_pending;
    Deadlines want;
  };
  for (const auto& c : std::vector<Case>{
           {false, false, {step1, reminder, backup}},
           {true, false, {step1, backup}},
           {false, true, {step1, reminder}},
           {true, true, {step1}},
       }) {
    INFO("reminder pending " << c.reminder_pending << ", backup pending " << c.backup_pending);
    auto a = Decide(At(raid, 0), Trigger::kStepDeadline, 0,
                    pending(c.reminder_pending, c.backup_pending), kNow);
    // The step starts all the same; only the chains differ.
    CHECK(a.start_step == 1);
    CHECK_FALSE(a.new_state.has_value());
    CHECK(a.deadlines == c.want);
    CHECK(a.what == "step 1");
  }
  // The last step: exhausted whatever is pending; with both pending, no deadline at all.
  auto a = Decide(At(raid, 1), Trigger::kStepDeadline, 1, pending(true, true), kNow);
  CHECK(a.start_step == 2);
  CHECK(a.new_state == EscalationState::kExhausted);
  CHECK(a.deadlines.empty());
  a = Decide(At(raid, 1), Trigger::kStepDeadline, 1, pending(true, false), kNow);
  CHECK(a.deadlines == Deadlines{backup});
  // A pending flag of a kind the policy does not have changes nothing. Backup only:
  a = Decide(At(MustParse(kShrinkingGoals), 0), Trigger::kStepDeadline, 0, pending(true, false),
             kNow);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kStep, 1, kNow + 4 * kMinute},
                                 {DeadlineKind::kBackup, 0, kNow + 3 * kMinute}});
  a = Decide(At(MustParse(kShrinkingGoals), 0), Trigger::kStepDeadline, 0, pending(false, true),
             kNow);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kStep, 1, kNow + 4 * kMinute}});
  // The flags never turn a met goal into a step start, nor the reverse.
  auto met = pending(true, true);
  met.going = 5;
  a = Decide(At(raid, 0), Trigger::kStepDeadline, 0, met, kNow);
  CHECK(a.new_state == EscalationState::kGoalMet);
  CHECK_FALSE(a.start_step.has_value());
  CHECK(a.deadlines.empty());
  // Only step deadlines read them: the start sets both chains (nothing can be pending yet) ...
  a = Decide(At(raid, 0), Trigger::kStart, 0, pending(true, true), kNow);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kStep, 0, kNow + 3 * kMinute}, reminder, backup});
  // ... and a stale step deadline still does nothing.
  CHECK(Nothing(Decide(At(raid, 1), Trigger::kStepDeadline, 0, pending(false, false), kNow)));
}

TEST_CASE("escalation rules: a stale step deadline does nothing (rule 2)", "[escalation_rules]") {
  auto raid = DefaultPolicy("raid");
  // Facts that would meet any goal: a stale deadline still does nothing.
  auto met = Going(100);
  struct Case {
    const char* name;
    Escalation e;
    int timer_step;
  };
  for (const auto& c : std::vector<Case>{
           {"an earlier step's", At(raid, 1), 0},
           {"a later step's", At(raid, 0), 1},
           {"the last step's", At(raid, 2, EscalationState::kExhausted), 2},
           {"on an exhausted escalation", At(raid, 1, EscalationState::kExhausted), 1},
           {"after the goal was met", At(raid, 0, EscalationState::kGoalMet), 0},
           {"after a stop", At(raid, 0, EscalationState::kStopped), 0},
           {"on a closed alert", At(raid, 0, EscalationState::kRunning, false), 0},
       }) {
    INFO(c.name);
    for (const auto& f : {met, Going(0)}) {
      auto a = Decide(c.e, Trigger::kStepDeadline, c.timer_step, f, kNow);
      CHECK(Nothing(a));
      CHECK(a.what == "stale");
    }
  }
}

TEST_CASE("escalation rules: the goal met on a step deadline and on answers (rules 2-4)",
          "[escalation_rules]") {
  auto raid = DefaultPolicy("raid");            // stand_down: true
  auto detention = DefaultPolicy("detention");  // stand_down: false, step 0 until 3 going

  SECTION("on a step deadline: no next step, every deadline cancelled, the stand-down") {
    auto a = Decide(At(raid, 0), Trigger::kStepDeadline, 0, Going(5), kNow);
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK(a.cancel_deadlines);
    CHECK(a.stand_down);
    CHECK_FALSE(a.start_step.has_value());
    CHECK(a.deadlines.empty());
    CHECK(a.what == "goal_met");
    // `going` counts over all steps so far: met on step 1 as well.
    a = Decide(At(raid, 1), Trigger::kStepDeadline, 1, Going(7), kNow);
    CHECK(a.new_state == EscalationState::kGoalMet);
  }

  SECTION("on a step deadline: the next step's goal already met, so it is not started") {
    // `going` counts over all steps so far, so the next step's goal may be met before the step
    // starts: its audience is not contacted and the escalation ends as on its own goal.
    auto shrinking = MustParse(kShrinkingGoals);  // 4, 2, 1 going; stand_down: true
    // 2 going at step 0's deadline: step 0's goal (4) is not met, step 1's (2) is.
    auto a = Decide(At(shrinking, 0), Trigger::kStepDeadline, 0, Going(2), kNow);
    CHECK_FALSE(a.start_step.has_value());
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK(a.cancel_deadlines);
    CHECK(a.stand_down);
    CHECK(a.deadlines.empty());
    CHECK(a.remind.empty());
    CHECK(a.call_backups.empty());
    CHECK(a.what == "goal_met");
    // Only the next step's goal counts: with 1 going, step 2's goal (1) is met but step 1's (2)
    // is not, so step 1 starts, with its step and backup deadlines.
    a = Decide(At(shrinking, 0), Trigger::kStepDeadline, 0, Going(1), kNow);
    CHECK(a.start_step == 1);
    CHECK_FALSE(a.new_state.has_value());
    CHECK(a.deadlines == Deadlines{{DeadlineKind::kStep, 1, kNow + 4 * kMinute},
                                   {DeadlineKind::kBackup, 0, kNow + 3 * kMinute}});
    // The last step is not started either when its goal is met: goal met, not exhausted ...
    a = Decide(At(shrinking, 1), Trigger::kStepDeadline, 1, Going(1), kNow);
    CHECK_FALSE(a.start_step.has_value());
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK(a.cancel_deadlines);
    CHECK(a.deadlines.empty());
    CHECK(a.what == "goal_met");
    // ... and it is, exhausting the escalation, with neither goal met.
    a = Decide(At(shrinking, 1), Trigger::kStepDeadline, 1, Going(0), kNow);
    CHECK(a.start_step == 2);
    CHECK(a.new_state == EscalationState::kExhausted);
    CHECK(a.deadlines == Deadlines{{DeadlineKind::kBackup, 0, kNow + 3 * kMinute}});
    // The stand-down is the policy's (rule 4).
    auto quiet = MustParse(R"({"steps": [
       {"audience": {"areas": "alert"}, "wait": "5m", "until": {"going": 3}},
       {"audience": {"roles": ["coordinator"]}, "until": {"going": 1}}]})");
    a = Decide(At(quiet, 0), Trigger::kStepDeadline, 0, Going(1), kNow);
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK(a.cancel_deadlines);
    CHECK_FALSE(a.stand_down);
    CHECK_FALSE(a.start_step.has_value());
  }

  SECTION("on answers: one short of the goal is only checked; the goal ends it") {
    auto a = Decide(At(raid, 0), Trigger::kAnswers, 0, Going(4), kNow);
    CHECK(Nothing(a));
    CHECK(a.what == "checked");
    a = Decide(At(raid, 0), Trigger::kAnswers, 0, Going(5), kNow);
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK(a.cancel_deadlines);
    CHECK(a.stand_down);
    CHECK(a.deadlines.empty());
    CHECK(a.remind.empty());
  }

  SECTION("the stand-down only when the policy asks (rule 4)") {
    auto a = Decide(At(detention, 0), Trigger::kAnswers, 0, Going(3), kNow);
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK(a.cancel_deadlines);
    CHECK_FALSE(a.stand_down);
    a = Decide(At(detention, 0), Trigger::kStepDeadline, 0, Going(3), kNow);
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK_FALSE(a.stand_down);
  }

  SECTION("an exhausted escalation still watches its last step's goal") {
    auto tree = MustParse(kTreeSteps);  // step 1 (last) until 6 going
    CHECK(Decide(At(tree, 1, EscalationState::kExhausted), Trigger::kAnswers, 0, Going(5), kNow)
              .what == "checked");
    auto a = Decide(At(tree, 1, EscalationState::kExhausted), Trigger::kAnswers, 0, Going(6), kNow);
    CHECK(a.new_state == EscalationState::kGoalMet);
    // A last step without a goal is never met.
    a = Decide(At(raid, 2, EscalationState::kExhausted), Trigger::kAnswers, 0, Going(1000), kNow);
    CHECK(Nothing(a));
  }

  SECTION("until.confirmed: the tree confirmed meets it; so does either key alone") {
    auto tree = MustParse(kTreeSteps);
    CHECK(At(tree, 0).UsesTrees());
    CHECK_FALSE(At(raid, 0).UsesTrees());
    EscalationFacts confirmed;
    confirmed.tree_confirmed = true;
    CHECK(StepGoalMet(tree, 0, confirmed));
    CHECK(StepGoalMet(tree, 0, Going(4)));
    CHECK_FALSE(StepGoalMet(tree, 0, Going(3)));
    CHECK_FALSE(StepGoalMet(tree, 1, confirmed));   // step 1 has no tree
    CHECK_FALSE(StepGoalMet(tree, 2, Going(100)));  // no such step
    CHECK_FALSE(StepGoalMet(tree, -1, Going(100)));
    auto a = Decide(At(tree, 0), Trigger::kAnswers, 0, confirmed, kNow);
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK_FALSE(a.stand_down);
    a = Decide(At(tree, 0), Trigger::kStepDeadline, 0, confirmed, kNow);
    CHECK(a.new_state == EscalationState::kGoalMet);
    CHECK_FALSE(a.start_step.has_value());
    CHECK(Decide(At(tree, 0), Trigger::kAnswers, 0, Going(3), kNow).what == "checked");
  }
}

TEST_CASE("escalation rules: nothing moves after the goal was met or the alert ended (rule 7)",
          "[escalation_rules]") {
  auto raid = DefaultPolicy("raid");
  auto due = With({Reached(1, kNow - 10 * kMinute), InState(2, DeliveryState::kFailed),
                   InState(3, DeliveryState::kQueued)});
  due.going = 100;
  for (const auto& e :
       {At(raid, 0, EscalationState::kGoalMet), At(raid, 0, EscalationState::kStopped),
        At(raid, 0, EscalationState::kRunning, false),
        At(raid, 2, EscalationState::kExhausted, false)}) {
    INFO("state " << EscalationStateName(e.state) << ", alert open " << e.alert_open);
    CHECK_FALSE(e.Live());
    for (auto t : {Trigger::kStepDeadline, Trigger::kReminderDeadline, Trigger::kBackupDeadline,
                   Trigger::kAnswers, Trigger::kFailures}) {
      INFO("trigger " << static_cast<int>(t));
      auto a = Decide(e, t, e.step, due, kNow);
      CHECK(Nothing(a));
      CHECK(a.what == "stale");
    }
  }
  CHECK(At(raid, 2, EscalationState::kExhausted).Live());
  CHECK(At(raid, 0).Live());
}

TEST_CASE("escalation rules: state and deadline kind names round-trip", "[escalation_rules]") {
  for (auto s : {EscalationState::kRunning, EscalationState::kGoalMet, EscalationState::kExhausted,
                 EscalationState::kStopped}) {
    CHECK(ParseEscalationState(EscalationStateName(s)) == s);
  }
  for (auto k :
       {DeadlineKind::kStep, DeadlineKind::kReminder, DeadlineKind::kBackup, DeadlineKind::kTree}) {
    CHECK(ParseDeadlineKind(DeadlineKindName(k)) == k);
  }
  CHECK_FALSE(ParseEscalationState("paused").has_value());
  CHECK_FALSE(ParseDeadlineKind("").has_value());
}
