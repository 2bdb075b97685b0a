// Who sent an inbound SMS, looked up for a whole batch in one statement, and the opt-out or
// opt-in a reply decided. Functions run inside a caller's transaction.
#pragma once

#include <optional>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/reply_decision.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

// The senders of `batch`, parallel to it (nullopt: the number it was sent to is no network's).
std::vector<std::optional<SenderLookup>> LookupSenders(pqxx::transaction_base& tx,
                                                       const std::vector<InboundSms>& batch,
                                                       const DataCipher& cipher);
// Applies a decision's opt-out or opt-in: one statement.
void ApplyStatus(pqxx::transaction_base& tx, const ReplyDecision& d);

}  // namespace tocsin
