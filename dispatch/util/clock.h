// Clock: the engine's one source of time. Every escalation deadline (steps, reminders, backups,
// tree waits) is computed from Clock::NowMs() in the process and stored as a value, and so are
// the times those deadlines count from (when a delivery was reached, when an alert ended); the
// database never decides what time it is for escalation. Pacing a provider (rate limits, retry
// backoff) is real time, not this clock's: it is about the provider, not about people.
//
//   SystemClock  the wall clock (production).
//   ScaledClock  runs `scale` times faster than the wall clock from its construction (demos:
//                escalation.time_scale, TOCSIN_TIME_SCALE). Times it reports lie in the future.
//   ManualClock  stands still until Advance() (tests: [testing] manual_clock, moved through
//                POST /v1/admin/clock). It starts at the wall clock's time.
//
// Timers (engine/timer_service.h) wait on real time for RealWaitUntil() and are told by
// Listen() when a clock jumps, so a ManualClock's Advance fires what became due.
//
// Thread safety: every method of every clock is safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace tocsin {

class Clock {
 public:
  static constexpr std::chrono::hours kNever{24};

  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, as the engine sees it.
  virtual std::int64_t NowMs() const = 0;
  // Real time to wait before NowMs() reaches `due_ms` (zero if it has); kNever when the clock
  // only moves by jumps.
  virtual std::chrono::milliseconds RealWaitUntil(std::int64_t due_ms) const = 0;
  // `fn` runs (on the thread that moved the clock) after every jump. Listeners live as long as
  // the clock; they must only post work elsewhere.
  virtual void Listen(std::function<void()> fn) {}
};

class SystemClock : public Clock {
 public:
  std::int64_t NowMs() const override;
  std::chrono::milliseconds RealWaitUntil(std::int64_t due_ms) const override;
};

class ScaledClock : public Clock {
 public:
  explicit ScaledClock(double scale);  // >= 1
  std::int64_t NowMs() const override;
  std::chrono::milliseconds RealWaitUntil(std::int64_t due_ms) const override;

 private:
  const double scale_;
  const std::int64_t origin_ms_;  // wall clock at construction: both clocks agree there
};

class ManualClock : public Clock {
 public:
  ManualClock();
  std::int64_t NowMs() const override;
  std::chrono::milliseconds RealWaitUntil(std::int64_t due_ms) const override;
  void Listen(std::function<void()> fn) override;
  // Moves the clock forward by `ms` (>= 0) and tells the listeners. Returns the new time.
  std::int64_t Advance(std::int64_t ms);

 private:
  mutable std::mutex mu_;
  std::int64_t now_ms_;                         // guarded by mu_
  std::vector<std::function<void()>> listeners_;  // guarded by mu_
};

// The wall clock in ms since the Unix epoch.
std::int64_t WallClockMs();
// `unix_ms` as the API writes times: RFC 3339 UTC to the second ("2026-12-01T03:39:02Z").
std::string Rfc3339Utc(std::int64_t unix_ms);

}  // namespace tocsin
