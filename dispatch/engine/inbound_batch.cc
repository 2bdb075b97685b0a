#include "dispatch/engine/inbound_batch.h"

#include "dispatch/store/delivery_store.h"
#include "dispatch/store/sender_lookup.h"

namespace tocsin {

std::vector<ReplyDecision> DecideInboundBatch(pqxx::work& tx, const ReplyService& replies, const DataCipher& cipher,
                                              const std::vector<InboundSms>& batch) {
  auto senders = LookupSenders(tx, batch, cipher);
  std::vector<std::string> sids;
  for (const auto& sms : batch) {
    if (!sms.sid.empty()) sids.push_back(sms.sid);
  }
  auto fresh = FirstSeen(tx, sids);
  std::vector<ReplyDecision> out;
  std::vector<ResponseRecord> records;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto d = replies.Decide(batch[i], senders[i]);
    // A repeated webhook (its id seen before, or earlier in this batch) gets the same answer
    // and has no effect: nothing recorded, no opt-out or opt-in, no event.
    if (!batch[i].sid.empty() && fresh.erase(batch[i].sid) == 0) {
      d.record.reset();
      d.set_status.reset();
      d.outcome = "repeat";
    }
    if (d.set_status) ApplyStatus(tx, d);  // STOP/START: rare, one statement each
    if (d.record) records.push_back(*d.record);
    out.push_back(std::move(d));
  }
  InsertResponses(tx, records);
  return out;
}

}  // namespace tocsin
