// DONE counts in the database (issue 13; model/case_actions.h): which action each ask of a
// case's alert counts as (case_asks), the asks a member was sent, and the actions counted
// (case_actions: once per member and ask). Ids and labels only: nothing sealed.
//
// Every function runs inside the caller's transaction. Thread safety: free functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

// Message `seq` of the alert asks for `action` (kept as first recorded).
void RecordAsk(pqxx::work& tx, std::int64_t alert_id, int seq, const std::string& action);

// The ask of an open case alert of the network most recently sent to the member (of the alert
// whose code is `code`, when given).
struct AskSent {
  std::int64_t case_id = 0;
  std::int64_t alert_id = 0;
  std::string code;  // the alert's
  int seq = 0;
  std::string action;
};
std::optional<AskSent> LatestAskSent(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t member_id,
                                     const std::optional<std::string>& code);
// Counts the member's action for the ask on the day of `now_ms` (UTC); false when they had
// already counted for it.
bool CountAction(pqxx::work& tx, std::int64_t network_id, const AskSent& ask, std::int64_t member_id,
                 std::int64_t now_ms);

// The case's actions: per action, and per day and action (days oldest first).
struct DayActions {
  std::string day;  // YYYY-MM-DD
  std::map<std::string, std::int64_t> counts;
};
struct CaseActionCounts {
  std::map<std::string, std::int64_t> total;
  std::vector<DayActions> by_day;
};
CaseActionCounts CountCaseActions(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id);

// Each DONE counted for the case, as its timeline shows it (at most the latest 500, oldest first).
struct ActionItem {
  std::string at;  // RFC 3339, UTC, microseconds (as case events')
  std::string action;
  std::optional<std::int64_t> member_id;
  std::optional<std::int64_t> alert_id;
};
std::vector<ActionItem> ActionsOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id);

}  // namespace tocsin
