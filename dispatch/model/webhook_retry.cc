#include "dispatch/model/webhook_retry.h"

#include <algorithm>

namespace tocsin {

WebhookNext DecideWebhookNext(WebhookResult result, int attempts, std::optional<std::int64_t> retry_after_ms,
                              const std::vector<std::int64_t>& schedule_ms, std::int64_t now_ms) {
  WebhookNext next;
  switch (result) {
    case WebhookResult::kDelivered:
      next.state = WebhookNextState::kDelivered;
      return next;
    case WebhookResult::kGone:
      next.state = WebhookNextState::kFailed;
      next.disable_endpoint = true;
      return next;
    case WebhookResult::kRetryable:
      break;
  }
  if (attempts < 1 || static_cast<std::size_t>(attempts) > schedule_ms.size()) {
    next.state = WebhookNextState::kFailed;
    return next;
  }
  auto delay = schedule_ms[static_cast<std::size_t>(attempts - 1)];
  if (retry_after_ms) delay = std::max(delay, std::min(*retry_after_ms, kMaxRetryAfterMs));
  next.state = WebhookNextState::kRetry;
  next.retry_at_ms = now_ms + delay;
  return next;
}

}  // namespace tocsin
