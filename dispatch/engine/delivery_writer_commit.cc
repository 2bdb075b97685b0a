// DeliveryWriter's work on a pool thread: one batch's transaction, and telling everyone once it
// committed. Kept apart from delivery_writer.cc, whose coroutines GCC 12 fails to compile
// (internal compiler error) when this code shares their translation unit.
#include "dispatch/engine/delivery_writer.h"

#include <algorithm>

#include "dispatch/engine/inbound_batch.h"

namespace tocsin {

namespace {

// Tells watchers what a committed batch changed (ids, states and answers only).
template <typename Batch>
void Announce(EventHub& events, const Batch& batch) {
  for (const auto& t : batch.transitions) {
    if (t.alert_id == 0 || !events.Watched(t.alert_id)) continue;
    events.Publish(t.alert_id, "delivery", DeliveryEventJson(t.delivery_id, t.member_id, t.state, t.error_code));
  }
  for (const auto& in : batch.inbound) {
    const auto& r = in.decision.record;
    if (!r || !events.Watched(r->alert_id)) continue;
    events.Publish(r->alert_id, "answer", AnswerEventJson(r->member_id, r->answer));
  }
}

// Organisations learn of each going or cannot answer (never who gave it), in the answer's commit.
// Whether any endpoint wants them is asked once for the batch's alerts, not once an answer.
template <typename Inbound>
void QueueAnswerEvents(pqxx::work& tx, const WebhookFanout& webhooks, const std::vector<Inbound>& inbound,
                       std::int64_t now_ms) {
  auto counted = [](const auto& in) {
    const auto& r = in.decision.record;
    return r && (r->answer == "going" || r->answer == "cannot");
  };
  std::vector<std::int64_t> alerts;
  for (const auto& in : inbound) {
    if (counted(in)) alerts.push_back(in.decision.record->alert_id);
  }
  std::sort(alerts.begin(), alerts.end());
  alerts.erase(std::unique(alerts.begin(), alerts.end()), alerts.end());
  auto wanting = webhooks.Wanting(tx, alerts, "answer.recorded");
  for (const auto& in : inbound) {
    const auto& r = in.decision.record;
    if (!counted(in) || !wanting.count(r->alert_id)) continue;
    webhooks.QueueWanted(tx, r->network_id, r->alert_id, "answer.recorded", {{"answer", r->answer}}, now_ms);
  }
}

}  // namespace

void DeliveryWriter::Flush(pqxx::connection& c, const std::vector<Transition>& batch,
                           std::vector<PendingInbound>& inbound) const {
  pqxx::work tx(c);
  const auto now_ms = hooks_.clock ? hooks_.clock->NowMs() : WallClockMs();
  WriteTransitions(tx, batch, now_ms);
  if (hooks_.webhook_health) hooks_.webhook_health(tx, batch, now_ms);
  if (!inbound.empty()) {
    std::vector<InboundSms> messages;
    for (const auto& in : inbound) messages.push_back(in.sms);
    auto decisions = DecideInboundBatch(tx, *hooks_.replies, *hooks_.cipher, messages);
    for (std::size_t i = 0; i < inbound.size(); ++i) inbound[i].decision = std::move(decisions[i]);
    if (hooks_.webhooks) QueueAnswerEvents(tx, *hooks_.webhooks, inbound, now_ms);
  }
  tx.commit();
}

void DeliveryWriter::Committed(Batch& batch) const {
  if (hooks_.events) Announce(*hooks_.events, batch);
  if (hooks_.on_failed) {
    for (const auto& t : batch.transitions) {
      if (t.state == "failed" && t.alert_id != 0) hooks_.on_failed(t.alert_id);
    }
  }
  if (hooks_.on_exhausted &&
      std::any_of(batch.transitions.begin(), batch.transitions.end(), [](const Transition& t) { return t.exhausted || t.email_failed; })) {  // coordinators' notices queued
    hooks_.on_exhausted();
  }
  for (auto& in : batch.inbound) in.done(std::move(in.decision));
}

}  // namespace tocsin
