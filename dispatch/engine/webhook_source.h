// WebhookSource: webhook deliveries for a ScheduledSender (Standard Webhooks).
//
// Claims: due deliveries of active endpoints (webhook_delivery_store.h), each endpoint its own
// queue; the URL, body and signing keys (the current secret's, then a rotation's previous one)
// opened from their sealed places.
//
// Retries (model/webhook_retry.h): after the first attempt a failed delivery (no 2xx, no
// answer, 429/502/503/504, a refused address) is tried again after each delay of the schedule
// in turn, on the engine's clock, or after Retry-After when that is longer; when the schedule is
// exhausted it is failed (and coordinators are told: `exhausted`). 410 Gone fails it and
// disables the endpoint. The webhook-id never changes.
//
// Thread safety: const after construction.
#pragma once

#include <cstdint>
#include <vector>

#include "dispatch/engine/send_source.h"

namespace tocsin {

class WebhookSource : public RetryingSource {
 public:
  using RetryingSource::RetryingSource;

  const char* name() const override { return "webhook"; }
  std::vector<SendJob> Claim(pqxx::work& tx, std::int64_t now_ms, long long limit, int per_queue,
                             const std::vector<std::int64_t>& skip,
                             std::vector<Transition>& unreadable) const override;
  Transition Outcome(const SendJob& job, const SendResult& result, std::int64_t now_ms) const override;
};

}  // namespace tocsin
