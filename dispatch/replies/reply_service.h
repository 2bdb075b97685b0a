// ReplyService: what an inbound SMS means and what to answer.
//
// The sender's number (by its keyed hash) and the number it was sent to find the member and the
// network; ParseReply classifies the body. Then:
//   - going/cannot: an answer to the alert whose code the reply names, else to the member's most
//     recent open alert (one they were sent, or whose phone tree they are in); recorded through the group-commit writer, then
//     confirmed in the member's language;
//   - STOP (and synonyms): the member is opted out at once; START/UNSTOP: back in;
//   - HELP/INFO: the network's help text;
//   - anything else: kept (sealed) on the member's most recent open alert for coordinators;
//   - a number that is not a member, or a network we do not know: no alert data, empty reply.
//
// Thread safety: holds const references only; Decide() runs on a DbPool thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "dispatch/engine/delivery_writer.h"
#include "dispatch/message/templates.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

struct InboundSms {
  std::string from;  // E.164
  std::string to;    // one of a network's numbers
  std::string body;
  std::string sid;   // MessageSid: repeats of one webhook are recorded once
};

struct ReplyDecision {
  std::optional<ResponseRecord> record;  // to write (group commit) before answering
  std::string reply_text;                // the TwiML <Message>; empty: <Response/>
  std::string outcome;                   // for logs and metrics: going, cannot, text, stop, ...
};

class ReplyService {
 public:
  ReplyService(const DataCipher& cipher, const TemplateSet& templates)
      : cipher_(cipher), templates_(templates) {}

  // Looks the sender up and decides, in one round trip; opt-out and opt-in are single statements
  // run in `tx` (an autocommit nontransaction is enough: each is atomic on its own).
  ReplyDecision Decide(pqxx::transaction_base& tx, const InboundSms& sms) const;

 private:
  std::string Render(const std::string& language, const std::string& fallback, const std::string& key,
                     const std::string& network, const std::string& code) const;

  const DataCipher& cipher_;
  const TemplateSet& templates_;
};

// `<?xml ...?><Response><Message>text</Message></Response>` (text XML-escaped), or an empty
// <Response/> for empty text.
std::string TwimlMessage(const std::string& text);

}  // namespace tocsin
