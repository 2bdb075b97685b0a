// Tests of the escalation rules (dispatch/model/escalation_rules.h): one group of examples per
// numbered rule of the header, then generated scenarios of one alert run against a fake clock,
// with invariants checked over every run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "dispatch/model/escalation_rules.h"

using namespace tocsin;

namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kNow = 1'700'000'000'000;  // an engine clock reading (ms since the epoch)

using Ids = std::vector<std::int64_t>;
using Deadlines = std::vector<Deadline>;

// One step, no wait needed; its `wait` bounds nothing Decide sets (rule 1: a wait is a step
// deadline only when another step follows). Backup only: nobody is reminded.
constexpr std::string_view kOneStep = R"({"steps": [
   {"audience": {"roles": ["responder"]}, "wait": "5m", "until": {"going": 2}}],
 "backup": {"after": "3m"}})";

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

Policy MustParse(std::string_view text) {
  auto p = ParsePolicyText(text);
  INFO(std::string(text));
  REQUIRE(p.ok());
  return p.value();
}

Escalation At(const Policy& p, int step, EscalationState s = EscalationState::kRunning,
              bool alert_open = true) {
  return Escalation{p, step, s, alert_open};
}

PendingRecipient Reached(std::int64_t id, std::int64_t reached_ms, bool active = true,
                         bool has_backup = true) {
  return {id, DeliveryState::kDelivered, reached_ms, active, has_backup};
}

PendingRecipient InState(std::int64_t id, DeliveryState s, bool has_backup = true) {
  return {id, s, 0, true, has_backup};
}

EscalationFacts Going(std::int64_t n) {
  EscalationFacts f;
  f.going = n;
  return f;
}

EscalationFacts With(std::vector<PendingRecipient> recipients) {
  EscalationFacts f;
  f.recipients = std::move(recipients);
  return f;
}

// Whether `a` does nothing at all (what it says for the log aside).
bool Nothing(const EscalationActions& a) {
  return !a.start_step && !a.new_state && !a.cancel_deadlines && !a.stand_down &&
         a.remind.empty() && a.call_backups.empty() && a.call.empty() && a.deadlines.empty();
}

Ids Sorted(Ids ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Examples, rule by rule.

TEST_CASE("escalation rules: the call ladder calls the silent texted ones, each by their step's delay (rule 8)",
          "[escalation_rules]") {
  auto p = MustParse(R"({"steps": [
     {"audience": {"areas": "alert"}, "call_after": "2m", "wait": "5m"},
     {"audience": {"areas": "neighbours"}, "call_after": "3m"}]})");
  auto a = Decide(At(p, 0), Trigger::kStart, 0, {}, kNow);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kStep, 0, kNow + 5 * kMinute},
                                 {DeadlineKind::kCall, 0, kNow + 2 * kMinute}});
  // Step 1 starts: its own call deadline, unless one is pending.
  a = Decide(At(p, 0), Trigger::kStepDeadline, 0, {}, kNow + 5 * kMinute);
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kCall, 0, kNow + 8 * kMinute}});
  EscalationFacts pending;
  pending.call_pending = true;
  a = Decide(At(p, 0), Trigger::kStepDeadline, 0, pending, kNow + 5 * kMinute);
  CHECK(a.deadlines.empty());

  // At +2m: 1 was reached at 0 (2m ladder) -> called; 2 reached at 0 with a 3m ladder waits to
  // +3m; 3 is opted out (not called); 4 not sent yet -> 2m from now at most.
  auto late = Reached(2, kNow);
  late.call_after_ms = 3 * kMinute;
  auto first = Reached(1, kNow);
  first.call_after_ms = 2 * kMinute;
  auto out = Reached(3, kNow, false);
  out.call_after_ms = 2 * kMinute;
  auto unsent = InState(4, DeliveryState::kQueued);
  unsent.call_after_ms = 2 * kMinute;
  a = Decide(At(p, 0), Trigger::kCallDeadline, 0, With({first, late, out, unsent}), kNow + 2 * kMinute);
  CHECK(a.call == Ids{1});
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kCall, 0, kNow + 3 * kMinute}});
  CHECK(a.remind.empty());
  CHECK(a.call_backups.empty());
  CHECK(a.what == "called 1");
  // Nobody owed a call: no deadline re-armed; after the goal nothing moves.
  CHECK(Nothing(Decide(At(p, 0), Trigger::kCallDeadline, 0, {}, kNow)));
  CHECK(Nothing(Decide(At(p, 0, EscalationState::kGoalMet), Trigger::kCallDeadline, 0, With({first}), kNow + kMinute * 9)));
}

