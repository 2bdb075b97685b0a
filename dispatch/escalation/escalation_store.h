// Escalation in the database: which policy an alert runs, where it is, and what happens when a
// step's wait ends or enough people answer. Functions run inside a caller's transaction; the
// Escalator (escalator.h) calls them from its timers and after answers are written.
//
// Invariants:
//  1. An alert has at most one pending step timer; firing it marks it 'fired' in the same
//     transaction as the step it starts, so a timer never acts twice (restarts included).
//  2. Once an escalation is goal_met, exhausted or stopped it never moves again.
//  3. Steps run in order: the next starts when the current one's wait ends without its goal met.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/engine/alert_service.h"
#include "dispatch/escalation/policy.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct PendingTimer {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;
  std::int64_t due_ms = 0;  // wall clock, ms since the epoch
};

// What firing a timer or checking a goal did, for the caller to act on after commit.
struct EscalationOutcome {
  std::int64_t alert_id = 0;               // 0: the timer no longer counted
  std::optional<std::int64_t> network_id;  // set when deliveries were queued (wake the sender)
  std::vector<PendingTimer> timers;        // new deadlines to schedule in memory
  std::string what;                        // "step 1", "goal_met", "reminded 3", "stale", ...
  bool ended = false;                      // the escalation ended (goal met): forget its timers
};

// The network's own policy for `kind`, else the built-in default.
Policy PolicyFor(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& kind);
// Stores `p` (validated by ParsePolicy) after checking what it names exists: Invalid naming
// "steps[i].audience.tree" or "...members" otherwise. (A tree deleted later reaches nobody.)
Status PutPolicy(pqxx::work& tx, std::int64_t network_id, const std::string& kind, const Policy& p);
std::optional<Policy> StoredPolicy(pqxx::transaction_base& tx, std::int64_t network_id,
                                   const std::string& kind);

// Records the escalation of a new alert at step 0, its first reminder and backup deadlines
// (when the policy has them) and its first step timer when step 0 waits. The Escalator loads
// them after commit (PendingTimersOf).
void StartEscalation(pqxx::work& tx, std::int64_t alert_id, const Policy& p);
// Sends a step's audience the alert: a phone tree starts its run (tree_run.h), any other
// audience is queued at once. New deadlines are appended to `timers` (null: the caller loads
// them after commit, as after StartEscalation). Returns how many deliveries were queued.
std::int64_t QueueStepAudience(pqxx::work& tx, AlertService& alerts, const Network& net,
                               std::int64_t alert_id, const PolicyAudience& audience,
                               std::vector<PendingTimer>* timers);
// A deadline `in_ms` from now ("step", "reminder", "backup" or "tree"; `step` for step timers).
PendingTimer InsertTimer(pqxx::work& tx, std::int64_t alert_id, const char* kind, int step, double in_ms);

// The timer `timer_id` is due. A step timer checks the goal, then starts the next step (or
// ends); a reminder or backup timer reminds (or calls the backups of) those due it and sets the
// next such deadline; a tree timer moves the alert's phone trees.
EscalationOutcome FireStepTimer(pqxx::work& tx, AlertService& alerts, std::int64_t timer_id);
// Answers arrived for `alert_id` (or, with `failures`, deliveries failed): members whose
// delivery failed have their backups called at once (when the policy has backups), its phone
// trees move, then if its current step's goal is met, escalation ends there and (by policy) the
// stand-down goes out.
EscalationOutcome CheckGoal(pqxx::work& tx, AlertService& alerts, std::int64_t alert_id,
                            bool failures = false);
// The alert ended: the escalation stops and its pending timers are cancelled.
void StopEscalation(pqxx::work& tx, std::int64_t alert_id);

// Pending timers (for the rebuild after a restart) and those of one alert.
std::vector<PendingTimer> LoadPendingTimers(pqxx::transaction_base& tx);
std::vector<PendingTimer> PendingTimersOf(pqxx::transaction_base& tx, std::int64_t alert_id);

}  // namespace tocsin
