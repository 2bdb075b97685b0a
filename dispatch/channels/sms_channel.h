// SmsChannel: SMS through an SmsProvider (Twilio, or the sandbox), each network's numbers paced
// by token buckets in segments per second (token_bucket.h), round-robin over the numbers whose
// bucket allows the message. A throttled answer (429 / 20429: the account is over its
// concurrency) pauses every send of the channel for Retry-After (at least a second).
//
// Threading: as Channel's (the dispatcher's executor); the provider's callbacks may come from
// any thread and only touch the pause through an atomic.
#pragma once

#include <atomic>
#include <map>
#include <memory>

#include "dispatch/channels/channel.h"
#include "dispatch/channels/token_bucket.h"

namespace tocsin {

class SmsChannel : public Channel {
 public:
  SmsChannel(SmsProvider& provider, double default_rate) : provider_(provider), default_rate_(default_rate) {}

  std::string_view name() const override { return "sms"; }
  void SetSenders(std::int64_t network_id, const std::vector<SenderConfig>& senders) override;
  double Rate(std::int64_t network_id) const override;
  std::optional<std::chrono::nanoseconds> TrySend(const OutboundMessage& m,
                                                  std::function<void(SendResult)> done) override;

 private:
  struct Sender {
    std::string number;
    TokenBucket bucket;
  };
  struct Senders {
    std::vector<Sender> numbers;
    std::size_t next = 0;  // round-robin start
  };

  SmsProvider& provider_;
  const double default_rate_;
  std::map<std::int64_t, Senders> networks_;
  // steady_clock ticks until which nothing is sent (a throttled answer); set from any thread.
  std::shared_ptr<std::atomic<std::int64_t>> paused_until_ = std::make_shared<std::atomic<std::int64_t>>(0);
};

}  // namespace tocsin
