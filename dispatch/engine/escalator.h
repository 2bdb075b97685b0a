// Escalator: runs escalation policies in time.
//
// Every deadline is a row in escalation_timers; the Escalator holds the pending ones in a
// TimerService (a timer wheel on the engine's Clock) and, when one is due, asks the
// EscalationRunner to fire it in a transaction. At start it rebuilds the wheel from the database
// and deadlines already past fire at once; the database decides whether a deadline still counts,
// so nothing fires twice. Answers and failed deliveries arrive through OnAnswer() and
// OnDeliveryFailed(), coalesced to one check per alert every kCheckDelay, one check task at a time
// (answers arriving while it runs wait for the next: two checks of one alert would only queue on
// its escalation row's lock, each holding a pool connection). A report's
// verification deadlines and a case's removal schedule (PendingTimer::owner) live in the same
// wheel and table and are fired by the OwnedFire the Engine gives for their owner
// (engine/report_verification.h, engine/case_schedule_fire.h). Removal schedule deadlines due
// together (a thousand cases' "72h before" at the same minute) are fired in batches: up to
// kScheduleBatch in one transaction, up to kScheduleBatchTasks batches at a time (the pool's
// connections work in parallel); a batch that fails is fired again one deadline per
// transaction, as every other deadline is.
//
// Ownership: owned by the Engine. Every task it spawns is counted; Drain() stops new work and
// calls back once the count is zero, so no database job outlives the engine's io_context.
//
// Threading: lives on the engine's executor; Track, Forget, OnAnswer, OnDeliveryFailed and
// Drain are thread-safe (they post). Database work runs on the DbPool.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/engine/escalation_runner.h"
#include "dispatch/engine/event_hub.h"
#include "dispatch/engine/timer_service.h"
#include "dispatch/store/db_pool.h"
#include "dispatch/util/clock.h"

namespace tocsin {

// Fires deadline `timer_id` of another owner than the escalation in the caller's transaction at
// `now_ms`.
using OwnedFire = std::function<EscalationOutcome(pqxx::work& tx, std::int64_t timer_id, std::int64_t now_ms)>;

class Escalator {
 public:
  static constexpr std::chrono::milliseconds kCheckDelay{20};
  static constexpr std::size_t kScheduleBatch = 50;
  static constexpr int kScheduleBatchTasks = 4;

  // `wake_sender()`: deliveries were queued. `events` (may be null)
  // hears what each deadline and check did. `verify` fires verification deadlines, `schedule`
  // removal schedules' (null: they are left pending).
  Escalator(boost::asio::any_io_executor executor, DbPool& db, Clock& clock, const EscalationRunner& runner,
            std::function<void()> wake_sender, EventHub* events = nullptr, OwnedFire verify = nullptr,
            OwnedFire schedule = nullptr);

  void Start();
  // The alert was raised (committed): schedule its deadlines.
  void Track(std::int64_t alert_id, std::vector<PendingTimer> timers);
  // The alert ended: drop its deadlines from memory (the database has cancelled them).
  void Forget(std::int64_t alert_id);
  // A going or cannot answer to the alert was committed.
  void OnAnswer(std::int64_t alert_id);
  // A delivery of the alert failed: its trees and backups are repaired now rather than when
  // the member's wait ends.
  void OnDeliveryFailed(std::int64_t alert_id);
  // Stops firing and checking; calls `done` (on the executor) once no task is running.
  void Drain(std::function<void()> done);

  // Only on the executor: whether nothing is due, running or waiting to be checked (a test's
  // clock advance waits for this).
  bool Settled() const;
  std::size_t pending() const { return timers_.size(); }

 private:
  void Schedule(const PendingTimer& t);
  // Drops the alert's deadlines from memory; `keep_schedule`: but its removal schedule's.
  void ForgetNow(std::int64_t alert_id, bool keep_schedule);
  boost::asio::awaitable<void> Rebuild();
  boost::asio::awaitable<void> FireTask(std::int64_t timer_row, TimerOwner owner);
  // Fires the schedule deadlines gathered in schedule_due_, a batch per transaction, until none
  // is left.
  boost::asio::awaitable<void> ScheduleBatchTask();
  void SpawnFire(std::int64_t timer_row, TimerOwner owner);
  // The fire of `owner`'s deadlines (null for the escalation's: the runner fires them).
  const OwnedFire* FireOf(TimerOwner owner) const;
  void ScheduleChecks();
  boost::asio::awaitable<void> CheckTask();
  void Report(const EscalationOutcome& out);
  void TaskDone();

  // Immutable after construction.
  boost::asio::any_io_executor executor_;
  DbPool& db_;
  Clock& clock_;
  const EscalationRunner& runner_;
  std::function<void()> wake_sender_;
  EventHub* events_;
  OwnedFire verify_;
  OwnedFire schedule_;

  // Only on executor_.
  TimerService timers_;
  // An alert's deadlines in memory; fired ids linger until the alert is forgotten (cancelling
  // them is a no-op).
  struct Tracked {
    TimerService::TimerId id;
    TimerOwner owner;  // also in the wheel's payload, with the row (escalator.cc)
  };
  std::unordered_map<std::int64_t, std::vector<Tracked>> by_alert_;
  std::set<std::int64_t> answered_;
  std::set<std::int64_t> failed_;
  bool check_scheduled_ = false;  // a CheckTask is waiting or running
  // OnAnswer (any thread): alerts answered since the last hop to the executor; not empty while
  // that hop is posted (one post carries every answer of a burst).
  std::mutex answers_mu_;
  std::vector<std::int64_t> answers_in_;
  std::vector<std::int64_t> schedule_due_;  // schedule deadlines fired by the wheel, not yet run
  int schedule_batching_ = 0;               // ScheduleBatchTasks running
  boost::asio::steady_timer check_timer_;
  int tasks_ = 0;          // spawned tasks not yet finished
  bool draining_ = false;
  std::function<void()> drained_;
};

}  // namespace tocsin
