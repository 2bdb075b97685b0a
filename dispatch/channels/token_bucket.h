// TokenBucket: a sender number's rate in SMS segments per second.
//
// Invariants:
//  1. Tokens refill continuously at `rate` per second up to `capacity`: 1/20 s worth (at least
//     one token). We pace evenly instead of bursting a whole second at once, so jitter on the way
//     to the provider never makes us look faster than the rate to its own (one-second) bucket.
//  2. A message may take more tokens than are left only when the bucket is full (a 3-segment
//     message on a 1 segment/s number), leaving a debt repaid before the next send; so over any
//     window the segments sent never exceed rate x window + capacity.
#pragma once

#include <algorithm>
#include <chrono>

namespace tocsin {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate, Clock::time_point now)
      : rate_(rate), capacity_(std::max(1.0, rate / 20.0)), tokens_(capacity_), last_(now) {}

  // Takes `n` tokens if allowed now.
  bool TryTake(int n, Clock::time_point now) {
    Refill(now);
    double need = std::min<double>(n, capacity_);
    if (tokens_ + 1e-9 < need) return false;
    tokens_ -= n;
    return true;
  }
  // How long until TryTake(n) would succeed.
  std::chrono::nanoseconds WaitFor(int n, Clock::time_point now) {
    Refill(now);
    double need = std::min<double>(n, capacity_) - tokens_;
    if (need <= 0) return std::chrono::nanoseconds(0);
    return std::chrono::nanoseconds(static_cast<long long>(need / rate_ * 1e9) + 1);
  }
  double tokens() const { return tokens_; }
  double rate() const { return rate_; }

 private:
  void Refill(Clock::time_point now) {
    if (now <= last_) return;
    tokens_ = std::min(capacity_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
  }

  double rate_;
  double capacity_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace tocsin
