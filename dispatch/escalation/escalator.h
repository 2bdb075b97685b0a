// Escalator: runs escalation policies in time.
//
// Every step deadline is a row in escalation_timers; the Escalator holds the pending ones in a
// TimerService (a timer wheel driven by one Asio timer) and, when one is due, runs
// FireStepTimer in a transaction. At start it rebuilds the wheel from the database and
// deadlines already past fire at once; the database decides whether a timer still counts, so
// nothing fires twice. Answers arrive through OnAnswer(): alerts with new answers move their
// phone trees and are checked against their step's goal, coalesced to one check per alert every
// kGoalCheckDelay.
//
// Threading: owned by the engine's executor; Track, Forget and OnAnswer are thread-safe (they
// post). Database work runs on the DbPool.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/engine/alert_service.h"
#include "dispatch/engine/event_hub.h"
#include "dispatch/escalation/escalation_store.h"
#include "dispatch/escalation/timer_service.h"
#include "dispatch/store/db_pool.h"

namespace tocsin {

class Escalator {
 public:
  static constexpr std::chrono::milliseconds kGoalCheckDelay{20};

  // `wake_sender(network_id)`: deliveries were queued for that network. `events` (may be null)
  // hears what each deadline and goal check did.
  Escalator(boost::asio::any_io_executor executor, DbPool& db, AlertService& alerts,
            std::function<void(std::int64_t)> wake_sender, EventHub* events = nullptr);

  void Start();
  // The alert was raised (committed): schedule its first step deadline, if any.
  void Track(std::int64_t alert_id);
  // The alert ended: drop its deadlines from memory (the database has cancelled them).
  void Forget(std::int64_t alert_id);
  // A going or cannot answer to the alert was committed.
  void OnAnswer(std::int64_t alert_id);
  // A delivery of the alert failed: its trees and backups are repaired now rather than when
  // the member's wait ends.
  void OnDeliveryFailed(std::int64_t alert_id);

  // Only on the executor.
  std::size_t pending() const { return timers_.size(); }

 private:
  void Schedule(const PendingTimer& t);
  boost::asio::awaitable<void> Rebuild();
  boost::asio::awaitable<void> TrackTask(std::int64_t alert_id);
  boost::asio::awaitable<void> FireTask(std::int64_t timer_row);
  void ScheduleChecks();
  boost::asio::awaitable<void> CheckGoals();
  void Apply(const EscalationOutcome& out);

  // Immutable after construction.
  boost::asio::any_io_executor executor_;
  DbPool& db_;
  AlertService& alerts_;
  std::function<void(std::int64_t)> wake_sender_;
  EventHub* events_;

  // Only on executor_.
  TimerService timers_;
  // An alert's deadlines in memory (its step timer and its reminder timer); fired ids linger
  // until the alert is forgotten (cancelling them is a no-op).
  std::unordered_map<std::int64_t, std::vector<TimerService::TimerId>> by_alert_;
  std::set<std::int64_t> goal_dirty_;
  std::set<std::int64_t> failed_dirty_;
  bool goal_check_scheduled_ = false;
  boost::asio::steady_timer goal_timer_;
};

}  // namespace tocsin
