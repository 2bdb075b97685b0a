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

bool DeliveryWriter::Ready() const {
  if (!pending_.empty()) return true;
  std::lock_guard lock(inbound_mu_);
  return std::any_of(inbound_.begin(), inbound_.end(),
                     [this](const PendingInbound& in) { return !flying_.count(in.sms.from); });
}

std::vector<DeliveryWriter::PendingInbound> DeliveryWriter::TakeInbound() {
  std::lock_guard lock(inbound_mu_);
  std::vector<PendingInbound> taken;
  if (flying_.empty()) {
    taken.swap(inbound_);  // nothing in the air: everything may go
  } else {
    std::vector<PendingInbound> held;
    for (auto& in : inbound_) (flying_.count(in.sms.from) ? held : taken).push_back(std::move(in));
    inbound_.swap(held);
  }
  // Marked only now, so two free replies of one sender ride together, in order.
  for (const auto& in : taken) ++flying_[in.sms.from];
  return taken;
}

void DeliveryWriter::Landed(const std::vector<PendingInbound>& inbound) {
  for (const auto& in : inbound) {
    auto it = flying_.find(in.sms.from);
    if (--it->second == 0) flying_.erase(it);
  }
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
  Landed(batch.inbound);  // under the same lock: no later reply of theirs is taken before them
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
    if (!Ready() || flights_ >= kMaxFlights) {
      if (Empty() && stopping_ && flights_ == 0) {
        finished_ = true;
        co_return;
      }
      // Woken by Add (when idle) or by a flight landing (its senders' replies may go).
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
    batch->inbound = TakeInbound();
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
    std::lock_guard lock(inbound_mu_);
    Landed(batch->inbound);
  } else if (result == kRefused && size == 1) {
    // The one bad record: dropped. A delivery left 'sending' is queued again at the next start.
    for (auto& in : batch->inbound) in.done(std::nullopt);
    std::lock_guard lock(inbound_mu_);
    Landed(batch->inbound);
  } else if (result == kRefused) {
    // Split: the first half flies again, the second goes back to the queue (a reply there waits
    // for its sender's in the first half). The bad record ends up alone: neither half is empty
    // (the first takes the odd transition, the second the odd reply).
    Batch rest;
    auto t_mid = batch->transitions.begin() + static_cast<long>((batch->transitions.size() + 1) / 2);
    auto r_mid = batch->inbound.begin() + static_cast<long>(batch->inbound.size() / 2);
    rest.transitions.assign(std::make_move_iterator(t_mid), std::make_move_iterator(batch->transitions.end()));
    rest.inbound.assign(std::make_move_iterator(r_mid), std::make_move_iterator(batch->inbound.end()));
    batch->transitions.erase(t_mid, batch->transitions.end());
    batch->inbound.erase(r_mid, batch->inbound.end());
    Requeue(rest);
    ++flights_;
    asio::co_spawn(timer_.get_executor(), Fly(batch.release()), asio::detached);
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
