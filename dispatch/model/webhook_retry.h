// What follows one attempt of a webhook delivery (Standard Webhooks' retry rules), as a pure
// function of the attempt's result, how many attempts were made, the schedule and the time.
//
//  1. A 2xx answer delivers it.
//  2. 410 Gone fails it and disables the endpoint.
//  3. Anything else is retried after schedule[attempts - 1] (the schedule lists the delays
//     before the 2nd, 3rd... attempts), or after the endpoint's Retry-After when that is longer
//     (capped at kMaxRetryAfterMs); with the schedule exhausted it fails.
//
// Pure; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace tocsin {

inline constexpr std::int64_t kMaxRetryAfterMs = 24LL * 3600 * 1000;

enum class WebhookResult { kDelivered, kGone, kRetryable };
enum class WebhookNextState { kDelivered, kRetry, kFailed };

struct WebhookNext {
  WebhookNextState state = WebhookNextState::kFailed;
  std::optional<std::int64_t> retry_at_ms;  // kRetry: when, on the engine clock
  bool disable_endpoint = false;
};

// `attempts`: made so far, this one included (>= 1).
WebhookNext DecideWebhookNext(WebhookResult result, int attempts, std::optional<std::int64_t> retry_after_ms,
                              const std::vector<std::int64_t>& schedule_ms, std::int64_t now_ms);

}  // namespace tocsin