TEST_CASE("policy: call_after is read, written back, and refused off an sms step or on a tree", "[policy]") {
  auto p = MustParse(R"({"steps": [{"audience": {"areas": "alert"}, "call_after": "2m"}]})");
  CHECK(p.steps[0].call_after_ms == 2 * kMinute);
  auto again = ParsePolicy(PolicyToJson(p));
  REQUIRE(again.ok());
  CHECK(again.value() == p);
  for (const char* bad : {R"({"steps": [{"audience": {"areas": "alert"}, "channel": "voice", "call_after": "2m"}]})",
                          R"({"steps": [{"audience": {"tree": "north"}, "call_after": "2m"}]})",
                          R"({"steps": [{"audience": {"areas": "alert"}, "call_after": "2 minutes"}]})",
                          R"({"steps": [{"audience": {"areas": "alert"}, "call_after": 120}]})"}) {
    auto r = ParsePolicyText(bad);
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == "steps[0].call_after");
  }
}

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

TEST_CASE("escalation rules: a reminder is due exactly reminder.after after the delivery (rule 5)",
          "[escalation_rules]") {
  auto raid = DefaultPolicy("raid");  // reminder after 2m, backup after 4m
  auto e = At(raid, 0);
  // 1 was reached exactly 2m ago; 2 one millisecond later.
  auto a = Decide(e, Trigger::kReminderDeadline, 0,
                  With({Reached(1, kNow - 2 * kMinute), Reached(2, kNow - 2 * kMinute + 1)}), kNow);
  CHECK(a.remind == Ids{1});
  CHECK(a.call_backups.empty());
  // 2 is due in 1 ms, but a deadline is never re-armed sooner than kMinRearmMs (rule 6).
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kReminder, 0, kNow + kMinRearmMs}});
  CHECK(a.what == "reminded 1");
  CHECK_FALSE(a.new_state.has_value());

  // 1 ms before 2's due time: nothing; at it: reminded, and nobody is left, so no deadline.
  a = Decide(e, Trigger::kReminderDeadline, 0, With({Reached(2, kNow - 2 * kMinute + 1)}), kNow);
  CHECK(a.remind.empty());
  a = Decide(e, Trigger::kReminderDeadline, 0, With({Reached(2, kNow - 2 * kMinute + 1)}),
             kNow + 1);
  CHECK(a.remind == Ids{2});
  CHECK(a.deadlines.empty());

  // Reminders go on in an exhausted escalation (rule 7).
  a = Decide(At(raid, 2, EscalationState::kExhausted), Trigger::kReminderDeadline, 0,
             With({Reached(3, kNow - 5 * kMinute)}), kNow);
  CHECK(a.remind == Ids{3});
}

TEST_CASE("escalation rules: an opted-out member is not reminded, their backup is called (rule 5)",
          "[escalation_rules]") {
  auto raid = DefaultPolicy("raid");
  auto e = At(raid, 0);
  auto out = Reached(7, kNow - 10 * kMinute, /*active=*/false, /*has_backup=*/true);
  auto a = Decide(e, Trigger::kReminderDeadline, 0, With({out}), kNow);
  CHECK(a.remind.empty());
  CHECK(a.deadlines.empty());  // nobody pending for reminders
  a = Decide(e, Trigger::kBackupDeadline, 0, With({out}), kNow);
  CHECK(a.call_backups == Ids{7});
  CHECK(a.remind.empty());
  CHECK(a.deadlines.empty());
  CHECK(a.what == "backups called 1");
  // Not yet due for a backup: waited for, though opted out.
  a = Decide(e, Trigger::kBackupDeadline, 0,
             With({Reached(8, kNow - 3 * kMinute, /*active=*/false)}), kNow);
  CHECK(a.call_backups.empty());
  CHECK(a.deadlines == Deadlines{{DeadlineKind::kBackup, 0, kNow + kMinute}});
}

