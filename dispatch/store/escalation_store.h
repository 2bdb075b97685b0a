// Escalation in the database: each alert's escalation row (its policy as raised, step, state),
// its deadlines (escalation_timers: due_at is a value the engine computed from its Clock), and
// the facts the rules (model/escalation_rules.h) decide on. SQL only: what to do is the model's,
// the engine applies it. Functions run inside a caller's transaction.
//
// Invariants:
//  1. A deadline is fired by LockDeadline in the transaction that applies what it does (the row
//     is locked and marked 'fired'), so a deadline never acts twice, restarts included.
//  2. An escalation row is locked (LockEscalation, LockDeadline) before it is read for a
//     decision, so two decisions about one alert never interleave.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/escalation_rules.h"

namespace tocsin {

// Who fires a deadline of escalation_timers.
enum class TimerOwner {
  kEscalation,    // the escalation's own (EscalationRunner)
  kVerification,  // a report's verification deadline (store/verification_store.h), kind 'verify'
  kSchedule,      // an entry of a case's removal schedule (store/case_schedule_store.h), kind 'schedule'
};

struct PendingTimer {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;
  std::int64_t due_ms = 0;  // engine clock, ms since the epoch
  TimerOwner owner = TimerOwner::kEscalation;
};

struct LockedEscalation {
  Escalation escalation;
  std::int64_t network_id = 0;
};

struct FiredDeadline {
  std::int64_t alert_id = 0;
  DeadlineKind kind = DeadlineKind::kStep;
  int step = 0;
  LockedEscalation locked;
};

// Records the escalation of a new alert (state per StartState) at `now_ms`.
void InsertEscalation(pqxx::work& tx, std::int64_t alert_id, const Policy& p, std::int64_t now_ms);
// The alert's escalation, locked; nullopt when it has none.
std::optional<LockedEscalation> LockEscalation(pqxx::work& tx, std::int64_t alert_id);
// Locks the deadline and marks it fired; nullopt when it is no longer pending (fired already,
// cancelled) or has no escalation.
std::optional<FiredDeadline> LockDeadline(pqxx::work& tx, std::int64_t timer_id);

void SetEscalationState(pqxx::work& tx, std::int64_t alert_id, EscalationState s);
void SetEscalationStep(pqxx::work& tx, std::int64_t alert_id, int step, std::int64_t now_ms);
PendingTimer InsertDeadline(pqxx::work& tx, std::int64_t alert_id, const Deadline& d);
// Every pending deadline of the alert is cancelled but its removal schedule's (which runs until
// the alert ends).
void CancelDeadlines(pqxx::work& tx, std::int64_t alert_id);
// The alert ended: a running or exhausted escalation stops and its pending deadlines (its
// removal schedule's too) are cancelled.
void StopEscalation(pqxx::work& tx, std::int64_t alert_id);
// The earliest pending deadline of `kind` of the alert, if any.
std::optional<std::int64_t> EarliestDeadline(pqxx::transaction_base& tx, std::int64_t alert_id, DeadlineKind kind);

// Members whose latest answer to the alert is `going`.
std::int64_t GoingCount(pqxx::transaction_base& tx, std::int64_t alert_id);
// Recipients of the alert message who have not answered and are owed what `t` does:
// a reminder (not reminded yet), a backup call (not backed up yet; kFailures: failed ones only),
// a call (kCallDeadline: texted by a step with `call_after`, not called yet).
std::vector<PendingRecipient> PendingRecipients(pqxx::transaction_base& tx, std::int64_t alert_id, Trigger t);

// Pending deadlines, for the rebuild after a restart.
std::vector<PendingTimer> LoadPendingTimers(pqxx::transaction_base& tx);

}  // namespace tocsin
