#include "dispatch/engine/email_source.h"

#include "dispatch/model/webhook_retry.h"
#include "dispatch/store/email_delivery_store.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {

std::vector<SendJob> EmailSource::Claim(pqxx::work& tx, std::int64_t now_ms, long long limit, int /*per_queue*/,
                                        const std::vector<std::int64_t>& /*skip*/,
                                        std::vector<Transition>& unreadable) const {
  std::vector<SendJob> out;
  for (auto& r : ClaimEmailDeliveries(tx, now_ms, limit)) {
    auto address = cipher_.Open(r.address_enc, places::EmailAddress(r.network_id, r.email_id));
    auto text = cipher_.Open(r.body_enc, places::EmailBody(r.network_id, r.message_id));
    if (!address || !text) {
      unreadable.push_back(Unreadable(r.id));
      continue;
    }
    auto [subject, body] = SplitEmailText(*text);
    SendJob job;
    job.delivery_id = r.id;
    job.queue = r.email_id;
    job.attempts = r.attempts;
    job.message.delivery_id = r.id;
    job.message.network_id = r.network_id;
    job.message.to = std::move(*address);
    job.message.subject = std::move(subject);
    job.message.body = std::move(body);
    job.message.message_id = r.message_id;
    out.push_back(std::move(job));
  }
  return out;
}

Transition EmailSource::Outcome(const SendJob& job, const SendResult& result, std::int64_t now_ms) const {
  const auto& o = result.outcome;
  Transition t;
  t.delivery_id = job.delivery_id;
  if (o.kind == SmsOutcome::Kind::kAccepted) {
    t.state = "sent";
    t.sender = result.sender;
    t.provider_id = o.provider_id;
    return t;
  }
  t.error_code = o.error_code;
  t.error_message = o.error_message;
  if (o.kind == SmsOutcome::Kind::kPermanent) {
    t.state = "failed";
    t.email_failed = true;
    return t;
  }
  auto next = DecideWebhookNext(WebhookResult::kRetryable, job.attempts, std::nullopt, schedule_ms_, now_ms);
  if (next.state == WebhookNextState::kRetry) {
    t.state = "queued";
    t.retry_at_ms = next.retry_at_ms;
  } else {
    t.state = "failed";
    t.email_failed = true;
  }
  return t;
}

}  // namespace tocsin
