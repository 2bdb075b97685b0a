// TimerService: a TimerWheel driven by one boost::asio::steady_timer, for the escalation engine.
//
// The wheel keeps every pending deadline; a single steady_timer is armed for the earliest one
// (TimerWheel::NextDue). When it expires, the service advances the wheel to the clock's time and
// calls `on_fire` for each timer due, then arms for the next deadline. Callbacks, not coroutines
// (GCC 12 miscompiles lambda captures inside co_await/co_spawn).
//
// Time: deadlines are ms since the Unix epoch by the engine's Clock (TimerWheel's unit); the
// steady_timer only measures the real wait the clock asks for (Clock::RealWaitUntil). If the
// clock steps, a wake finds nothing due (or more than expected) and simply re-arms for the
// then-remaining time; a clock that jumps (ManualClock::Advance) tells the service, which
// fires what became due.
//
// Contracts:
//  1. A timer fires no earlier than its deadline by `clock`, normally within about 1 ms of it
//     on an idle loop; on a busy loop the lateness adds the wait for the handlers queued ahead
//     (tests/bench/timer_bench.cc measures it). Past deadlines fire at the next turn.
//  2. At most `max_fires_per_turn` callbacks run per handler invocation; if more are due, the
//     service posts a continuation so other work on the executor is not starved (a million
//     timers rebuilt past due after a restart do not block the loop).
//  3. Order is TimerWheel's: deadline order, ties in Add order.
//  4. `on_fire` may call Add and Cancel. It must not throw: an exception propagates out of the
//     io_context's run() and the service stays unarmed until the next Add.
//  5. Cancel never touches the steady_timer: waking for a cancelled timer costs one empty turn.
//
// Threading: not thread-safe. Construct, call and destroy on `executor` (a strand or a one-thread
// io_context); `on_fire` runs there. Handlers still queued at destruction do nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/engine/timer_wheel.h"
#include "dispatch/util/clock.h"

namespace tocsin {

class TimerService {
 public:
  using TimerId = TimerWheel::TimerId;
  using FireFn = std::function<void(TimerId id, std::uint64_t payload, std::int64_t due_ms)>;

  static constexpr std::size_t kDefaultMaxFiresPerTurn = 1024;

  // std::chrono::system_clock in ms since the epoch.
  static std::int64_t SystemNowMs() { return WallClockMs(); }

  // `clock` must outlive the service.
  TimerService(boost::asio::any_io_executor executor, FireFn on_fire, Clock& clock,
               std::size_t max_fires_per_turn = kDefaultMaxFiresPerTurn);
  ~TimerService();
  TimerService(const TimerService&) = delete;
  TimerService& operator=(const TimerService&) = delete;

  // As TimerWheel::Add; arms the steady_timer earlier if this is the new earliest deadline.
  TimerId Add(std::int64_t due_ms, std::uint64_t payload);
  // As TimerWheel::Cancel.
  bool Cancel(TimerId id);

  std::size_t size() const { return wheel_.size(); }
  std::optional<std::int64_t> NextDue() const { return wheel_.NextDue(); }
  const TimerWheel& wheel() const { return wheel_; }

 private:
  // Starts a wait that ends at `due_ms` by the clock (at once if it has passed).
  void Arm(std::int64_t due_ms);
  // Runs one turn: fires what is due, then re-arms or posts a continuation.
  void OnWake();

  // Immutable after construction.
  boost::asio::any_io_executor executor_;
  FireFn on_fire_;
  const Clock& clock_;
  std::size_t max_fires_per_turn_;

  // Only on executor_.
  TimerWheel wheel_;
  boost::asio::steady_timer timer_;
  // The deadline the steady_timer is armed for, INT64_MIN while a continuation is posted, or
  // nullopt when nothing is armed. Adds arm again only for an earlier deadline.
  std::optional<std::int64_t> armed_due_;
  bool in_turn_ = false;  // inside OnWake: Adds leave arming to the end of the turn
  // Handlers hold a weak_ptr to this: expired means the service is gone, do nothing.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace tocsin
