// An alert's timeline read back from what the database keeps, for a page opened after the fact
// (the event stream only tells what happens while it is open): the raise, each escalation step
// that started, the goal met, each message sent after the alert (reminder, update, stand-down)
// with how many members it was queued for, and the end. Backups called and tree moves are not
// kept as events, so they are not in it. Nothing personal: kinds, times and counts.
// SQL only; runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/util/result.h"

namespace tocsin {

struct TimelineEntry {
  std::string at;    // ISO 8601 UTC with milliseconds
  std::string what;  // raised, step, goal_met, reminder, update, stand_down, resolved, cancelled
  std::int64_t n = 0;  // step: the step's index (1 = the second step); reminder, update,
                       // stand_down: members it was queued for; else 0
};

// Oldest first (ties in the order above). Times are the engine's (deadlines, the end) and the
// database's (the raise, messages): the same clock but under [testing] manual_clock. Error::NotFound when the alert is not the network's.
Result<std::vector<TimelineEntry>> AlertTimeline(pqxx::transaction_base& tx, std::int64_t network_id,
                                                 std::int64_t alert_id);

}  // namespace tocsin
