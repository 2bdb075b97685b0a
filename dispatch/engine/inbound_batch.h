// The replies of one group commit: their senders looked up in one statement, each decided in
// memory (ReplyService::Decide), opt-outs and opt-ins applied, LIST answered with the sender's
// call list, and the answers inserted in one more. A message whose provider id was handled
// before (the provider repeated its webhook) is answered the same way but has no effect. Runs
// inside the delivery writer's transaction.
#pragma once

#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/reply_decision.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

// One decision per message of `batch`, in order.
std::vector<ReplyDecision> DecideInboundBatch(pqxx::work& tx, const ReplyService& replies, const DataCipher& cipher,
                                              const std::vector<InboundSms>& batch);

}  // namespace tocsin
