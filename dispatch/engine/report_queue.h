// ReportQueue: group commit for SMS reports (issue 12), as the delivery writer does for replies.
//
// Every inbound SMS that may be a report (ReportIntake::MightTake) waits here; one batch at a
// time flies: everything that arrived while the previous batch was in the database, up to
// kMaxBatch messages, taken in one transaction (engine/report_batch.h: in arrival order, each
// network's report lock taken once, merges decided inside the batch) and one commit. A lone
// message flies at once; under load the batches grow by themselves, so a commit's fsync and the
// lock's hold are shared by everyone waiting instead of being paid one report at a time.
//
// Invariants:
//  1. A message is answered (`done`) only after the transaction that took it committed, or with
//     `failed` once the database refused it alone.
//  2. Arrival order is taking order: one flight at a time, batches taken front first, a batch the
//     database could not take (an outage) put back in front.
//  3. The database down: the batch waits and is tried again every kRetryPause (the callers wait:
//     nothing is acknowledged that is not durable). The database refusing a batch (an SQL error):
//     each of its messages is tried alone, in order, so one bad message fails alone.
//
// Threading: Add() from any thread; the flight runs on `executor` (its after-commit hook too)
// and the transactions on the DbPool. Drain() on the executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "dispatch/engine/report_batch.h"
#include "dispatch/store/db_pool.h"

namespace tocsin {

struct SmsReportResult {
  bool failed = false;                    // not taken: the database refused it (not acknowledged)
  std::optional<SmsReportAnswer> answer;  // nullopt: no report business (the reply path takes it)
};

class ReportQueue {
 public:
  static constexpr std::size_t kMaxBatch = 500;
  static constexpr auto kRetryPause = std::chrono::milliseconds(500);

  // Takes one batch in the connection's transaction and commits it.
  using TakeFn = std::function<std::vector<TakenSms>(pqxx::connection&, const std::vector<InboundSms>&)>;
  // After a commit, on the executor, before anyone is answered: what the batch began (wake the
  // dispatcher, track deadlines, publish events).
  using AfterFn = std::function<void(const std::vector<TakenSms>&)>;

  ReportQueue(boost::asio::any_io_executor executor, DbPool& db, TakeFn take, AfterFn after);

  // `done` runs once, on a database pool thread or the executor (it must only hand the result
  // over). After Drain: answered `failed` at once.
  void Add(InboundSms sms, std::function<void(SmsReportResult)> done);
  // `done` once no flight is left (and nothing is taken after).
  void Drain(std::function<void()> done);

 private:
  struct Waiting {
    InboundSms sms;
    std::function<void(SmsReportResult)> done;
  };
  // Flies batches until nothing waits.
  boost::asio::awaitable<void> Fly();
  // One batch in one transaction: its results, or nullopt when the database refused it.
  // Throws pqxx::broken_connection when the database is out of reach.
  boost::asio::awaitable<std::optional<std::vector<TakenSms>>> Take(const std::vector<InboundSms>* batch);

  boost::asio::any_io_executor executor_;
  DbPool& db_;
  const TakeFn take_;
  const AfterFn after_;
  std::mutex mu_;
  // Guarded by mu_.
  std::deque<Waiting> waiting_;
  bool flying_ = false;
  bool draining_ = false;
  std::function<void()> drained_;
};

}  // namespace tocsin
