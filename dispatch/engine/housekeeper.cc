#include "dispatch/engine/housekeeper.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/engine/retention.h"

namespace tocsin {

namespace asio = boost::asio;

Housekeeper::Housekeeper(asio::any_io_executor executor, DbPool& db, Clock& clock, const AlertStore& alerts,
                         int audit_days)
    : executor_(executor),
      db_(db),
      clock_(clock),
      alerts_(alerts),
      audit_days_(audit_days),
      timers_(executor,
              [this](TimerService::TimerId, std::uint64_t, std::int64_t) {
                if (draining_) return;
                busy_ = true;
                asio::co_spawn(executor_, Purge(), asio::detached);
              },
              clock) {}

void Housekeeper::Start() {
  asio::post(executor_, [this] { timers_.Add(clock_.NowMs() + kFirstAfterMs, 0); });
}

void Housekeeper::Drain(std::function<void()> done) {
  asio::post(executor_, [this, done = std::move(done)]() mutable {
    draining_ = true;
    if (busy_) {
      drained_ = std::move(done);
    } else {
      done();
    }
  });
}

bool Housekeeper::Settled() const {
  auto next = timers_.NextDue();
  return !busy_ && (!next || *next > clock_.NowMs());
}

asio::awaitable<void> Housekeeper::Purge() {
  auto now = clock_.NowMs();
  try {
    auto report = co_await db_.Run([this, now](pqxx::connection& c) {
      return PurgeExpired(c, alerts_, now, audit_days_);
    });
    if (report.alerts + report.tombstones + report.audit > 0) {
      spdlog::info("retention: purged {} alerts ({} rows), {} deleted members, {} audit rows", report.alerts,
                   report.rows, report.tombstones, report.audit);
    }
  } catch (const std::exception& e) {
    spdlog::warn("retention: purge failed, tried again in an hour: {}", e.what());
  }
  busy_ = false;
  if (draining_) {
    if (drained_) std::exchange(drained_, nullptr)();
    co_return;
  }
  timers_.Add(now + kEveryMs, 0);
}

}  // namespace tocsin
