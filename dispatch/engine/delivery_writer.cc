#include "dispatch/engine/delivery_writer.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>


namespace tocsin {
namespace {

namespace asio = boost::asio;

}  // namespace

DeliveryWriter::DeliveryWriter(asio::any_io_executor executor, DbPool& db,
                               std::chrono::milliseconds interval, WriterHooks hooks)
    : db_(db), hooks_(std::move(hooks)), interval_(interval), timer_(executor) {}

void DeliveryWriter::Add(Transition t) {
  pending_.push_back(std::move(t));
  if (idle_) timer_.cancel();
}

void DeliveryWriter::AddInbound(InboundSms sms, std::function<void(std::optional<ReplyDecision>)> done) {
  bool wake = false;
  {
    std::lock_guard lock(inbound_mu_);
    inbound_.push_back({next_inbound_seq_++, std::move(sms), std::move(done), {}});
    wake = !wake_posted_;
    wake_posted_ = true;
  }
  if (!wake) return;
  asio::post(timer_.get_executor(), [this] {
    {
      std::lock_guard lock(inbound_mu_);
      wake_posted_ = false;
    }
    if (idle_) timer_.cancel();
  });
}

bool DeliveryWriter::Empty() const {
  std::lock_guard lock(inbound_mu_);
  return pending_.empty() && inbound_.empty();
}

std::size_t DeliveryWriter::Pending() const {
  std::lock_guard lock(inbound_mu_);
  return pending_.size() + inbound_.size();
}

void DeliveryWriter::Requeue(Batch& batch) {
  batch.transitions.insert(batch.transitions.end(), std::make_move_iterator(pending_.begin()),
                           std::make_move_iterator(pending_.end()));
  pending_.swap(batch.transitions);
  std::lock_guard lock(inbound_mu_);
  inbound_.insert(inbound_.end(), std::make_move_iterator(batch.inbound.begin()),
                  std::make_move_iterator(batch.inbound.end()));
  std::stable_sort(inbound_.begin(), inbound_.end(),
                   [](const PendingInbound& a, const PendingInbound& b) { return a.seq < b.seq; });
}

void DeliveryWriter::Stop() {
  stopping_ = true;
  timer_.cancel();
}

asio::awaitable<void> DeliveryWriter::Run() {
  for (;;) {
    if (Empty() || flights_ >= kMaxFlights) {
      if (Empty() && stopping_ && flights_ == 0) {
        finished_ = true;
        co_return;
      }
      // Woken by Add (when idle) or by a flight landing.
      idle_ = true;
      timer_.expires_after(std::chrono::hours(1));
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      idle_ = false;
      continue;
    }
    // Gather what arrives in the next moment into the same round trip.
    if (!stopping_ && flights_ == 0) {
      timer_.expires_after(interval_);
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto* batch = new Batch;
    batch->transitions.swap(pending_);
    {
      std::lock_guard lock(inbound_mu_);
      batch->inbound.swap(inbound_);
    }
    ++flights_;
    asio::co_spawn(timer_.get_executor(), Fly(batch), asio::detached);
  }
}

asio::awaitable<void> DeliveryWriter::Fly(Batch* raw) {
  std::unique_ptr<Batch> batch(raw);
  enum { kWritten, kOutage, kRefused } result = kOutage;
  try {
    co_await db_.Run([this, &batch](pqxx::connection& c) {
      Flush(c, batch->transitions, batch->inbound);
      // Committed: tell everyone from here, not after a hop back to the writer's executor (on a
      // busy machine that hop costs milliseconds of every answer's latency).
      Committed(*batch);
    });
    result = kWritten;
    ++stats_.flushes;
    stats_.rows += static_cast<long long>(batch->transitions.size() + batch->inbound.size());
  } catch (const pqxx::broken_connection& e) {
    spdlog::warn("delivery writer: {} records not written yet: {}",
                 batch->transitions.size() + batch->inbound.size(), e.what());
  } catch (const std::exception& e) {
    result = kRefused;
    spdlog::error("delivery writer: the database refused a batch of {}: {}",
                  batch->transitions.size() + batch->inbound.size(), e.what());
  }
  auto size = batch->transitions.size() + batch->inbound.size();
  if (result == kWritten) {
    // Everyone was told on the pool thread (Committed).
  } else if (result == kRefused && size == 1) {
    // The one bad record: dropped. A delivery left 'sending' is queued again at the next start.
    for (auto& in : batch->inbound) in.done(std::nullopt);
  } else if (result == kRefused) {
    // Split and retry both halves: the bad record ends up alone.
    auto* half = new Batch;
    auto t_mid = batch->transitions.begin() + static_cast<long>(batch->transitions.size() / 2);
    auto r_mid = batch->inbound.begin() + static_cast<long>(batch->inbound.size() / 2);
    half->transitions.assign(std::make_move_iterator(t_mid), std::make_move_iterator(batch->transitions.end()));
    half->inbound.assign(std::make_move_iterator(r_mid), std::make_move_iterator(batch->inbound.end()));
    batch->transitions.erase(t_mid, batch->transitions.end());
    batch->inbound.erase(r_mid, batch->inbound.end());
    flights_ += 2;
    asio::co_spawn(timer_.get_executor(), Fly(batch.release()), asio::detached);
    asio::co_spawn(timer_.get_executor(), Fly(half), asio::detached);
  } else {
    // Back to the front of the queue, and a pause: the database may be restarting.
    asio::steady_timer pause(timer_.get_executor(), std::chrono::milliseconds(500));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    Requeue(*batch);
  }
  --flights_;
  if (idle_) timer_.cancel();
}

}  // namespace tocsin
