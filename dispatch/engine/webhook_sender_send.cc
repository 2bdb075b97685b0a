// WebhookSender's sending and outcomes (no coroutines here: see webhook_sender.cc).
#include "dispatch/engine/webhook_sender.h"

#include <boost/asio/post.hpp>

#include "dispatch/model/webhook_retry.h"

namespace tocsin {
namespace {

WebhookResult ResultOf(const SendResult& r) {
  if (r.outcome.kind == SmsOutcome::Kind::kAccepted) return WebhookResult::kDelivered;
  if (r.gone) return WebhookResult::kGone;
  return WebhookResult::kRetryable;
}

}  // namespace

std::size_t WebhookSender::Claimed() const {
  std::size_t n = 0;
  for (const auto& [endpoint, q] : queues_) n += q.size();
  return n;
}

void WebhookSender::SendReady() {
  for (auto it = queues_.begin(); it != queues_.end();) {
    auto& q = it->second;
    while (!q.empty() && !draining_) {
      auto& job = q.front();
      auto later = channel_.TrySend(job.message, [this, endpoint = it->first, id = job.delivery_id,
                                                  attempts = job.attempts](SendResult result) {
        // May run synchronously (inside TrySend): always continue on a fresh turn.
        boost::asio::post(executor_, [this, endpoint, id, attempts, result = std::move(result)]() mutable {
          OnOutcome(endpoint, id, attempts, std::move(result));
        });
      });
      if (later) break;  // this endpoint is at its cap; the others go on
      q.pop_front();
      ++in_flight_;
    }
    it = q.empty() ? queues_.erase(it) : std::next(it);
  }
}

void WebhookSender::OnOutcome(std::int64_t endpoint_id, std::int64_t delivery_id, int attempts, SendResult result) {
  --in_flight_;
  const auto& o = result.outcome;
  std::optional<std::int64_t> retry_after;
  if (o.kind == SmsOutcome::Kind::kThrottled && o.retry_after.count() > 0) {
    retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(o.retry_after).count();
  }
  auto next = DecideWebhookNext(ResultOf(result), attempts, retry_after, options_.retry_schedule_ms, clock_.NowMs());
  Transition t;
  t.delivery_id = delivery_id;
  t.http_status = result.http_status > 0 ? std::optional<int>(result.http_status) : std::nullopt;
  t.latency_ms = result.latency_ms;
  if (o.kind != SmsOutcome::Kind::kAccepted) {
    t.error_code = o.error_code;
    t.error_message = o.error_message;
  }
  switch (next.state) {
    case WebhookNextState::kDelivered: t.state = "delivered"; break;
    case WebhookNextState::kRetry:
      t.state = "queued";
      t.retry_at_ms = next.retry_at_ms;
      break;
    case WebhookNextState::kFailed: t.state = "failed"; break;
  }
  if (next.disable_endpoint) t.disable_endpoint = endpoint_id;
  t.attempt_endpoint = endpoint_id;
  t.exhausted = next.state == WebhookNextState::kFailed && !next.disable_endpoint;
  writer_.Add(std::move(t));
  if (next.disable_endpoint) {
    // Claimed but unsent: queued again, where they wait for the endpoint to be enabled.
    if (auto q = queues_.find(endpoint_id); q != queues_.end()) {
      for (const auto& job : q->second) {
        Transition back;
        back.delivery_id = job.delivery_id;
        back.state = "queued";
        back.retry_at_ms = clock_.NowMs();
        writer_.Add(std::move(back));
      }
      queues_.erase(q);
    }
  }
  if (draining_) return;
  SendReady();
  auto q = queues_.find(endpoint_id);
  auto left = q == queues_.end() ? 0 : static_cast<int>(q->second.size());
  if (more_due_ && left * 2 <= options_.per_endpoint_claim && !woken_) {
    woken_ = true;  // the loop claims again as soon as it can
    wake_.cancel();
  }
}

}  // namespace tocsin
