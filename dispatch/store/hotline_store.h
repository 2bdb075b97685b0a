// The hotline's lookup (issue 11): who is calling the network's number, and what they may hear.
// One read transaction per incoming call (the caller is not known before the call comes in,
// so nothing can be prepared). Runs inside a caller's transaction.
//
// A caller is a member of the network behind the number called when their number's keyed hash
// is one of its members'; only an active member is told alerts. Their open alerts are those an
// answer of theirs would count for (model/reply_decision.h): open alerts of the network that the
// member was sent (a step over their areas and roles, a tree, a backup), or whose phone tree
// they are in; newest first, at most kMaxHotlineAlerts. An alert over their areas that did not
// reach them (another role, a step not started yet) is not read: its audience is the policy's.
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

// nullopt: `to` is no network's number. `from`: the caller's number, E.164 ("" when withheld).
std::optional<HotlineCaller> LookupHotlineCaller(pqxx::transaction_base& tx, const DataCipher& cipher,
                                                 const std::string& from, const std::string& to);

}  // namespace tocsin
