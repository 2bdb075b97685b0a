// ReplyService: what an inbound SMS means and what to answer (pure: the sender is looked up by
// store/sender_lookup.h, the decision applied by the engine's delivery writer).
//
// The sender's number (by its keyed hash) and the number it was sent to find the member and the
// network; ParseReply classifies the body. Then:
//   - going/cannot: an answer to the alert whose code the reply names, else to the member's most
//     recent open alert (one they were sent, or whose phone tree they are in); recorded through the group-commit writer, then
//     confirmed in the member's language (going to a tiered alert: with its place, the first
//     text that carries it);
//   - STOP (and synonyms): the member is opted out at once; START/UNSTOP: back in;
//   - an answer naming a code no open alert of the member has: not recorded; the member is told
//     the alert is over (one of the network's that ended lately) or the code is unknown, and
//     which codes are open now. An answer with a word meant as a code that is none ("1 ZZZZ"):
//     kept as free text, and the member told the code is unknown and what is open;
//   - HELP/INFO: the network's help text;
//   - LIST: a relay tree's node asks whom they must call; the engine reads their call list
//     (store/call_list_store.h) and CallListReply answers with it (model/call_list.h);
//   - anything else: kept (sealed) on the member's most recent open alert for coordinators;
//   - a number that is not a member, or a network we do not know: no alert data, empty reply
//     (a non-member's STOP/START still sets set_status, with member_id 0, for the stop list).
//
// Thread safety: holds const references only; every method may run on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dispatch/model/response_record.h"
#include "dispatch/message/templates.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

struct ParsedReply;     // model/reply_parser.h (kept out of this header for the same reason as:)
struct CallListPerson;  // model/call_list.h (not included: this header reaches delivery_writer.cc,
                        // which GCC 12 fails to compile when it sees too much)

struct InboundSms {
  std::string from;  // E.164
  std::string to;    // one of a network's numbers
  std::string body;
  std::string sid;   // MessageSid: repeats of one webhook are recorded once
};

// Who sent an inbound SMS: the network behind the number it was sent to and, when the sender
// is a member, the member and their open alerts (newest first).
struct SenderLookup {
  std::int64_t network_id = 0;
  std::string network;           // name, for the confirmation texts
  std::string default_language;
  std::string help_text;
  std::optional<std::int64_t> member_id;  // nullopt: not a member
  std::string language;
  std::string status;  // active, paused, opted_out
  std::vector<std::pair<std::int64_t, std::string>> open_alerts;  // (id, code), newest first
  // The reply names a code that is not open, of an alert of the network that ended lately.
  bool named_alert_ended = false;
  // The open alerts among open_alerts raised with tiered disclosure (model/disclosure.h): their
  // location and details, sealed (places::AlertLocation, AlertDetails; details "" when none),
  // for the confirmation of a going answer.
  struct TieredPlace {
    std::int64_t alert_id = 0;
    std::string location_sealed;
    std::string details_sealed;
  };
  std::vector<TieredPlace> tiered_places;
};

struct ReplyDecision {
  std::optional<ResponseRecord> record;  // to write (group commit) before answering
  std::optional<std::string> set_status;  // "opted_out" / "active": ApplyStatus before answering
  std::int64_t member_id = 0;
  std::vector<std::string> reply_texts;  // one TwiML <Message> each; none: <Response/>
  bool wants_call_list = false;          // LIST: reply_texts are CallListReply's, once the
                                         // member's call list is read
  std::string outcome;                   // for logs and metrics: going, cannot, text, stop, ...
};

class ReplyService {
 public:
  ReplyService(const DataCipher& cipher, const TemplateSet& templates)
      : cipher_(cipher), templates_(templates) {}

  // What the message means, given its body as ParseReply read it and its sender (no database
  // work).
  ReplyDecision Decide(const InboundSms& sms, const ParsedReply& reply,
                       const std::optional<SenderLookup>& sender) const;
  // The answer to LIST: everyone in `people` (the member's call list, opened), over as many
  // SMS as it takes, in the sender's language; relay_none when there is nobody.
  std::vector<std::string> CallListReply(const SenderLookup& who,
                                         const std::vector<CallListPerson>& people) const;

 private:
  // The template `key` in the sender's language (else the network's), for alert `code`.
  std::string Render(const SenderLookup& who, const std::string& key, const std::string& code) const;
  // `key` for `code` (code_unknown, code_ended), then which alerts are open now.
  std::string RenderWithOpen(const SenderLookup& who, const std::string& key, const std::string& code) const;
  // The confirmation of going to alert `alert_id`: with its place when it is tiered.
  std::string ConfirmGoing(const SenderLookup& who, std::int64_t alert_id, const std::string& code) const;

  const DataCipher& cipher_;
  const TemplateSet& templates_;
};

// `<?xml ...?><Response><Message>text</Message>...</Response>`, one <Message> per text
// (XML-escaped; empty texts skipped), or an empty <Response/> when there is none.
std::string TwimlMessages(const std::vector<std::string>& texts);

}  // namespace tocsin
