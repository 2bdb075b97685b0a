// Housekeeper: the engine's chores by its Clock, today the retention purge (engine/retention.h):
// kFirstAfter after start, then every kEvery. A chore runs on the database pool; a failed one
// (the database down) is logged and tried again at the next round. With a ManualClock, moving
// the clock past a round runs it (tests purge without waiting an hour).
//
// Threading: construct and call on the engine's executor (Start and Drain post there).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "dispatch/engine/timer_service.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/db_pool.h"
#include "dispatch/util/clock.h"

namespace tocsin {

class Housekeeper {
 public:
  static constexpr std::int64_t kFirstAfterMs = 60 * 1000;
  static constexpr std::int64_t kEveryMs = 60 * 60 * 1000;

  Housekeeper(boost::asio::any_io_executor executor, DbPool& db, Clock& clock, const AlertStore& alerts,
              int audit_days);

  void Start();
  // No new chore; `done` runs on the executor once the one under way (if any) has ended.
  void Drain(std::function<void()> done);
  // Nothing under way and nothing due by the clock.
  bool Settled() const;

 private:
  boost::asio::awaitable<void> Purge();

  boost::asio::any_io_executor executor_;
  DbPool& db_;
  Clock& clock_;
  const AlertStore& alerts_;
  const int audit_days_;
  // Only on the executor.
  TimerService timers_;
  bool busy_ = false;
  bool draining_ = false;
  std::function<void()> drained_;
};

}  // namespace tocsin
