// What a case's alerts sent and drew, for its timeline (issue 13: "every event, alert, message
// and answer in order"): each message sent after an alert's own (an update, an ask of the
// removal schedule, the end, the coordinators told consent is missing...) with how many it was
// queued for, and each going / cannot answer of a member (by id) or an organisation (by slug).
// Kinds, ids, counts and times only: nothing sealed is read (a free-text reply is not an answer
// here; its words stay with the coordinators' reply list).
//
// Every function runs inside the caller's transaction, scoped by `network_id`. Thread safety:
// free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

struct CaseMessage {
  std::int64_t alert_id = 0;
  int seq = 0;           // 1 or more: the alert's own message (seq 0) is the timeline's alert item
  std::string kind;      // alert_messages.kind: update, case_ask, resolve, case_consent, ...
  std::int64_t recipients = 0;  // members (and reporters) it was queued for
  std::string at;        // its first delivery's creation, RFC 3339, UTC, microseconds
};
// The messages of the case's alerts after their first, oldest first (at most the latest 200).
std::vector<CaseMessage> MessagesOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id);

struct CaseAnswer {
  std::int64_t alert_id = 0;
  std::string answer;  // going, cannot
  std::optional<std::int64_t> member_id;
  std::optional<std::string> organisation;  // its slug, for an organisation's answer
  std::string at;      // RFC 3339, UTC, microseconds
};
// The going / cannot answers to the case's alerts, oldest first (at most the latest 200).
std::vector<CaseAnswer> AnswersOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id);

}  // namespace tocsin
