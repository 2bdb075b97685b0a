#include "dispatch/engine/timer_service.h"

#include <chrono>
#include <limits>
#include <utility>

#include <boost/asio/post.hpp>

namespace tocsin {

TimerService::TimerService(boost::asio::any_io_executor executor, FireFn on_fire, Clock& clock,
                           std::size_t max_fires_per_turn)
    : executor_(std::move(executor)),
      on_fire_(std::move(on_fire)),
      clock_(clock),
      max_fires_per_turn_(max_fires_per_turn == 0 ? 1 : max_fires_per_turn),
      wheel_(clock.NowMs()),
      timer_(executor_) {
  // A jump of the clock: look again at once (on the executor) for what became due.
  clock.Listen([this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired()) return;
    boost::asio::post(executor_, [this, alive] {
      if (alive.expired() || in_turn_) return;
      if (armed_due_ == std::numeric_limits<std::int64_t>::min()) return;  // a continuation is queued
      if (std::optional<std::int64_t> next = wheel_.NextDue()) Arm(*next);
    });
  });
}

TimerService::~TimerService() {
  alive_.reset();
  timer_.cancel();
}

TimerService::TimerId TimerService::Add(std::int64_t due_ms, std::uint64_t payload) {
  TimerId id = wheel_.Add(due_ms, payload);
  if (!in_turn_ && (!armed_due_ || due_ms < *armed_due_)) Arm(due_ms);
  return id;
}

bool TimerService::Cancel(TimerId id) { return wheel_.Cancel(id); }

void TimerService::Arm(std::int64_t due_ms) {
  armed_due_ = due_ms;
  timer_.expires_after(clock_.RealWaitUntil(due_ms));
  // A re-arm aborts the previous wait; a wait that already completed runs as a harmless extra
  // turn. The weak_ptr keeps handlers queued past our destruction from touching `this`.
  timer_.async_wait(
      [this, alive = std::weak_ptr<char>(alive_)](const boost::system::error_code& ec) {
        if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
        OnWake();
      });
}

void TimerService::OnWake() {
  armed_due_.reset();
  std::size_t fired;
  {
    // Reset even if on_fire_ throws, so the next Add arms again (contract 4).
    struct TurnGuard {
      bool& flag;
      ~TurnGuard() { flag = false; }
    } guard{in_turn_};
    in_turn_ = true;
    fired = wheel_.Advance(
        clock_.NowMs(),
        [this](TimerId id, std::uint64_t payload, std::int64_t due_ms) {
          on_fire_(id, payload, due_ms);
        },
        max_fires_per_turn_);
  }
  if (fired == max_fires_per_turn_) {
    // More may be due: let the handlers queued meanwhile run first, then continue.
    armed_due_ = std::numeric_limits<std::int64_t>::min();
    boost::asio::post(executor_, [this, alive = std::weak_ptr<char>(alive_)] {
      if (!alive.expired()) OnWake();
    });
    return;
  }
  if (std::optional<std::int64_t> next = wheel_.NextDue()) Arm(*next);
}

}  // namespace tocsin
