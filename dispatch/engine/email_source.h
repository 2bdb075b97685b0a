// EmailSource: email deliveries (organisations' caseworkers) for a ScheduledSender.
//
// Claims: due email deliveries (email_delivery_store.h), one queue per contact point (the
// channel caps messages at the relay, not per address); the address and the rendered email
// opened from their sealed places.
//
// What follows an attempt, as SMTP's answer says (net/smtp_client.h):
//   1. Accepted by the relay: sent (the Message-ID as provider_id).
//   2. Permanent (a 5xx refusing the recipient or the message; email_not_configured; a message
//      that cannot be built): failed at once, with the code.
//   3. Transient (a 4xx, a timeout, a connection failure, the relay refusing us): retried after
//      each delay of webhooks.retry_schedule in turn, on the engine's clock; failed when the
//      schedule is exhausted.
//
// Thread safety: const after construction.
#pragma once

#include <cstdint>
#include <vector>

#include "dispatch/engine/send_source.h"

namespace tocsin {

class EmailSource : public RetryingSource {
 public:
  using RetryingSource::RetryingSource;

  const char* name() const override { return "email"; }
  // `per_queue` and `skip` do not apply (one address rarely has more than one email waiting).
  std::vector<SendJob> Claim(pqxx::work& tx, std::int64_t now_ms, long long limit, int per_queue,
                             const std::vector<std::int64_t>& skip,
                             std::vector<Transition>& unreadable) const override;
  Transition Outcome(const SendJob& job, const SendResult& result, std::int64_t now_ms) const override;
};

}  // namespace tocsin
