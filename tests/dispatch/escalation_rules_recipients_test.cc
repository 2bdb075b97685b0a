// Tests of the escalation rules (dispatch/model/escalation_rules.h) for whom a deadline reminds,
// backs up or calls, and when it fires next: one group of examples per numbered rule of the
// header (5, 6 and the call ladder of 8), with the policy's call_after. Steps and goals are in
// escalation_rules_steps_test.cc; the generated scenarios in escalation_rules_generated_test.cc.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "tests/dispatch/escalation_rules_fixture.h"

using namespace tocsin;


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
