// The hotline's lookup (issue 11): who is calling the network's number, and what they may hear.
// One read transaction per incoming call (the caller is not known before the call comes in,
// so nothing can be prepared). Runs inside a caller's transaction.
//
// A caller is a member of the network behind the number called when their number's keyed hash
// is one of its members'; only an active member is told alerts. Their alerts are the network's
// open alerts (never one verifying, held for approval or ended) over any of their areas, and
// any other open alert that reached them (a step, a tree, a backup: an answer of theirs counts
// for it, model/reply_decision.h); newest first, at most kMaxHotlineAlerts. `reached` says
// which reached them: an answer to another is recorded with a delivery of the call-in
// (AddCallInDelivery), so that it counts as any other answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"

namespace tocsin {

inline constexpr int kMaxHotlineAlerts = 5;

struct HotlineAlert {
  std::int64_t id = 0;
  std::string code;
  std::string kind;
  std::string language;      // of text_enc: the member's when stored, else the network's default
  std::string text_enc;      // the alert message (seq 0), sealed (places::MessageBody)
  std::string english_enc;   // the English one, sealed; empty when text_enc is English or none
  std::string location_enc;  // a tiered alert's place, sealed (places::AlertLocation); else empty
  std::string details_enc;
  bool reached = false;      // the member was sent it (seq 0) or is in its phone tree
};

struct HotlineCaller {
  std::int64_t network_id = 0;
  std::string network;           // name
  std::string default_language;
  std::string voice_message;     // networks.voice_message ("" = the template's)
  std::optional<std::int64_t> member_id;  // an active member; nullopt: a stranger
  std::string language;                   // the member's
  std::vector<HotlineAlert> alerts;       // the member's open alerts, newest first
};

// The member heard alert `alert_id` of their areas on the hotline, which never reached them, and
// answered it: records their delivery of it (seq 0, channel voice, state delivered, sender
// "hotline", hotline true; schema/0044) in `language` (the message they heard), counted in the alert's recipients.
// Nothing when the alert is no longer open or they have a delivery of it already. True when
// it recorded one.
bool AddCallInDelivery(pqxx::work& tx, std::int64_t alert_id, std::int64_t member_id, const std::string& language);

// nullopt: `to` is no network's number. `from`: the caller's number, E.164 ("" when withheld).
std::optional<HotlineCaller> LookupHotlineCaller(pqxx::transaction_base& tx, const DataCipher& cipher,
                                                 const std::string& from, const std::string& to);

}  // namespace tocsin
