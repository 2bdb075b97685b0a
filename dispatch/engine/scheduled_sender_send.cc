// ScheduledSender's sending and outcomes (no coroutines here: see scheduled_sender.cc).
#include "dispatch/engine/scheduled_sender.h"

#include <boost/asio/post.hpp>

namespace tocsin {

Transition Unreadable(std::int64_t delivery_id) {
  Transition t;
  t.delivery_id = delivery_id;
  t.state = "cancelled";
  t.error_message = "cannot decrypt";
  return t;
}

std::size_t ScheduledSender::Claimed() const {
  std::size_t n = 0;
  for (const auto& [endpoint, q] : queues_) n += q.size();
  return n;
}

void ScheduledSender::SendReady() {
  for (auto it = queues_.begin(); it != queues_.end();) {
    auto& q = it->second;
    while (!q.empty() && !draining_) {
      auto& job = q.front();
      // The outcome needs the delivery, its queue and attempts, not the message again.
      SendJob sent{job.delivery_id, job.queue, job.attempts, {}};
      auto later = channel_.TrySend(job.message, [this, job = std::move(sent)](SendResult result) mutable {
        // May run synchronously (inside TrySend): always continue on a fresh turn.
        boost::asio::post(executor_, [this, job = std::move(job), result = std::move(result)]() mutable {
          OnOutcome(job, std::move(result));
        });
      });
      if (later) break;  // this contact point (or the channel) is at its cap; the others go on
      q.pop_front();
      ++in_flight_;
    }
    it = q.empty() ? queues_.erase(it) : std::next(it);
  }
}

void ScheduledSender::OnOutcome(const SendJob& job, SendResult result) {
  --in_flight_;
  Transition t = source_.Outcome(job, result, clock_.NowMs());
  const auto disabled = t.disable_endpoint;
  writer_.Add(std::move(t));
  if (disabled) {
    // Claimed but unsent: queued again, where they wait for the endpoint to be enabled.
    if (auto q = queues_.find(job.queue); q != queues_.end()) {
      for (const auto& waiting : q->second) {
        Transition back;
        back.delivery_id = waiting.delivery_id;
        back.state = "queued";
        back.retry_at_ms = clock_.NowMs();
        writer_.Add(std::move(back));
      }
      queues_.erase(q);
    }
  }
  if (draining_) return;
  SendReady();
  auto q = queues_.find(job.queue);
  auto left = q == queues_.end() ? 0 : static_cast<int>(q->second.size());
  if (more_due_ && left * 2 <= options_.per_endpoint_claim && !woken_) {
    woken_ = true;  // the loop claims again as soon as it can
    wake_.cancel();
  }
}

}  // namespace tocsin
