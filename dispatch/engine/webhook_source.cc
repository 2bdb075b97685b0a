#include "dispatch/engine/webhook_source.h"

#include "dispatch/model/webhook_retry.h"
#include "dispatch/store/webhook_delivery_store.h"
#include "dispatch/util/sealed_places.h"
#include "dispatch/util/standard_webhooks.h"

namespace tocsin {
namespace {

WebhookResult ResultOf(const SendResult& r) {
  if (r.outcome.kind == SmsOutcome::Kind::kAccepted) return WebhookResult::kDelivered;
  if (r.gone) return WebhookResult::kGone;
  return WebhookResult::kRetryable;
}

}  // namespace

std::vector<SendJob> WebhookSource::Claim(pqxx::work& tx, std::int64_t now_ms, long long limit, int per_queue,
                                          const std::vector<std::int64_t>& skip,
                                          std::vector<Transition>& unreadable) const {
  std::vector<SendJob> out;
  for (auto& r : ClaimWebhookDeliveries(tx, now_ms, limit, per_queue, skip)) {
    auto url = cipher_.Open(r.url_enc, places::EndpointUrl(r.network_id, r.endpoint_id));
    auto body = cipher_.Open(r.body_enc, places::WebhookBody(r.network_id, r.message_id));
    auto secret = cipher_.Open(r.secret_enc, places::EndpointSecret(r.network_id, r.endpoint_id));
    auto key = secret ? WebhookSecretKey(*secret) : std::nullopt;
    if (!url || !body || !key) {
      unreadable.push_back(Unreadable(r.id));
      continue;
    }
    SendJob job;
    job.delivery_id = r.id;
    job.queue = r.endpoint_id;
    job.attempts = r.attempts;
    job.message.delivery_id = r.id;
    job.message.network_id = r.network_id;
    job.message.to = std::move(*url);
    job.message.body = std::move(*body);
    job.message.endpoint_id = r.endpoint_id;
    job.message.message_id = r.message_id;
    job.message.keys.push_back(std::move(*key));
    if (r.previous_secret_enc) {
      auto previous = cipher_.Open(*r.previous_secret_enc, places::EndpointSecret(r.network_id, r.endpoint_id));
      if (auto old_key = previous ? WebhookSecretKey(*previous) : std::nullopt) job.message.keys.push_back(*old_key);
    }
    out.push_back(std::move(job));
  }
  return out;
}

Transition WebhookSource::Outcome(const SendJob& job, const SendResult& result, std::int64_t now_ms) const {
  const auto& o = result.outcome;
  std::optional<std::int64_t> retry_after;
  if (o.kind == SmsOutcome::Kind::kThrottled && o.retry_after.count() > 0) {
    retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(o.retry_after).count();
  }
  auto next = DecideWebhookNext(ResultOf(result), job.attempts, retry_after, schedule_ms_, now_ms);
  Transition t;
  t.delivery_id = job.delivery_id;
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
  if (next.disable_endpoint) t.disable_endpoint = job.queue;
  t.attempt_endpoint = job.queue;
  t.exhausted = next.state == WebhookNextState::kFailed && !next.disable_endpoint;
  return t;
}

}  // namespace tocsin
