#include "dispatch/channels/sms_channel.h"

#include <algorithm>

namespace tocsin {

using BucketClock = TokenBucket::Clock;

void SmsChannel::SetSenders(std::int64_t network_id, const std::vector<SenderConfig>& senders) {
  auto& s = networks_[network_id];
  s.numbers.clear();
  s.next = 0;
  auto now = BucketClock::now();
  for (const auto& c : senders) s.numbers.push_back({c.address, TokenBucket(c.rate.value_or(default_rate_), now)});
}

double SmsChannel::Rate(std::int64_t network_id) const {
  auto it = networks_.find(network_id);
  if (it == networks_.end()) return 0;
  double rate = 0;
  for (const auto& s : it->second.numbers) rate += s.bucket.rate();
  return rate;
}

std::optional<std::chrono::nanoseconds> SmsChannel::TrySend(const OutboundMessage& m,
                                                            std::function<void(SendResult)> done) {
  auto now = BucketClock::now();
  auto paused = BucketClock::time_point(BucketClock::duration(paused_until_->load()));
  if (now < paused) return paused - now;
  auto it = networks_.find(m.network_id);
  if (it == networks_.end() || it->second.numbers.empty()) return std::chrono::hours(1);
  auto& senders = it->second;
  // Spread the load: try numbers round-robin, take the first whose bucket allows it.
  std::chrono::nanoseconds soonest = std::chrono::hours(1);
  for (std::size_t k = 0; k < senders.numbers.size(); ++k) {
    auto& s = senders.numbers[(senders.next + k) % senders.numbers.size()];
    if (!s.bucket.TryTake(m.segments, now)) {
      soonest = std::min(soonest, s.bucket.WaitFor(m.segments, now));
      continue;
    }
    senders.next = (senders.next + k + 1) % senders.numbers.size();
    SmsMessage msg{m.delivery_id, m.to, s.number, m.body, m.segments, m.validity_seconds};
    provider_.Send(msg, [sender = s.number, paused_until = paused_until_, done = std::move(done)](SmsOutcome o) {
      if (o.kind == SmsOutcome::Kind::kThrottled) {
        // Everyone waits: the account is over its concurrency.
        auto pause = std::max<std::chrono::seconds>(o.retry_after, std::chrono::seconds(1));
        auto until = (BucketClock::now() + pause).time_since_epoch().count();
        auto seen = paused_until->load();
        while (seen < until && !paused_until->compare_exchange_weak(seen, until)) {
        }
      }
      done({std::move(o), sender});
    });
    return std::nullopt;
  }
  return soonest;
}

}  // namespace tocsin
