// A removal schedule (issue 13): asks counted back from a removal deadline (the flight), as a
// `removal` policy's "schedule" gives them, and which of them are due. Pure: the engine stores
// each entry's time as a durable timer and fires it on its own clock.
//
// Invariants (checked by tests/dispatch/case_schedule_test.cc):
//   1. Every entry fires exactly once: DueEntries never returns an index in `fired`.
//   2. Entries already past when the directions are recorded are all due at once, in the order
//      of their times (ties: schedule order).
//   3. A new deadline gives a whole new list of times (the store replaces the old timers).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "dispatch/util/result.h"

namespace tocsin {

// A schedule's offsets may reach further than a policy's waits: 30 days.
inline constexpr std::int64_t kMaxScheduleOffsetMs = 30LL * 24 * 3600 * 1000;
inline constexpr std::size_t kMaxScheduleEntries = 20;

struct ScheduleEntry {
  // Relative to the deadline: negative for {"before": ...}, positive for {"after": ...}; an
  // {"at": "recorded"} entry fires when the directions are recorded (`at_recorded`).
  std::int64_t offset_ms = 0;
  bool at_recorded = false;
  // Who is asked: case contact roles (legal, mp, bail, family, campaign), or network member
  // roles (coordinator, ...) when `member_roles` is set. Sorted, unique, at least one.
  std::vector<std::string> contacts;
  std::vector<std::string> member_roles;
  std::string ask;  // what is asked of them, in the coordinator's words (1..300 bytes)
  // What a supporter's DONE to this ask counts as ("letters", "calls": 1..30 of a-z, 0-9, _);
  // empty: kDefaultAction (model/case_actions.h).
  std::string action;

  friend bool operator==(const ScheduleEntry&, const ScheduleEntry&) = default;
};

// Parses `[{"before": "72h", "audience": {"contacts": ["campaign"]}, "ask": "..."}, ...]`.
// Each entry has exactly one of "before", "after" (durations as ParseDuration reads them, up to
// kMaxScheduleOffsetMs) or "at": "recorded"; "audience" with "contacts" or "roles"; "ask";
// optionally "action".
// Errors name the field ("schedule[2].before").
Result<std::vector<ScheduleEntry>> ParseCaseSchedule(const boost::json::value& v, std::string_view field = "schedule");
boost::json::array CaseScheduleToJson(const std::vector<ScheduleEntry>& entries);

// The schedule a network gets until it sets its own: at once to every contact, 72h before to
// the campaign (action "letters"), 24h before to campaign, legal and mp ("calls"), 6h before to
// the campaign ("calls"), and 1h after to the coordinators ("did the flight leave?").
std::vector<ScheduleEntry> DefaultCaseSchedule();

// When entry i fires (ms since the epoch): the deadline plus its offset, or `recorded_ms`.
std::int64_t EntryDueMs(const ScheduleEntry& e, std::int64_t deadline_ms, std::int64_t recorded_ms);

// The indexes of the entries due at `now_ms` and not yet in `fired`, in the order they fire.
std::vector<std::size_t> DueEntries(const std::vector<ScheduleEntry>& entries, std::int64_t deadline_ms,
                                    std::int64_t recorded_ms, const std::set<std::size_t>& fired,
                                    std::int64_t now_ms);

}  // namespace tocsin
