// DeliveryWriter: group commit for delivery transitions and inbound replies.
//
// The dispatcher records every outcome here instead of writing it itself; the writer gathers
// what arrives within `interval` and writes it as one UPDATE over unnest()ed arrays, so a
// thousand transitions cost one round trip. Up to kMaxFlights batches are in flight at once
// (their commits' fsyncs overlap); that is safe because transitions only move a delivery
// forward (delivery_rank), except sending -> queued for a retry, which is always committed
// before the delivery can be claimed and so transitioned again. Inbound replies ride the same
// commits: the batch's senders are looked up in one statement, each reply is decided in memory
// (ReplyService) and the answers are inserted in one more, so a reply costs one queue wait and a
// share of two statements from request to durable record.
//
// Threading: Add() and Run() on the owner's executor only; AddInbound() from any thread (an
// inbound reply joins the next batch without a hop through the engine's thread: one post wakes
// an idle writer for many replies). If the database is down the batch is
// kept and retried, so nothing recorded is dropped while the process lives. If the database
// refuses a batch (an SQL error, not an outage) it is split in halves and retried, so one bad
// record is isolated and dropped (logged) instead of blocking every write after it.
//
// Order: a sender's replies are decided and recorded in their arrival order (their latest word
// is the one that counts). Batches commit in any order, so a reply never flies while an earlier
// one of its sender is in a flight, including one pausing before a retry: it waits in the queue
// and rides with that one when it comes back (replies of other senders fly at once).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <mutex>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/engine/event_hub.h"
#include "dispatch/fanout/webhook_fanout.h"
#include "dispatch/model/reply_decision.h"
#include "dispatch/util/clock.h"
#include "dispatch/util/crypto.h"
#include "dispatch/store/db_pool.h"
#include "dispatch/store/delivery_store.h"

namespace tocsin {

struct WriterStats {
  long long flushes = 0;
  long long rows = 0;
};

// Who else hears of what the writer commits. Every member may be left empty.
// Hooks are called on a database pool thread right after the commit: they must be thread-safe.
struct WriterHooks {
  EventHub* events = nullptr;                       // every transition and answer
  std::function<void(std::int64_t)> on_failed;      // the alert of every delivery now failed
  const ReplyService* replies = nullptr;            // needed for AddInbound
  const DataCipher* cipher = nullptr;               // needed for AddInbound (sender lookup)
  const Clock* clock = nullptr;                     // when a delivery was reached (sent_at)
  const WebhookFanout* webhooks = nullptr;          // answers -> answer.recorded, in the same commit
  // Webhook attempts' endpoint health and failure notices, in the same commit (engine/webhook_health.h).
  std::function<void(pqxx::work&, const std::vector<Transition>&, std::int64_t now_ms)> webhook_health;
  std::function<void()> on_exhausted;               // a batch held a webhook delivery failed for good
};

class DeliveryWriter {
 public:
  DeliveryWriter(boost::asio::any_io_executor executor, DbPool& db,
                 std::chrono::milliseconds interval, WriterHooks hooks = {});

  void Add(Transition t);
  // An inbound SMS: its sender is looked up, the reply decided and any answer recorded in the
  // next group commit (one lookup statement for the whole batch). `done(decision)` runs once
  // that is committed, on a database pool thread (so it must only hand the result over). If the database is down the message waits (and so does
  // the caller): an answer is acknowledged only once it is durable. `done(nullopt)`: the
  // database refused this very message (it is dropped).
  void AddInbound(InboundSms sms, std::function<void(std::optional<ReplyDecision>)> done);
  // Writes batches until Stop() and nothing is pending.
  boost::asio::awaitable<void> Run();
  void Stop();
  std::size_t Pending() const;
  // Run() has returned: everything added before Stop() is written.
  bool Finished() const { return finished_; }
  const WriterStats& stats() const { return stats_; }

 private:
  static constexpr int kMaxFlights = 3;

  struct PendingInbound {
    std::uint64_t seq = 0;  // arrival order, kept across retries
    InboundSms sms;
    std::function<void(std::optional<ReplyDecision>)> done;
    ReplyDecision decision;  // filled in by Flush
  };
  // Writes one batch in one transaction; fills in each inbound message's decision.
  void Flush(pqxx::connection& c, const std::vector<Transition>& batch,
             std::vector<PendingInbound>& inbound) const;
  bool Empty() const;
  // Something may fly now: a transition, or a reply whose sender has none in flight.
  bool Ready() const;
  // Moves out the replies whose sender has none in flight, in arrival order, and marks their
  // senders as flying; the others stay queued, in order, until their sender's flight lands.
  std::vector<PendingInbound> TakeInbound();
  // `inbound` is no longer in flight (recorded, dropped or queued again): its senders' later
  // replies may fly. inbound_mu_ held.
  void Landed(const std::vector<PendingInbound>& inbound);
  struct Batch {
    std::vector<Transition> transitions;
    std::vector<PendingInbound> inbound;
  };
  // Puts a batch that could not be written back in front of what arrived since, replies in
  // their arrival order (batches fail out of order when several are in flight); its replies
  // have landed.
  void Requeue(Batch& batch);
  // After `batch` committed: its events, failures and inbound decisions go out. Runs on the
  // database pool's thread (every hook and `done` is thread-safe).
  void Committed(Batch& batch) const;
  // One group commit; owns `batch` (a plain pointer: see DbPool::Run on GCC 12).
  boost::asio::awaitable<void> Fly(Batch* batch);

  DbPool& db_;
  const WriterHooks hooks_;
  const std::chrono::milliseconds interval_;
  // Only on the executor.
  boost::asio::steady_timer timer_;
  std::vector<Transition> pending_;
  // Guarded by inbound_mu_ (AddInbound comes from any thread).
  mutable std::mutex inbound_mu_;
  std::vector<PendingInbound> inbound_;  // in arrival order
  std::uint64_t next_inbound_seq_ = 0;
  // Senders with replies in flight, and how many: their later replies wait in inbound_.
  std::unordered_map<std::string, int> flying_;
  bool wake_posted_ = false;  // a wake-up for these replies is on its way to the executor
  // Only on the executor.
  bool stopping_ = false;
  bool idle_ = true;  // Run() is waiting for work (Add must wake it)
  bool finished_ = false;
  int flights_ = 0;
  WriterStats stats_;
};

}  // namespace tocsin