TEST_CASE(
    "escalation rules: failed deliveries call backups at once and at a backup deadline (rule 5)",
    "[escalation_rules]") {
  auto raid = DefaultPolicy("raid");
  auto e = At(raid, 0);

  SECTION("on the failure") {
    auto a =
        Decide(e, Trigger::kFailures, 0,
               With({InState(1, DeliveryState::kFailed), InState(2, DeliveryState::kUndelivered),
                     InState(3, DeliveryState::kFailed, /*has_backup=*/false),
                     Reached(4, kNow - 10 * kMinute)}),
               kNow);
    // At once, whatever the backup delay; reached ones wait for their deadline.
    CHECK(Sorted(a.call_backups) == Ids{1, 2});
    CHECK(a.deadlines.empty());
    CHECK(a.remind.empty());
    CHECK_FALSE(a.new_state.has_value());
    CHECK(a.what == "backups called 2");
  }

  SECTION("at a backup deadline") {
    auto a = Decide(e, Trigger::kBackupDeadline, 0,
                    With({InState(1, DeliveryState::kFailed), Reached(2, kNow - 4 * kMinute),
                          Reached(3, kNow - 4 * kMinute + 1), Reached(4, kNow - kMinute),
                          Reached(5, kNow - 10 * kMinute, true, /*has_backup=*/false)}),
                    kNow);
    CHECK(Sorted(a.call_backups) == Ids{1, 2});
    // 3 is due in 1 ms: re-armed kMinRearmMs from now, not sooner.
    CHECK(a.deadlines == Deadlines{{DeadlineKind::kBackup, 0, kNow + kMinRearmMs}});
    CHECK(a.remind.empty());
  }

  SECTION("a failed delivery is not reminded, nor waited for by the reminders") {
    auto a = Decide(
        e, Trigger::kReminderDeadline, 0,
        With({InState(1, DeliveryState::kFailed), InState(2, DeliveryState::kCancelled)}), kNow);
    CHECK(Nothing(a));
  }

  SECTION("a policy with neither reminder nor backup calls nobody") {
    auto other = At(DefaultPolicy("other"), 0);
    auto failed = With({InState(1, DeliveryState::kFailed), Reached(2, kNow - 60 * kMinute)});
    CHECK(Nothing(Decide(other, Trigger::kFailures, 0, failed, kNow)));
    CHECK(Nothing(Decide(other, Trigger::kBackupDeadline, 0, failed, kNow)));
    CHECK(Nothing(Decide(other, Trigger::kReminderDeadline, 0, failed, kNow)));
    // Backup only: nobody is reminded.
    auto one = MustParse(kOneStep);
    CHECK(Nothing(Decide(At(one, 0, EscalationState::kExhausted), Trigger::kReminderDeadline, 0,
                         failed, kNow)));
  }
}

