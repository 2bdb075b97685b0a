#include "dispatch/engine/inbound_batch.h"

#include <unordered_set>

#include "dispatch/model/reply_parser.h"
#include "dispatch/store/call_list_store.h"
#include "dispatch/store/delivery_store.h"
#include "dispatch/store/sender_lookup.h"
#include "dispatch/store/stop_list.h"

namespace tocsin {

std::vector<ReplyDecision> DecideInboundBatch(pqxx::work& tx, const ReplyService& replies, const DataCipher& cipher,
                                              const std::vector<InboundSms>& batch) {
  // Each body read once: its named code for the lookup, the whole of it for the decision.
  std::vector<ParsedReply> parsed;
  std::vector<std::string> codes;
  for (const auto& sms : batch) {
    parsed.push_back(ParseReply(sms.body));
    codes.push_back(parsed.back().alert_code.value_or(""));
  }
  auto senders = LookupSenders(tx, batch, codes, cipher);
  std::vector<ReplyDecision> out;
  for (std::size_t i = 0; i < batch.size(); ++i) out.push_back(replies.Decide(batch[i], parsed[i], senders[i]));
  // A repeated webhook (its provider id handled before, or earlier in this batch) gets the same
  // answer and has no effect: nothing recorded, no opt-out or opt-in, no event. Answers find
  // repeats through their own unique provider id; STOP and START (rare) through
  // inbound_messages.
  auto repeat = [](ReplyDecision& d) {
    d.record.reset();
    d.set_status.reset();
    d.outcome = "repeat";
  };
  std::vector<std::string> status_sids;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (out[i].set_status && !batch[i].sid.empty()) status_sids.push_back(batch[i].sid);
  }
  auto fresh = FirstSeen(tx, status_sids);
  std::vector<ResponseRecord> records;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& d = out[i];
    if (d.set_status && !batch[i].sid.empty() && fresh.erase(batch[i].sid) == 0) repeat(d);
    if (d.set_status) {  // STOP/START: rare, a few statements each
      ApplyStatus(tx, d);
      // The opt-out is the number's and outlives the member (store/stop_list.h).
      const StopList stops(cipher);
      if (*d.set_status == "opted_out") stops.Add(tx, senders[i]->network_id, batch[i].from);
      if (*d.set_status == "active") stops.Remove(tx, senders[i]->network_id, batch[i].from);
    }
    if (d.record) records.push_back(*d.record);
  }
  // LIST (rare): one statement for the call list, one for its people.
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& d = out[i];
    if (!d.wants_call_list || !senders[i]) continue;
    auto ids = LatestCallList(tx, senders[i]->network_id, d.member_id);
    auto people = InCallingOrder(PeopleToCall(tx, cipher, ids), ids);
    d.reply_texts = replies.CallListReply(*senders[i], people);
  }
  auto inserted = InsertResponses(tx, records);
  std::unordered_set<std::string> stored(inserted.begin(), inserted.end());
  for (auto& d : out) {
    if (d.record && d.record->provider_id && stored.erase(*d.record->provider_id) == 0) repeat(d);
  }
  return out;
}

}  // namespace tocsin
