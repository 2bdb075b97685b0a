#include "dispatch/engine/escalator.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace tocsin {

namespace asio = boost::asio;

namespace {
constexpr int kFireAttempts = 30;

// The wheel's payload of a deadline: its timer row, with its owner in the top two bits (rows are
// bigint identities, far below 2^62).
constexpr int kOwnerShift = 62;
constexpr std::uint64_t kRowMask = (std::uint64_t{1} << kOwnerShift) - 1;
}  // namespace

Escalator::Escalator(asio::any_io_executor executor, DbPool& db, Clock& clock, const EscalationRunner& runner,
                     std::function<void()> wake_sender, EventHub* events, OwnedFire verify, OwnedFire schedule)
    : executor_(executor),
      db_(db),
      clock_(clock),
      runner_(runner),
      wake_sender_(std::move(wake_sender)),
      events_(events),
      verify_(std::move(verify)),
      schedule_(std::move(schedule)),
      timers_(executor,
              [this](TimerService::TimerId, std::uint64_t payload, std::int64_t) {
                if (draining_) return;  // durable: fired at the next start
                const auto timer_row = static_cast<std::int64_t>(payload & kRowMask);
                const auto owner = static_cast<TimerOwner>(payload >> kOwnerShift);
                if (owner != TimerOwner::kEscalation && !*FireOf(owner)) return;
                if (owner != TimerOwner::kSchedule) {
                  SpawnFire(timer_row, owner);
                  return;
                }
                // Gathered: the task starts after this turn, which fires every deadline due now.
                schedule_due_.push_back(timer_row);
                if (schedule_batching_ >= kScheduleBatchTasks) return;
                ++schedule_batching_;
                ++tasks_;
                asio::co_spawn(executor_, ScheduleBatchTask(), asio::detached);
              },
              clock),
      check_timer_(executor) {}

void Escalator::Start() {
  asio::post(executor_, [this] {
    ++tasks_;
    asio::co_spawn(executor_, Rebuild(), asio::detached);
  });
}

void Escalator::Track(std::int64_t alert_id, std::vector<PendingTimer> timers) {
  asio::post(executor_, [this, timers = std::move(timers)] {
    for (const auto& t : timers) Schedule(t);
  });
}

void Escalator::Forget(std::int64_t alert_id) {
  asio::post(executor_, [this, alert_id] { ForgetNow(alert_id, false); });
}

void Escalator::ForgetNow(std::int64_t alert_id, bool keep_schedule) {
  auto it = by_alert_.find(alert_id);
  if (it == by_alert_.end()) return;
  std::vector<Tracked> kept;
  for (const auto& t : it->second) {
    if (keep_schedule && t.owner == TimerOwner::kSchedule) {
      kept.push_back(t);
      continue;
    }
    timers_.Cancel(t.id);
  }
  if (kept.empty()) {
    by_alert_.erase(it);
  } else {
    it->second = std::move(kept);
  }
}

void Escalator::OnAnswer(std::int64_t alert_id) {
  {
    std::lock_guard lock(answers_mu_);
    const bool posted = !answers_in_.empty();  // a hop is on its way and takes this one too
    answers_in_.push_back(alert_id);
    if (posted) return;
  }
  asio::post(executor_, [this] {
    std::vector<std::int64_t> in;
    {
      std::lock_guard lock(answers_mu_);
      in.swap(answers_in_);
    }
    answered_.insert(in.begin(), in.end());
    ScheduleChecks();
  });
}

void Escalator::OnDeliveryFailed(std::int64_t alert_id) {
  asio::post(executor_, [this, alert_id] {
    failed_.insert(alert_id);
    ScheduleChecks();
  });
}

void Escalator::Drain(std::function<void()> done) {
  asio::post(executor_, [this, done = std::move(done)]() mutable {
    draining_ = true;
    drained_ = std::move(done);
    check_timer_.cancel();
    if (tasks_ == 0) {
      auto d = std::move(drained_);
      d();
    }
  });
}

void Escalator::SpawnFire(std::int64_t timer_row, TimerOwner owner) {
  ++tasks_;
  asio::co_spawn(executor_, FireTask(timer_row, owner), asio::detached);
}

bool Escalator::Settled() const {
  auto next = timers_.NextDue();
  return tasks_ == 0 && !check_scheduled_ && (!next || *next > clock_.NowMs());
}

void Escalator::TaskDone() {
  if (--tasks_ == 0 && draining_ && drained_) {
    auto d = std::move(drained_);
    d();
  }
}

void Escalator::ScheduleChecks() {
  if (check_scheduled_ || draining_) return;
  check_scheduled_ = true;
  ++tasks_;
  asio::co_spawn(executor_, CheckTask(), asio::detached);
}

void Escalator::Schedule(const PendingTimer& t) {
  const auto payload = static_cast<std::uint64_t>(t.id) | (static_cast<std::uint64_t>(t.owner) << kOwnerShift);
  by_alert_[t.alert_id].push_back({timers_.Add(t.due_ms, payload), t.owner});
}

