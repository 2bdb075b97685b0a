// ScheduledSender's coroutines: the loop and the claim. What is not a coroutine (sending and
// outcomes) is in scheduled_sender_send.cc: GCC 12 crashes compiling larger coroutine files.
#include "dispatch/engine/scheduled_sender.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>


namespace tocsin {
namespace {

namespace asio = boost::asio;

// One claim's deliveries, and the transitions of those that could not be opened.
struct ClaimBatch {
  std::vector<SendJob> jobs;
  std::vector<Transition> unreadable;
};

}  // namespace

ScheduledSender::ScheduledSender(asio::any_io_executor executor, DbPool& db, const Clock& clock,
                                 const SendSource& source, Channel& channel, DeliveryWriter& writer,
                                 ScheduledSenderOptions options)
    : executor_(executor),
      db_(db),
      clock_(clock),
      source_(source),
      channel_(channel),
      writer_(writer),
      options_(std::move(options)),
      wake_(executor) {}

void ScheduledSender::Start() {
  asio::co_spawn(executor_, Loop(), [this](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::critical("{} sender stopped: {}", source_.name(), ex.what());
    }
  });
}

void ScheduledSender::Wake() {
  asio::post(executor_, [this] {
    woken_ = true;
    wake_.cancel();
  });
}

void ScheduledSender::Drain(std::function<void()> done) {
  asio::post(executor_, [this, done = std::move(done)]() mutable {
    draining_ = true;
    drained_ = std::move(done);
    wake_.cancel();
  });
}

asio::awaitable<void> ScheduledSender::Claim() {
  std::vector<std::int64_t> full;
  for (const auto& [endpoint, q] : queues_) {
    if (static_cast<int>(q.size()) >= options_.per_endpoint_claim) full.push_back(endpoint);
  }
  long long room = options_.max_claimed - static_cast<long long>(Claimed());
  if (room <= 0) co_return;
  const std::int64_t now_ms = clock_.NowMs();
  const int per_endpoint = options_.per_endpoint_claim;
  auto claimed = co_await db_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    ClaimBatch out;
    out.jobs = source_.Claim(tx, now_ms, room, per_endpoint, full, out.unreadable);
    tx.commit();
    return out;
  });
  for (auto& t : claimed.unreadable) writer_.Add(std::move(t));
  std::map<std::int64_t, int> per_queue;
  for (const auto& job : claimed.jobs) ++per_queue[job.queue];
  more_due_ = static_cast<long long>(claimed.jobs.size()) >= room;
  for (const auto& [queue, n] : per_queue) more_due_ = more_due_ || n >= per_endpoint;
  for (auto& job : claimed.jobs) queues_[job.queue].push_back(std::move(job));
}

asio::awaitable<void> ScheduledSender::Loop() {
  while (!draining_) {
    woken_ = false;
    try {
      co_await Claim();
    } catch (const std::exception& e) {
      spdlog::warn("{} sender: database error while claiming ({}); retrying", source_.name(), e.what());
    }
    SendReady();
    if (woken_ || draining_) continue;
    wake_.expires_after(options_.poll_interval);
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  // Draining: requests in flight finish and are recorded; what was claimed goes back.
  while (in_flight_ > 0) {
    wake_.expires_after(std::chrono::milliseconds(50));
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  const auto now_ms = clock_.NowMs();
  for (auto& [queue, q] : queues_) {
    for (const auto& job : q) {
      Transition t;
      t.delivery_id = job.delivery_id;
      t.state = "queued";
      t.retry_at_ms = now_ms;
      writer_.Add(std::move(t));
    }
  }
  queues_.clear();
  if (drained_) drained_();
}

}  // namespace tocsin
