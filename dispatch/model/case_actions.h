// Actions that show strength (issue 13): a supporter asked to act (write to the Home Office, call
// the airline) texts `DONE` (or `DONE <code>`) once they have, and the case counts it under the
// ask's action ("letters", "calls"; a schedule entry's `action`, model/case_schedule.h).
//
// Contract of ParseDone:
//  1. The body, trimmed, is one of the words DONE, FAIT (fr), تم (ar), انجام (fa), compared
//     without case (FoldCase) and without trailing punctuation, optionally followed or preceded
//     by an alert code (4 characters of kAlertCodeAlphabet, returned uppercase): "done",
//     "Done K7Q4", "K7Q4 DONE". Anything more is no DONE (nullopt): "done tomorrow" is a reply
//     for coordinators.
//  2. Whether the sender was asked anything is not the parser's: the engine finds the ask.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tocsin {

struct DoneReply {
  std::optional<std::string> alert_code;
};

std::optional<DoneReply> ParseDone(std::string_view body);

// The label an action is counted under when the ask names none (the alert itself, an entry
// without `action`).
inline constexpr std::string_view kDefaultAction = "actions";

}  // namespace tocsin
