// DeliveryWriter: group commit for delivery transitions.
//
// The dispatcher records every outcome here instead of writing it itself; the writer gathers
// what arrives within `interval` and writes it as one UPDATE over unnest()ed arrays, so a
// thousand transitions cost one round trip. Up to kMaxFlights batches are in flight at once
// (their commits' fsyncs overlap); that is safe because transitions only move a delivery
// forward (delivery_rank), except sending -> queued for a retry, which is always committed
// before the delivery can be claimed and so transitioned again.
//
// Threading: Add() and Run() on the owner's executor only. If the database is down the batch is
// kept and retried, so nothing recorded is dropped while the process lives. If the database
// refuses a batch (an SQL error, not an outage) it is split in halves and retried, so one bad
// record is isolated and dropped (logged) instead of blocking every write after it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/engine/event_hub.h"
#include "dispatch/store/db_pool.h"

namespace tocsin {

struct Transition {
  std::int64_t delivery_id = 0;
  std::string state;  // sent, delivered, failed, queued (retry), cancelled
  std::optional<std::string> sender;
  std::optional<std::string> provider_id;
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
  double retry_in_seconds = 0;                // for state "queued"
  std::optional<std::int64_t> opt_out_member;  // mark this member opted_out
  std::int64_t alert_id = 0;   // for watchers' events (0: not announced)
  std::int64_t member_id = 0;
};

// An answer to an alert, written in the same group commit as delivery transitions.
struct ResponseRecord {
  std::int64_t alert_id = 0;
  std::int64_t network_id = 0;
  std::int64_t member_id = 0;
  std::string answer;                     // going, cannot, text
  std::optional<std::string> text_sealed;  // free text, sealed (binary)
  std::optional<std::string> provider_id;  // inbound MessageSid
};

struct WriterStats {
  long long flushes = 0;
  long long rows = 0;
};

class DeliveryWriter {
 public:
  // `events` (may be null) hears of every transition and answer once it is committed;
  // `on_failed(alert_id)` (may be empty) of every delivery committed as failed.
  DeliveryWriter(boost::asio::any_io_executor executor, DbPool& db,
                 std::chrono::milliseconds interval, EventHub* events = nullptr,
                 std::function<void(std::int64_t)> on_failed = {});

  void Add(Transition t);
  // `written(true)` runs on the executor once the record is committed. If the database is down
  // the record waits (and so does the caller): an answer is acknowledged only once it is
  // durable. `written(false)`: the database refused this very record (it is dropped).
  void AddResponse(ResponseRecord r, std::function<void(bool)> written);
  // Writes batches until Stop() and nothing is pending.
  boost::asio::awaitable<void> Run();
  void Stop();
  std::size_t Pending() const { return pending_.size() + responses_.size(); }
  // Run() has returned: everything added before Stop() is written.
  bool Finished() const { return finished_; }
  const WriterStats& stats() const { return stats_; }

 private:
  static constexpr int kMaxFlights = 3;

  struct PendingResponse {
    ResponseRecord record;
    std::function<void(bool)> written;
  };
  static void Flush(pqxx::connection& c, const std::vector<Transition>& batch,
                    const std::vector<PendingResponse>& responses);
  bool Empty() const { return pending_.empty() && responses_.empty(); }
  struct Batch {
    std::vector<Transition> transitions;
    std::vector<PendingResponse> responses;
  };
  // One group commit; owns `batch` (a plain pointer: see DbPool::Run on GCC 12).
  boost::asio::awaitable<void> Fly(Batch* batch);

  DbPool& db_;
  EventHub* events_;
  std::function<void(std::int64_t)> on_failed_;
  const std::chrono::milliseconds interval_;
  // Only on the executor.
  boost::asio::steady_timer timer_;
  std::vector<Transition> pending_;
  std::vector<PendingResponse> responses_;
  bool stopping_ = false;
  bool idle_ = true;  // Run() is waiting for work (Add must wake it)
  bool finished_ = false;
  int flights_ = 0;
  WriterStats stats_;
};

}  // namespace tocsin