TEST_CASE("escalation rules: the next deadline is for the earliest recipient pending (rule 6)",
          "[escalation_rules]") {
  auto raid = DefaultPolicy("raid");  // reminder after 2m, backup after 4m
  auto e = At(raid, 0);
  auto next = [&](Trigger t, std::vector<PendingRecipient> rs) {
    return Decide(e, t, 0, With(std::move(rs)), kNow).deadlines;
  };
  using DS = DeliveryState;
  constexpr auto kR = Trigger::kReminderDeadline;
  constexpr auto kB = Trigger::kBackupDeadline;

  SECTION("the earliest reached one, never sooner than kMinRearmMs from now") {
    CHECK(next(kR, {Reached(1, kNow - 30 * kSecond), Reached(2, kNow - 90 * kSecond)}) ==
          Deadlines{{DeadlineKind::kReminder, 0, kNow + 30 * kSecond}});
    CHECK(next(kR, {Reached(1, kNow - 2 * kMinute + 200)}) ==
          Deadlines{{DeadlineKind::kReminder, 0, kNow + kMinRearmMs}});
    CHECK(next(kR, {Reached(1, kNow - 2 * kMinute + kMinRearmMs + 1)}) ==
          Deadlines{{DeadlineKind::kReminder, 0, kNow + kMinRearmMs + 1}});
    CHECK(next(kB, {Reached(1, kNow - kMinute), Reached(2, kNow - 3 * kMinute)}) ==
          Deadlines{{DeadlineKind::kBackup, 0, kNow + kMinute}});
  }

  SECTION("not yet sent (queued, sending): now + the delay") {
    for (auto s : {DS::kQueued, DS::kSending}) {
      CHECK(next(kR, {InState(1, s)}) ==
            Deadlines{{DeadlineKind::kReminder, 0, kNow + 2 * kMinute}});
      CHECK(next(kB, {InState(1, s)}) == Deadlines{{DeadlineKind::kBackup, 0, kNow + 4 * kMinute}});
    }
    // The earliest of both kinds wins.
    CHECK(next(kR, {InState(1, DS::kQueued), Reached(2, kNow - kMinute)}) ==
          Deadlines{{DeadlineKind::kReminder, 0, kNow + kMinute}});
    CHECK(next(kR, {Reached(2, kNow + 0), InState(1, DS::kSending)}) ==
          Deadlines{{DeadlineKind::kReminder, 0, kNow + 2 * kMinute}});
  }

  SECTION("nobody pending: no deadline at all") {
    // Everyone answered (the store loads nobody).
    CHECK(next(kR, {}).empty());
    CHECK(next(kB, {}).empty());
    // Only opted-out members, for reminders; only members without a backup, for backups.
    CHECK(next(kR, {Reached(1, kNow - kMinute, false), InState(2, DS::kQueued)}).size() == 1);
    CHECK(next(kR, {Reached(1, kNow - kMinute, false), Reached(3, kNow, false)}).empty());
    CHECK(next(kB, {Reached(1, kNow - kMinute, true, false), InState(2, DS::kQueued, false)})
              .empty());
    // Everyone due now: done, and no deadline for nobody.
    auto a = Decide(e, kR, 0,
                    With({Reached(1, kNow - 2 * kMinute), Reached(2, kNow - 9 * kMinute)}), kNow);
    CHECK(Sorted(a.remind) == Ids{1, 2});
    CHECK(a.deadlines.empty());
    a = Decide(e, kB, 0, With({Reached(1, kNow - 4 * kMinute), InState(2, DS::kUndelivered)}),
               kNow);
    CHECK(Sorted(a.call_backups) == Ids{1, 2});
    CHECK(a.deadlines.empty());
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

// ---------------------------------------------------------------------------------------------
// Generated scenarios: one alert, a random valid policy, 1-20 recipients, a fake clock.

namespace {

constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

std::int64_t Uniform(std::mt19937& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

bool Chance(std::mt19937& rng, double p) { return std::bernoulli_distribution(p)(rng); }

template <typename T>
T Pick(std::mt19937& rng, std::initializer_list<T> items) {
  return items.begin()[Uniform(rng, 0, static_cast<std::int64_t>(items.size()) - 1)];
}

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

std::string Secs(std::int64_t s) { return "\"" + std::to_string(s) + "s\""; }

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
  Sim(const SimScenario& s, std::uint32_t seed)
      : s_(s), p_(s.policy), people_(s.people), rng_(seed ^ 0x9e3779b9u), now_(s.start_ms) {
    e_ = Escalation{p_, 0, StartState(p_), true};
  }

  // Invariant violations, each with the time it happened (ms after the start).
  std::vector<std::string> failures;
  // The two bugs the regression tests at the end guard, also listed apart from `failures` (where
  // they are failures too) for those tests' reports: reminders or backups owed to recipients of
  // a later step that never came, and a goal met but not noticed at the end.
  std::vector<std::string> later_step_misses, unnoticed_goals;
  std::vector<std::string> trace;

  void Run(SimTotals& totals) {
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

 private:
  struct Ext {
    enum Kind { kSend, kLateFail, kAnswer, kStop, kEnd } kind;
    std::size_t person = 0;
  };
  struct Pending {
    Deadline d;
    bool replay = false;
  };

  std::int64_t Elapsed() const { return now_ - s_.start_ms; }

  void Expect(bool ok, const std::string& what) {
    if (!ok && failures.size() < 8)
      failures.push_back("t=+" + std::to_string(Elapsed()) + "ms: " + what);
  }

  std::string Name(std::size_t i) const {
    return "delivery " + std::to_string(people_[i].delivery_id);
  }

  SimPerson* Find(std::int64_t delivery_id) {
    for (auto& m : people_) {
      if (m.delivery_id == delivery_id) return &m;
    }
    return nullptr;
  }

  std::int64_t Wait(int step) const {
    return p_.steps[static_cast<std::size_t>(step)].wait_ms.value_or(0);
  }
  int Last() const { return static_cast<int>(p_.steps.size()) - 1; }
  std::optional<std::int64_t> Delay(DeadlineKind k) const {
    return k == DeadlineKind::kReminder ? p_.reminder_after_ms : EffectiveBackupAfterMs(p_);
  }
  // The goal of `step`, from the model (no trees in these scenarios).
  bool GoalMetNow(int step) const {
    const auto& until = p_.steps[static_cast<std::size_t>(step)].until_going;
    return until && going_ >= *until;
  }

  // Rule 2: on a step deadline of step k, the goal of k or already that of k + 1 ends it.
  bool StepDeadlineMeetsGoal(int step) const {
    return GoalMetNow(step) || (step < Last() && GoalMetNow(step + 1));
  }
  // How many deadlines of kind `k` are pending (set, not yet fired nor cancelled).
  std::int64_t PendingOf(DeadlineKind k) const {
    return std::count_if(deadlines_.begin(), deadlines_.end(),
                         [&](const auto& kv) { return kv.second.d.kind == k; });
  }
  // Rules 1 and 2: what starting `step` now sets, in any order: its wait if another step
  // follows, and a new reminder (backup) chain for its audience (step 0 in the deadline)
  // exactly when no reminder (backup) deadline is pending; a pending one finds the new
  // audience when it fires (rule 6). Read from the model before the actions are applied.
  Deadlines StartedStepDeadlines(int step) const {
    Deadlines want;
    if (step < Last() && p_.steps[static_cast<std::size_t>(step)].wait_ms)
      want.push_back({DeadlineKind::kStep, step, now_ + Wait(step)});
    for (auto kind : {DeadlineKind::kReminder, DeadlineKind::kBackup}) {
      auto delay = Delay(kind);
      if (delay && PendingOf(kind) == 0) want.push_back({kind, 0, now_ + *delay});
    }
    return want;
  }
  static Deadlines Ordered(Deadlines ds) {
    std::sort(ds.begin(), ds.end(), [](const Deadline& a, const Deadline& b) {
      return std::tie(a.kind, a.step, a.due_ms) < std::tie(b.kind, b.step, b.due_ms);
    });
    return ds;
  }

  // Facts as EscalationRunner and the store load them.
  EscalationFacts GoalFacts() const {
    EscalationFacts f;
    f.going = going_;
    return f;
  }
  // On a step deadline the store also says whether a reminder (backup) deadline is pending.
  EscalationFacts StepFacts() const {
    auto f = GoalFacts();
    f.reminder_pending = PendingOf(DeadlineKind::kReminder) > 0;
    f.backup_pending = PendingOf(DeadlineKind::kBackup) > 0;
    return f;
  }
  EscalationFacts Owed(Trigger t) {
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

  void Happen(const Ext& ev) {
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

  // EscalationRunner::Check after a failure: backups of the failed ones, then the goal.
  void Failures() {
    Call(Trigger::kFailures, 0, Owed(Trigger::kFailures));
    Call(Trigger::kAnswers, 0, GoalFacts());
  }

  void Fire(const Pending& pd) {
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

  // Asks Decide, checks what it says against the rules and the model, applies it.
  EscalationActions Call(Trigger t, int timer_step, const EscalationFacts& f) {
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

  // Rules 5 and 6, computed from the facts independently of Decide.
  void CheckRecipientRule(Trigger t, const EscalationFacts& f, const EscalationActions& a) {
    auto kind = t == Trigger::kReminderDeadline ? DeadlineKind::kReminder : DeadlineKind::kBackup;
    const auto& acted = kind == DeadlineKind::kReminder ? a.remind : a.call_backups;
    const auto& other = kind == DeadlineKind::kReminder ? a.call_backups : a.remind;
    Expect(other.empty(), "a reminder deadline called backups or the reverse");
    auto delay = Delay(kind);
    Expect(delay.has_value(), "a deadline of a kind the policy does not have");
    if (!delay) return;
    Ids due;
    std::optional<std::int64_t> earliest;
    bool unsent = false;
    for (const auto& r : f.recipients) {
      if (kind == DeadlineKind::kReminder ? !r.active : !r.has_backup) continue;
      std::optional<std::int64_t> at;
      if (IsReached(r.state)) at = r.reached_ms + *delay;
      if (IsFailed(r.state) && kind == DeadlineKind::kBackup) at = now_;
      if (IsUnsent(r.state)) {
        unsent = true;
        earliest = std::min(earliest.value_or(kNever), now_ + *delay);
      }
      if (!at) continue;
      if (*at <= now_) {
        due.push_back(r.delivery_id);
      } else {
        earliest = std::min(earliest.value_or(kNever), *at);
      }
    }
    Expect(Sorted(acted) == Sorted(due), "the recipients acted on are not those due");
    if (!earliest) {
      Expect(a.deadlines.empty(), "a deadline re-armed for nobody");
      return;
    }
    auto want = Deadline{kind, 0, std::max(*earliest, now_ + kMinRearmMs)};
    Expect(a.deadlines == Deadlines{want}, "the next deadline is not the earliest pending one");
    if (*earliest < now_ + kMinRearmMs) ++clamped_;
    if (unsent && want.due_ms == now_ + *delay) ++unsent_rearms_;
  }

  void Apply(Trigger t, const EscalationActions& a) {
    if (a.new_state) {
      auto ns = *a.new_state;
      if (t == Trigger::kStart) {
        Expect(ns == StartState(p_), "start: not StartState");
      } else if (ns == EscalationState::kGoalMet) {
        Expect(t == Trigger::kStepDeadline || t == Trigger::kAnswers,
               "goal met on another trigger");
        Expect(t == Trigger::kStepDeadline ? StepDeadlineMeetsGoal(e_.step) : GoalMetNow(e_.step),
               "goal met but neither the step's goal is nor (on its deadline) the next one's");
        Expect(a.cancel_deadlines, "goal met without cancelling the deadlines");
        Expect(a.stand_down == p_.stand_down, "the stand-down is not the policy's");
        Expect(!a.start_step && a.deadlines.empty() && a.remind.empty() && a.call_backups.empty(),
               "goal met and more");
        goal_met_at_ = now_;
      } else if (ns == EscalationState::kExhausted) {
        Expect(t == Trigger::kStepDeadline && a.start_step == Last(),
               "exhausted before the last step");
      } else {
        Expect(false, "a state Decide never sets: " + std::string(EscalationStateName(ns)));
      }
      e_.state = ns;
    } else {
      Expect(!a.cancel_deadlines && !a.stand_down, "cancelled or stood down without the goal met");
    }
    if (a.cancel_deadlines) deadlines_.clear();
    for (const auto& d : a.deadlines) {
      Expect(d.due_ms > now_, "a new deadline is not later than now");
      if (d.kind == DeadlineKind::kStep) {
        Expect(t == Trigger::kStart || t == Trigger::kStepDeadline,
               "a step deadline from elsewhere");
        Expect(a.start_step == d.step && d.step < Last() && d.due_ms == now_ + Wait(d.step),
               "a step deadline not for the step started, or not its wait");
      } else if (d.kind == DeadlineKind::kReminder || d.kind == DeadlineKind::kBackup) {
        auto own = d.kind == DeadlineKind::kReminder ? Trigger::kReminderDeadline
                                                     : Trigger::kBackupDeadline;
        if (t == own) {
          Expect(d.due_ms >= now_ + kMinRearmMs, "re-armed sooner than kMinRearmMs");
        } else {
          ++chains_[static_cast<int>(d.kind)];  // a chain of such deadlines starts
          Expect(a.start_step.has_value() && d.step == 0,
                 "a reminder or backup chain started with no step, or not as step 0");
          Expect(d.due_ms == now_ + Delay(d.kind).value_or(0), "a first deadline not at its delay");
        }
      } else {
        Expect(false, "a tree deadline from a policy without trees");
      }
      deadlines_.emplace(d.due_ms, Pending{d, false});
    }
    // One chain of a kind at a time: a chain starts only when none of its kind is pending, and a
    // fire re-arms at most one deadline of its kind (after it left the pending set).
    for (auto kind : {DeadlineKind::kReminder, DeadlineKind::kBackup}) {
      Expect(PendingOf(kind) <= 1, std::to_string(PendingOf(kind)) + " " +
                                       std::string(DeadlineKindName(kind)) +
                                       " deadlines pending at once");
    }
    if (a.start_step) {
      int k = *a.start_step;
      if (t == Trigger::kStart) {
        Expect(k == 0, "start: not step 0");
      } else {
        Expect(t == Trigger::kStepDeadline && k == e_.step + 1 && k <= Last(),
               "a step started out of order");
        Expect(now_ == started_at_[static_cast<std::size_t>(k - 1)] + Wait(k - 1),
               "a step started other than its predecessor's wait after it");
      }
      e_.step = k;
      started_at_.resize(static_cast<std::size_t>(k) + 1, kNever);
      started_at_[static_cast<std::size_t>(k)] = now_;
      for (std::size_t i = 0; i < people_.size(); ++i) {
        auto& m = people_[i];
        if (m.step != k) continue;
        m.created = true;
        m.created_at = now_;
        m.state = m.sending ? DeliveryState::kSending : DeliveryState::kQueued;
        events_.emplace(now_ + m.latency, Ext{Ext::kSend, i});
      }
    }
    for (auto id : a.remind) {
      auto* m = Find(id);
      Expect(m && t == Trigger::kReminderDeadline, "a reminder to whom, or when?");
      if (!m) continue;
      Expect(m->created && !m->reminded_at && m->active && !m->answered_at,
             "a reminder to one already reminded, opted out or answered");
      Expect(IsReached(m->state) && now_ >= m->reached_ms + p_.reminder_after_ms.value_or(kNever),
             "a reminder before reminder.after");
      m->reminded_at = now_;
      ++reminded_;
    }
    for (auto id : a.call_backups) {
      auto* m = Find(id);
      Expect(m && (t == Trigger::kBackupDeadline || t == Trigger::kFailures), "a backup for whom?");
      if (!m) continue;
      Expect(m->created && m->has_backup && !m->backed_up_at && !m->answered_at,
             "a backup called twice, without one, or for one who answered");
      auto after = EffectiveBackupAfterMs(p_).value_or(kNever);
      Expect(IsFailed(m->state) || (IsReached(m->state) && now_ >= m->reached_ms + after),
             "a backup called before the backup delay");
      m->backed_up_at = now_;
      ++(t == Trigger::kFailures ? backups_on_failure_ : backups_on_deadline_);
    }
  }

  void Finish(SimTotals& totals) {
    Expect(deadlines_.empty(), "deadlines left");
    auto stopped_at = std::min(goal_met_at_, ended_at_);  // nothing moves from then on

    // Steps: step k starts exactly at the sum of the earlier waits, unless the goal was met or
    // the alert ended by then (at that very time, step k's own goal met already stops it, rule
    // 2); an escalation left alone ends exhausted on its last step.
    std::int64_t at = s_.start_ms;
    for (int k = 1; k <= Last(); ++k) {
      at += Wait(k - 1);
      bool started = e_.step >= k;
      Expect(started == (at < stopped_at),
             "step " + std::to_string(k) + " started: " + std::to_string(started));
    }
    if (goal_met_at_ != kNever) {
      Expect(e_.state == EscalationState::kGoalMet, "goal met but not the state");
    } else if (ended_at_ == kNever) {
      Expect(e_.state == EscalationState::kExhausted && e_.step == Last(),
             "left alone, not exhausted on the last step");
    }
    // The goal of the current step is watched until the end (rules 2 and 3), also when it was
    // met before the step started.
    if (e_.Live() && GoalMetNow(e_.step)) {
      unnoticed_goals.push_back("step " + std::to_string(e_.step) + "'s goal met (" +
                                std::to_string(going_) + " going) but the escalation is " +
                                std::string(EscalationStateName(e_.state)));
      Expect(false, unnoticed_goals.back());
    }

    // The bound on fires. By rule 6 a live reminder (or backup) deadline is re-armed only for
    // the earliest recipient p still pending, at max(p's due time, now + kMinRearmMs); a
    // reached p's due time is reached + delay, an unsent p's is now + delay. Such deadlines form
    // chains (each fire sets at most one more of its kind); a chain starts at each deadline of
    // the kind that a fire of that kind did not set: the one at the start (rule 1) and one per
    // step started after step 0 while no deadline of the kind was pending (rule 2), so
    // chains = 1 + (such step starts) <= 1 + e_.step for a kind the policy has (counted by Call
    // from the model, checked against the chains Apply saw start). So a chain starts only once
    // the previous one of its kind ran dry: at most one is pending at a time (checked in Apply),
    // and a pending one takes on the audience of a step started meanwhile. Each fire of one
    // chain was armed either
    //  - for nobody in particular (the chain's first): 1;
    //  - for a reached p: by then p is due (the time is >= p's due time), so the fire acts on p,
    //    unless p stopped being pending in between (answered, opted out, failed, backed up on a
    //    failure, or acted on by a fire of another chain). Either way p is pending no more after
    //    it, and pending never comes back, so one chain arms at most one such fire per
    //    recipient: at most n (the recipients of the alert);
    //  - for an unsent u at t (due t + delay): the chain's next one for u is armed at or after
    //    this fire, so they are >= delay apart while u is unsent: at most ceil(unsent_u / delay)
    //    for u, where unsent_u is how long u waited to be sent.
    // So live fires <= chains * (1 + n + sum_u ceil(unsent_u / delay)); with every send quicker
    // than the delay that is 2n + 1 per chain. A deadline re-armed for nobody, or sooner than
    // kMinRearmMs over and over, breaks it (or the loop bound) at once.
    std::int64_t n = 0;
    for (const auto& m : people_) n += m.created ? 1 : 0;
    for (auto kind : {DeadlineKind::kReminder, DeadlineKind::kBackup}) {
      auto k = static_cast<int>(kind);
      auto delay = Delay(kind);
      if (!delay) {
        Expect(fires_[k] == 0, "fires of a kind the policy does not have");
        continue;
      }
      std::int64_t unsent = 0;
      for (const auto& m : people_) {
        if (m.created) unsent += (m.left_unsent_at - m.created_at + *delay - 1) / *delay;
      }
      std::int64_t chains = want_chains_[k];
      Expect(chains_[k] == chains && chains >= 1 && chains <= 1 + e_.step,
             std::to_string(chains_[k]) + " " + std::string(DeadlineKindName(kind)) +
                 " chains started, " + std::to_string(chains) + " expected (the start and " +
                 "steps started with none of the kind pending), " + std::to_string(1 + e_.step) +
                 " steps started");
      auto bound = chains * (1 + n + unsent);
      Expect(live_fires_[k] <= bound, std::string(DeadlineKindName(kind)) + " deadlines fired " +
                                          std::to_string(live_fires_[k]) + " times, bound " +
                                          std::to_string(bound));
    }
    Expect(live_fires_[static_cast<int>(DeadlineKind::kStep)] <= Last(),
           "more step fires than steps");

    // Liveness: a recipient owed a reminder (or a backup) gets it within kMinRearmMs of its due
    // time, if they stayed owed it and the escalation stayed live until then, whatever step's
    // audience they are in.
    for (std::size_t i = 0; i < people_.size(); ++i) {
      const auto& m = people_[i];
      if (!m.created) continue;
      auto answered = m.answered_at.value_or(kNever);
      auto report = [&](const std::string& what) {
        auto line = Name(i) + " (step " + std::to_string(m.step) + ") " + what;
        Expect(false, line);
        if (m.step > 0) later_step_misses.push_back(line);
      };
      if (IsReached(m.state) || (m.late_fail && m.reached_ms)) {
        if (auto d = p_.reminder_after_ms) {
          auto owed_until = std::min({answered, m.stop_at, m.failed_at, stopped_at});
          auto due = m.reached_ms + *d;
          if (owed_until > due + kMinRearmMs &&
              !(m.reminded_at && *m.reminded_at < due + kMinRearmMs)) {
            report("was never reminded, due at +" + std::to_string(due - s_.start_ms));
          }
        }
        if (auto b = EffectiveBackupAfterMs(p_); b && m.has_backup) {
          auto owed_until = std::min(answered, stopped_at);
          auto due =
              m.silent_failure ? m.reached_ms + *b : std::min(m.reached_ms + *b, m.failed_at);
          if (owed_until > due + kMinRearmMs &&
              !(m.backed_up_at && *m.backed_up_at < due + kMinRearmMs)) {
            report("never had their backup called, due at +" + std::to_string(due - s_.start_ms));
          }
        }
      } else if (auto b = EffectiveBackupAfterMs(p_); b && IsFailed(m.state) && m.has_backup) {
        // On the failure; else (nobody checked) by the next backup deadline, which was armed
        // while the delivery was unsent, so at most the backup delay after the failure.
        if (!m.silent_failure && m.failed_at < stopped_at) {
          Expect(m.backed_up_at == m.failed_at,
                 Name(i) + " failed but its backup was not called at once");
        } else if (m.silent_failure && m.failed_at + *b < stopped_at &&
                   !(m.backed_up_at && *m.backed_up_at <= m.failed_at + *b)) {
          report("failed unnoticed and never had their backup called");
        }
      }
    }

    ++totals.runs;
    totals.goal_met += goal_met_at_ != kNever;
    totals.exhausted += e_.state == EscalationState::kExhausted;
    totals.ended += ended_at_ != kNever;
    totals.reminded += reminded_;
    totals.backups_on_failure += backups_on_failure_;
    totals.backups_on_deadline += backups_on_deadline_;
    totals.empty_fires += empty_fires_;
    totals.clamped += clamped_;
    totals.unsent_rearms += unsent_rearms_;
    totals.stale_calls += stale_calls_;
    auto fires = fires_[0] + fires_[1] + fires_[2] + fires_[3];
    totals.fires += fires;
    totals.max_fires = std::max(totals.max_fires, fires);
    totals.later_step_misses += later_step_misses.empty() ? 0 : 1;
    totals.unnoticed_goals += unnoticed_goals.empty() ? 0 : 1;
    totals.next_goal_met += next_goal_met_;
    totals.later_chains += chains_[static_cast<int>(DeadlineKind::kReminder)] +
                           chains_[static_cast<int>(DeadlineKind::kBackup)] -
                           (p_.reminder_after_ms ? 1 : 0) - (EffectiveBackupAfterMs(p_) ? 1 : 0);
    totals.joined_chains += joined_chains_;
  }

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

std::string Lines(const std::vector<std::string>& lines, std::size_t max = 40) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < max; ++i) out += lines[i] + "\n";
  return out;
}

constexpr std::uint32_t kSeeds = 2000;

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

}  // namespace

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
