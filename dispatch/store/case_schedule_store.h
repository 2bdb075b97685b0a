// A case's removal schedule in the database (issue 13): each entry of the removal alert's
// schedule (model/case_schedule.h) is a deadline in escalation_timers, kind 'schedule', `step`
// the entry's index in the schedule of the policy as raised (escalations.policy), due on the
// engine clock. SQL only: what an entry sends is the engine's (engine/case_schedule_fire.h).
//
// Invariants:
//  1. An entry fires once: TakeDueEntries marks the rows it returns 'fired' in the transaction
//     that sends their asks; a replaced or ended schedule's rows are 'cancelled'.
//  2. Entries due together are taken together, in the order of their times (ties: schedule
//     order), so their asks are queued in that order whatever order the wheel fires them in.
//  3. LockScheduleTimer locks the timer and the escalation row (the order LockDeadline and
//     AlertUseCases::End take them in), so an entry and the alert's end never interleave.
//
// Every function runs inside the caller's transaction. Thread safety: free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/policy.h"
#include "dispatch/store/escalation_store.h"

namespace tocsin {

// A deadline for every entry of `entries` (EntryDueMs of `deadline_ms`, `recorded_ms`); but
// the {"at": "recorded"} entries unless `at_recorded`.
std::vector<PendingTimer> InsertScheduleTimers(pqxx::work& tx, std::int64_t alert_id,
                                               const std::vector<ScheduleEntry>& entries, std::int64_t deadline_ms,
                                               std::int64_t recorded_ms, bool at_recorded);
// The alert's pending schedule deadlines are cancelled (a new deadline replaces them).
void CancelScheduleTimers(pqxx::work& tx, std::int64_t alert_id);
// The alert's pending schedule deadlines (to track again once a held alert is approved).
std::vector<PendingTimer> PendingScheduleTimers(pqxx::transaction_base& tx, std::int64_t alert_id);
// Sets the alert's deadline (RFC 3339) as last recorded; returns it in ms since the epoch.
std::int64_t SetAlertDeadline(pqxx::work& tx, std::int64_t alert_id, const std::string& deadline);

struct LockedSchedule {
  std::int64_t alert_id = 0;
  std::int64_t network_id = 0;
  std::int64_t case_id = 0;
  std::string status;    // the alert's: open, pending_approval, resolved, cancelled
  std::string deadline;  // the alert's, RFC 3339 UTC to the second
  Policy policy;         // as raised
};
// The schedule deadline `timer_id`, locked with its escalation; nullopt when it is not a pending
// schedule deadline of a case's alert. Marks nothing.
std::optional<LockedSchedule> LockScheduleTimer(pqxx::work& tx, std::int64_t timer_id);
// The alert's pending schedule entries due at `now_ms`, marked fired, in firing order.
std::vector<int> TakeDueEntries(pqxx::work& tx, std::int64_t alert_id, std::int64_t now_ms);

// The deliveries of message `seq` of the alert, each with its member and language.
struct MessageDelivery {
  std::int64_t id = 0;
  std::int64_t member = 0;
  std::string language;
};
std::vector<MessageDelivery> DeliveriesOfMessage(pqxx::transaction_base& tx, std::int64_t alert_id, int seq);
// Queues message `seq` (an ask) of the alert for the active members `ids` (an array literal) of
// the network, each by SMS, or by a call (channel voice) when voice is their only channel, in
// their language if one of `languages` (an array literal), else `fallback_language`. Returns
// how many.
std::int64_t QueueAskForMembers(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                                const std::string& ids, const std::string& languages,
                                const std::string& fallback_language);
// The members of the network's phone trees named `trees`.
std::vector<std::int64_t> TreeMembers(pqxx::transaction_base& tx, std::int64_t network_id,
                                      const std::vector<std::string>& trees);

// The members of the network holding one of `roles`.
std::vector<std::int64_t> MembersWithRoles(pqxx::transaction_base& tx, std::int64_t network_id,
                                           const std::vector<std::string>& roles);

// A schedule entry as a case's timeline shows it.
struct ScheduleItem {
  std::int64_t alert_id = 0;
  int entry = 0;
  std::string due;    // RFC 3339, UTC, microseconds (as case events')
  std::string state;  // pending, fired, cancelled (replaced by a new deadline, or ended)
  Policy policy;      // the alert's, as raised
  // Where the timeline lists it: its due time, or when it was set if that is later (an entry
  // already past when the directions were recorded fired then).
  std::string listed_at;
};
// The schedule entries of the case's alerts, by listed_at (at most the latest 200).
std::vector<ScheduleItem> ScheduleOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id);

}  // namespace tocsin
