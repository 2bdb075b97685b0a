// Who sent an inbound SMS, looked up for a whole batch in two statements (the networks of the
// numbers written to, then the senders by their hash keyed for that network), and the opt-out or
// opt-in a reply decided. Functions run inside a caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/reply_decision.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

// The senders of `batch`, parallel to it (nullopt: the number it was sent to is no network's).
// `named_codes`, parallel too: the alert code each message names ("" for none), for
// SenderLookup::named_alert_ended.
std::vector<std::optional<SenderLookup>> LookupSenders(pqxx::transaction_base& tx,
                                                       const std::vector<InboundSms>& batch,
                                                       const std::vector<std::string>& named_codes,
                                                       const DataCipher& cipher);
// Records the provider ids of a batch of inbound messages; returns those seen for the first time
// (a repeated webhook's id is not among them).
std::unordered_set<std::string> FirstSeen(pqxx::transaction_base& tx, const std::vector<std::string>& provider_ids);
// Applies a decision's opt-out or opt-in to its member (none: nothing): one statement.
void ApplyStatus(pqxx::transaction_base& tx, const ReplyDecision& d);

}  // namespace tocsin
