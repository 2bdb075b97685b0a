#include "dispatch/util/clock.h"

#include <ctime>

#include <algorithm>
#include <cmath>

namespace tocsin {

std::int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Rfc3339Utc(std::int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000 - (unix_ms % 1000 < 0 ? 1 : 0));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::int64_t SystemClock::NowMs() const { return WallClockMs(); }

std::chrono::milliseconds SystemClock::RealWaitUntil(std::int64_t due_ms) const {
  // The clock is in whole ms (rounded down), so now + (due - now) never ends before `due`.
  return std::chrono::milliseconds(std::max<std::int64_t>(0, due_ms - NowMs()));
}

ScaledClock::ScaledClock(double scale) : scale_(std::max(1.0, scale)), origin_ms_(WallClockMs()) {}

std::int64_t ScaledClock::NowMs() const {
  return origin_ms_ + static_cast<std::int64_t>(static_cast<double>(WallClockMs() - origin_ms_) * scale_);
}

std::chrono::milliseconds ScaledClock::RealWaitUntil(std::int64_t due_ms) const {
  auto ahead = static_cast<double>(std::max<std::int64_t>(0, due_ms - NowMs()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(ahead / scale_)));
}

ManualClock::ManualClock() : now_ms_(WallClockMs()) {}

std::int64_t ManualClock::NowMs() const {
  std::lock_guard lock(mu_);
  return now_ms_;
}

std::chrono::milliseconds ManualClock::RealWaitUntil(std::int64_t due_ms) const {
  if (due_ms <= NowMs()) return std::chrono::milliseconds(0);
  return kNever;
}

void ManualClock::Listen(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(fn));
}

std::int64_t ManualClock::Advance(std::int64_t ms) {
  std::vector<std::function<void()>> listeners;
  std::int64_t now;
  {
    std::lock_guard lock(mu_);
    now_ms_ += std::max<std::int64_t>(0, ms);
    now = now_ms_;
    listeners = listeners_;
  }
  for (auto& fn : listeners) fn();
  return now;
}

}  // namespace tocsin