void Escalator::Report(const EscalationOutcome& out) {
  if (events_ && out.alert_id != 0 && out.what != "stale" && out.what != "checked") {
    events_->Publish(out.alert_id, "escalation", EscalationEventJson(out.what));
  }
  if (events_) {
    for (const auto& w : out.warnings) events_->Publish(out.alert_id, "warning", WarningEventJson(w));
    for (const auto& e : out.network_events) events_->Publish(e);
  }
  // A goal met ends the escalation, not the alert: its removal schedule runs on.
  if (out.ended) ForgetNow(out.alert_id, true);
  for (const auto& t : out.timers) Schedule(t);
}

asio::awaitable<void> Escalator::Rebuild() {
  while (!draining_) {
    try {
      auto pending = co_await db_.Run([](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        return LoadPendingTimers(tx);
      });
      for (const auto& t : pending) Schedule(t);
      if (!pending.empty()) spdlog::info("escalation: {} pending deadlines rebuilt", pending.size());
      break;
    } catch (const std::exception& e) {
      spdlog::warn("escalation: cannot load deadlines yet ({}); retrying", e.what());
    }
    asio::steady_timer retry(executor_, std::chrono::seconds(1));
    co_await retry.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  TaskDone();
}

const OwnedFire* Escalator::FireOf(TimerOwner owner) const {
  switch (owner) {
    case TimerOwner::kEscalation: return nullptr;
    case TimerOwner::kVerification: return &verify_;
    case TimerOwner::kSchedule: return &schedule_;
  }
  return nullptr;
}

asio::awaitable<void> Escalator::FireTask(std::int64_t timer_row, TimerOwner owner) {
  const OwnedFire* fire = FireOf(owner);
  for (int attempt = 0; attempt < kFireAttempts && !draining_; ++attempt) {
    try {
      auto out = co_await db_.Run([this, &timer_row, &fire](pqxx::connection& c) {
        pqxx::work tx(c);
        auto o = fire ? (*fire)(tx, timer_row, clock_.NowMs()) : runner_.Fire(tx, timer_row, clock_.NowMs());
        tx.commit();
        return o;
      });
      spdlog::info("escalation: deadline {} -> {}", timer_row, out.what);
      if ((out.queued > 0 || out.webhooks) && wake_sender_) wake_sender_();
      Report(out);
      break;
    } catch (const std::exception& e) {
      spdlog::warn("escalation: deadline {} not handled yet ({}); retrying", timer_row, e.what());
    }
    asio::steady_timer retry(executor_, std::chrono::seconds(1));
    co_await retry.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  TaskDone();
}

asio::awaitable<void> Escalator::ScheduleBatchTask() {
  while (!schedule_due_.empty() && !draining_) {
    const std::size_t n = std::min(schedule_due_.size(), kScheduleBatch);
    std::vector<std::int64_t> batch(schedule_due_.begin(), schedule_due_.begin() + static_cast<std::ptrdiff_t>(n));
    schedule_due_.erase(schedule_due_.begin(), schedule_due_.begin() + static_cast<std::ptrdiff_t>(n));
    // Captures pointers only: GCC 12 miscompiles containers captured in a coroutine's lambdas.
    const std::vector<std::int64_t>* rows = &batch;
    std::vector<EscalationOutcome> outs;
    bool failed = false;
    try {
      outs = co_await db_.Run([this, rows](pqxx::connection& c) {
        pqxx::work tx(c);
        std::vector<EscalationOutcome> o;
        o.reserve(rows->size());
        const auto now_ms = clock_.NowMs();
        for (auto row : *rows) o.push_back(schedule_(tx, row, now_ms));
        tx.commit();
        return o;
      });
    } catch (const std::exception& e) {
      spdlog::warn("escalation: a batch of {} schedule deadlines failed ({}); firing them one by one", n, e.what());
      failed = true;
    }
    if (failed) {
      for (auto row : batch) SpawnFire(row, TimerOwner::kSchedule);
      continue;
    }
    bool wake = false;
    for (std::size_t i = 0; i < outs.size(); ++i) {
      spdlog::debug("escalation: deadline {} -> {}", batch[i], outs[i].what);
      wake = wake || outs[i].queued > 0 || outs[i].webhooks;
      Report(outs[i]);
    }
    if (wake && wake_sender_) wake_sender_();
  }
  --schedule_batching_;
  TaskDone();
}

asio::awaitable<void> Escalator::CheckTask() {
  // Gather the answers of the next moment into one check per alert.
  check_timer_.expires_after(kCheckDelay);
  co_await check_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  auto answered = std::move(answered_);
  auto failed = std::move(failed_);
  answered_.clear();
  failed_.clear();
  answered.insert(failed.begin(), failed.end());
  for (auto alert_id : answered) {
    if (draining_) break;
    bool repair = failed.count(alert_id) > 0;
    try {
      auto out = co_await db_.Run([this, &alert_id, &repair](pqxx::connection& c) {
        pqxx::work tx(c);
        auto o = runner_.Check(tx, alert_id, repair, clock_.NowMs());
        tx.commit();
        return o;
      });
      if (out.ended) spdlog::info("escalation: alert {} -> {}", alert_id, out.what);
      if ((out.queued > 0 || out.webhooks) && wake_sender_) wake_sender_();
      Report(out);
    } catch (const std::exception& e) {
      spdlog::warn("escalation: check of alert {} failed ({})", alert_id, e.what());
    }
  }
  check_scheduled_ = false;
  if (!answered_.empty() || !failed_.empty()) ScheduleChecks();  // what came in meanwhile
  TaskDone();
}

}  // namespace tocsin
