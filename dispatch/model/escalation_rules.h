// Escalation rules: who is contacted next and when, as a pure function of the escalation's state,
// the facts the store loaded, and the time. The store (store/escalation_store.h) loads the state
// and facts under the alert's escalation row lock; the EscalationRunner (engine/escalation_runner.h)
// asks Decide and applies the actions in the same transaction, so a deadline fires once and acts
// once.
//
// Rules (the policy's meaning is policy.h's):
//  1. Start: step 0 starts; its wait (when another step follows) is a step deadline; the
//     reminder and backup deadlines are set `reminder.after` / backup-after from now.
//  2. A step deadline of the current step of a running escalation: if the step's goal is met, or
//     the next step's `going` goal is already (a tree not started cannot be confirmed), the
//     escalation ends (goal_met); otherwise the next step starts and sets its own deadline, and
//     a reminder and a backup deadline for its audience unless one of that kind is pending (it
//     will find them); starting the last step exhausts the escalation (its goal is still
//     watched).
//     Any other step deadline is stale and does nothing.
//  3. Answers (or a tree move): if the current step's goal is met, the escalation ends.
//  4. Goal met: every pending deadline is cancelled; the stand-down goes out if the policy asks.
//  5. A reminder deadline reminds each recipient who is active, has not answered, was not
//     reminded yet and was reached at least `reminder.after` ago. A backup deadline calls the
//     backup of each recipient who names one, has not answered, was not backed up yet and was
//     reached at least the backup delay ago; a failed delivery calls it at once (on the
//     failure). An opted-out member is not reminded, but their backup is still called.
//  6. After a reminder or backup deadline, the next one is set for the earliest recipient still
//     pending (reached: reached + delay; not yet sent: now + delay), no sooner than
//     kMinRearmMs from now. Nobody pending: no deadline (a deadline never re-arms for nobody).
//  7. Reminders, backups, calls and trees go on while the alert is open and its escalation is running
//     or exhausted; after goal_met or stopped nothing moves (Live()).
//  8. The call ladder (a step's `call_after`): a step that has one sets a call deadline
//     `call_after` from its start (unless one is pending). It calls each recipient texted by such a
//     step who is active, has not answered, was not called yet and was reached at least their
//     step's `call_after` ago; then re-arms as rule 6, each recipient by their own delay.
//
// Thread safety: pure functions on values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/model/delivery_state.h"
#include "dispatch/model/policy.h"

namespace tocsin {

enum class EscalationState { kRunning, kGoalMet, kExhausted, kStopped };
enum class DeadlineKind { kStep, kReminder, kBackup, kTree, kCall };

std::string_view EscalationStateName(EscalationState s);
std::optional<EscalationState> ParseEscalationState(std::string_view s);
std::string_view DeadlineKindName(DeadlineKind k);
std::optional<DeadlineKind> ParseDeadlineKind(std::string_view s);

// Bounds how often a reminder or backup deadline of one alert fires (rule 6): recipients reached
// within this of each other are handled together.
inline constexpr std::int64_t kMinRearmMs = 1000;

struct Escalation {
  Policy policy;
  int step = 0;
  EscalationState state = EscalationState::kRunning;
  bool alert_open = true;

  bool Live() const {
    return alert_open && (state == EscalationState::kRunning || state == EscalationState::kExhausted);
  }
  bool UsesTrees() const;
};

// A recipient of the alert message who has not answered and is still owed a reminder (or a
// backup call), as the store loads them for a reminder or backup deadline.
struct PendingRecipient {
  std::int64_t delivery_id = 0;
  DeliveryState state = DeliveryState::kQueued;
  std::int64_t reached_ms = 0;  // when it was sent (0: not yet)
  bool active = true;           // the member is active (not opted out or paused)
  bool has_backup = false;      // the member names a backup (backups only)
  std::int64_t call_after_ms = 0;  // their step's `call_after` (calls only)
};

struct EscalationFacts {
  std::int64_t going = 0;                    // members whose latest answer is going
  bool tree_confirmed = false;               // every node of the current step's tree reached
  std::vector<PendingRecipient> recipients;  // reminder, backup and failure triggers only
  bool reminder_pending = false;             // a reminder deadline is pending (step deadlines)
  bool backup_pending = false;               // a backup deadline is pending (step deadlines)
  bool call_pending = false;                 // a call deadline is pending (step deadlines)
};

enum class Trigger { kStart, kStepDeadline, kReminderDeadline, kBackupDeadline, kAnswers, kFailures, kCallDeadline };

struct Deadline {
  DeadlineKind kind = DeadlineKind::kStep;
  int step = 0;
  std::int64_t due_ms = 0;
  friend bool operator==(const Deadline&, const Deadline&) = default;
};

struct EscalationActions {
  std::optional<int> start_step;             // send this step's audience the alert
  std::optional<EscalationState> new_state;  // store it
  bool cancel_deadlines = false;             // every pending deadline of the alert
  bool stand_down = false;                   // tell those reached who have not answered
  std::vector<std::int64_t> remind;          // deliveries whose member gets a reminder
  std::vector<std::int64_t> call_backups;    // deliveries whose member's backup is called
  std::vector<std::int64_t> call;            // sms deliveries whose member is now called (rule 8)
  std::vector<Deadline> deadlines;           // new deadlines
  std::string what;                          // for logs and events ("step 1", "goal_met", ...)
};

// Whether the facts meet the goal of step `step` of `p`.
bool StepGoalMet(const Policy& p, int step, const EscalationFacts& f);

// Rules 1-8. `timer_step` is the step a step deadline was set for (else ignored).
EscalationActions Decide(const Escalation& e, Trigger t, int timer_step, const EscalationFacts& f,
                         std::int64_t now_ms);

// The state a new escalation starts in: running when another step follows step 0.
EscalationState StartState(const Policy& p);

}  // namespace tocsin
