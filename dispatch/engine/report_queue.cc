#include "dispatch/engine/report_queue.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace tocsin {

namespace asio = boost::asio;

ReportQueue::ReportQueue(asio::any_io_executor executor, DbPool& db, TakeFn take, AfterFn after)
    : executor_(std::move(executor)), db_(db), take_(std::move(take)), after_(std::move(after)) {}

void ReportQueue::Add(InboundSms sms, std::function<void(SmsReportResult)> done) {
  {
    std::lock_guard lock(mu_);
    if (!draining_) {
      waiting_.push_back({std::move(sms), std::move(done)});
      if (flying_) return;  // the flight in the air takes it next
      flying_ = true;
      done = nullptr;
    }
  }
  if (done) {
    done(SmsReportResult{true, std::nullopt});  // the engine is stopping
    return;
  }
  asio::co_spawn(executor_, Fly(), asio::detached);  // outside mu_: it may start right here
}

void ReportQueue::Drain(std::function<void()> done) {
  {
    std::lock_guard lock(mu_);
    draining_ = true;
    if (flying_) {
      drained_ = std::move(done);
      return;
    }
  }
  done();
}

asio::awaitable<std::optional<std::vector<TakenSms>>> ReportQueue::Take(const std::vector<InboundSms>* batch) {
  try {
    co_return co_await db_.Run([&](pqxx::connection& c) { return take_(c, *batch); });
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const std::exception& e) {
    spdlog::error("report queue: the database refused a batch of {}: {}", batch->size(), e.what());
  }
  co_return std::nullopt;
}

asio::awaitable<void> ReportQueue::Fly() {
  for (;;) {
    std::vector<Waiting> batch;
    std::function<void()> drained;
    {
      std::lock_guard lock(mu_);
      if (waiting_.empty()) {
        flying_ = false;
        drained.swap(drained_);
      } else {
        const auto n = std::min(kMaxBatch, waiting_.size());
        batch.assign(std::make_move_iterator(waiting_.begin()), std::make_move_iterator(waiting_.begin() + static_cast<long>(n)));
        waiting_.erase(waiting_.begin(), waiting_.begin() + static_cast<long>(n));
      }
    }
    if (batch.empty()) {
      if (drained) drained();
      co_return;
    }
    std::vector<InboundSms> messages;
    messages.reserve(batch.size());
    for (const auto& w : batch) messages.push_back(w.sms);
    std::optional<std::vector<TakenSms>> taken;
    bool outage = false;
    try {
      taken = co_await Take(&messages);
    } catch (const pqxx::broken_connection& e) {
      spdlog::warn("report queue: {} reports not taken yet: {}", batch.size(), e.what());
      outage = true;
    }
    if (outage) {
      // Back to the front, in order; the callers wait for the database.
      {
        std::lock_guard lock(mu_);
        waiting_.insert(waiting_.begin(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
      }
      asio::steady_timer pause(executor_, kRetryPause);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (taken) {
      after_(*taken);
      for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(SmsReportResult{false, std::move((*taken)[i].answer)});
      continue;
    }
    // Refused: each alone, in order, so only the bad one fails.
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::vector<InboundSms> one{messages[i]};
      std::optional<std::vector<TakenSms>> alone;
      try {
        alone = co_await Take(&one);
      } catch (const pqxx::broken_connection&) {
        alone.reset();  // not acknowledged: the provider sends it again
      }
      if (alone) after_(*alone);
      batch[i].done(alone ? SmsReportResult{false, std::move(alone->front().answer)} : SmsReportResult{true, std::nullopt});
    }
  }
}

}  // namespace tocsin
