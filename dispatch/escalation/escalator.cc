#include "dispatch/escalation/escalator.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace tocsin {

namespace asio = boost::asio;

Escalator::Escalator(asio::any_io_executor executor, DbPool& db, AlertService& alerts,
                     std::function<void(std::int64_t)> wake_sender, EventHub* events)
    : executor_(executor),
      db_(db),
      alerts_(alerts),
      wake_sender_(std::move(wake_sender)),
      events_(events),
      timers_(executor,
              [this](TimerService::TimerId, std::uint64_t row, std::int64_t) {
                asio::co_spawn(executor_, FireTask(static_cast<std::int64_t>(row)), asio::detached);
              }),
      goal_timer_(executor) {}

void Escalator::Start() { asio::co_spawn(executor_, Rebuild(), asio::detached); }

void Escalator::Track(std::int64_t alert_id) {
  asio::post(executor_, [this, alert_id] { asio::co_spawn(executor_, TrackTask(alert_id), asio::detached); });
}

void Escalator::Forget(std::int64_t alert_id) {
  asio::post(executor_, [this, alert_id] {
    if (auto it = by_alert_.find(alert_id); it != by_alert_.end()) {
      for (auto id : it->second) timers_.Cancel(id);
      by_alert_.erase(it);
    }
  });
}

void Escalator::OnAnswer(std::int64_t alert_id) {
  asio::post(executor_, [this, alert_id] {
    goal_dirty_.insert(alert_id);
    ScheduleChecks();
  });
}

void Escalator::OnDeliveryFailed(std::int64_t alert_id) {
  asio::post(executor_, [this, alert_id] {
    failed_dirty_.insert(alert_id);
    ScheduleChecks();
  });
}

void Escalator::ScheduleChecks() {
  if (goal_check_scheduled_) return;
  goal_check_scheduled_ = true;
  asio::co_spawn(executor_, CheckGoals(), asio::detached);
}

void Escalator::Schedule(const PendingTimer& t) {
  by_alert_[t.alert_id].push_back(timers_.Add(t.due_ms, static_cast<std::uint64_t>(t.id)));
}

void Escalator::Apply(const EscalationOutcome& out) {
  if (events_ && out.alert_id != 0 && !out.what.empty() && out.what != "stale") {
    events_->Publish(out.alert_id, "escalation", EscalationEventJson(out.what));
  }
  if (out.network_id) wake_sender_(*out.network_id);
  for (const auto& t : out.timers) Schedule(t);
}

asio::awaitable<void> Escalator::Rebuild() {
  for (int attempt = 0;; ++attempt) {
    try {
      auto pending = co_await db_.Run([](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        return LoadPendingTimers(tx);
      });
      for (const auto& t : pending) Schedule(t);
      if (!pending.empty()) spdlog::info("escalation: {} pending deadlines rebuilt", pending.size());
      co_return;
    } catch (const std::exception& e) {
      spdlog::warn("escalation: cannot load deadlines yet ({}); retrying", e.what());
    }
    asio::steady_timer retry(executor_, std::chrono::seconds(1));
    co_await retry.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Escalator::TrackTask(std::int64_t alert_id) {
  try {
    auto timers = co_await db_.Run([&alert_id](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      return PendingTimersOf(tx, alert_id);
    });
    for (const auto& t : timers) Schedule(t);
  } catch (const std::exception& e) {
    // The row is durable: the periodic rebuild after a restart would pick it up; log loudly.
    spdlog::error("escalation: cannot schedule alert {} ({})", alert_id, e.what());
  }
}

asio::awaitable<void> Escalator::FireTask(std::int64_t timer_row) {
  for (int attempt = 0; attempt < 30; ++attempt) {
    try {
      auto out = co_await db_.Run([this, &timer_row](pqxx::connection& c) {
        pqxx::work tx(c);
        auto o = FireStepTimer(tx, alerts_, timer_row);
        tx.commit();
        return o;
      });
      spdlog::info("escalation: deadline {} -> {}", timer_row, out.what);
      Apply(out);
      co_return;
    } catch (const std::exception& e) {
      spdlog::warn("escalation: deadline {} not handled yet ({}); retrying", timer_row, e.what());
    }
    asio::steady_timer retry(executor_, std::chrono::seconds(1));
    co_await retry.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Escalator::CheckGoals() {
  goal_timer_.expires_after(kGoalCheckDelay);
  co_await goal_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  auto dirty = std::move(goal_dirty_);
  auto failed = std::move(failed_dirty_);
  goal_dirty_.clear();
  failed_dirty_.clear();
  goal_check_scheduled_ = false;
  dirty.insert(failed.begin(), failed.end());
  for (auto alert_id : dirty) {
    bool repair = failed.count(alert_id) > 0;
    try {
      auto out = co_await db_.Run([this, &alert_id, &repair](pqxx::connection& c) {
        pqxx::work tx(c);
        auto o = CheckGoal(tx, alerts_, alert_id, repair);
        tx.commit();
        return o;
      });
      if (out.ended) {
        spdlog::info("escalation: alert {} -> {}", alert_id, out.what);
        Forget(alert_id);
      }
      Apply(out);
    } catch (const std::exception& e) {
      spdlog::warn("escalation: check of alert {} failed ({})", alert_id, e.what());
    }
  }
}

}  // namespace tocsin
