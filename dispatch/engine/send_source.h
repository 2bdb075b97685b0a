// SendSource: what a ScheduledSender sends (organisations' contact points: webhook endpoints,
// email addresses), and what follows each attempt. The sender owns the loop, the queues and
// the draining; a source knows its rows (claims, what is sealed in them) and its retry rules.
//
// Threading: Claim runs on a database pool thread inside the sender's transaction; Outcome on
// the engine's executor. A source holds const state only.
#pragma once

#include <cstdint>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/channels/channel.h"
#include "dispatch/store/delivery_store.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

// One claimed delivery, opened and ready for its channel. `queue`: the contact point whose
// queue it waits in (a webhook endpoint: its own cap; an email address).
struct SendJob {
  std::int64_t delivery_id = 0;
  std::int64_t queue = 0;
  int attempts = 0;  // including this one
  OutboundMessage message;
};

class SendSource {
 public:
  virtual ~SendSource() = default;
  // For logs: "webhook", "email".
  virtual const char* name() const = 0;
  // Claims (queued -> sending) up to `limit` deliveries due by the engine clock `now_ms`, at
  // most `per_queue` of one queue and none of `skip` (full queues). One that cannot be opened
  // is not returned: its transition (cancelled) is added to `unreadable`.
  virtual std::vector<SendJob> Claim(pqxx::work& tx, std::int64_t now_ms, long long limit, int per_queue,
                                     const std::vector<std::int64_t>& skip,
                                     std::vector<Transition>& unreadable) const = 0;
  // What the attempt `job` led to: the delivery's next state (the retry's due time, the
  // endpoint to disable...), for the delivery writer.
  // `job` without its message (delivery_id, queue, attempts).
  virtual Transition Outcome(const SendJob& job, const SendResult& result, std::int64_t now_ms) const = 0;
};

// What the webhook and email sources share: the cipher their rows are sealed with, and
// webhooks.retry_schedule (the delays before the 2nd, 3rd... attempts, in ms).
class RetryingSource : public SendSource {
 public:
  // Public so that sources inherit it as their own (`using RetryingSource::RetryingSource`).
  RetryingSource(const DataCipher& cipher, std::vector<std::int64_t> schedule_ms)
      : cipher_(cipher), schedule_ms_(std::move(schedule_ms)) {}

 protected:
  const DataCipher& cipher_;
  const std::vector<std::int64_t> schedule_ms_;
};

// The transition of a delivery that cannot be opened (its key or place is wrong): cancelled.
Transition Unreadable(std::int64_t delivery_id);

}  // namespace tocsin
