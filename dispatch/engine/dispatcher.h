// Dispatcher: the engine's sending loop.
//
// It keeps every sender busy and never faster than its rate: queued deliveries are claimed from
// PostgreSQL per network (queued -> sending, FOR UPDATE SKIP LOCKED), each is handed to the
// Channel its row names (the channel paces its senders), and the outcome goes to the
// DeliveryWriter (group commit). The backlog stays in PostgreSQL: only about two seconds of
// each network's sending rate is claimed at a time. Networks take turns, one message each, for
// the account's in-flight cap (max_in_flight): a 100,000-member alert in one network delays
// another network's first message by one turn, not by its backlog.
//
// Ownership and threading: owned by the Engine; a Dispatcher owns its writer and runs on the
// engine's executor (one thread); all its state is touched only there. Wake(), WakeAll() and
// RecordInbound() may be called from any thread. libpqxx runs on the DbPool, never here.
//
// Durability: a delivery is 'sending' from its claim until its outcome is written. At start
// (Recover) 'sending' rows are queued again: those whose request was in flight when the
// process died may be sent twice (at most max_in_flight plus one writer batch); nothing
// acknowledged by the provider and written is ever sent again.
//
// Retries: 429/20429 (the channel pauses all its sending for Retry-After) queues the message again;
// 5xx/timeouts back off exponentially with jitter (1 s, 2 s, 4 s... up to 60 s) and fail after
// max_attempts; permanent errors fail at once (21610 also opts the member out).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/engine/delivery_writer.h"
#include "dispatch/channels/channel.h"
#include "dispatch/store/db_pool.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

struct DispatcherOptions {
  double default_segments_per_second = 1.0;
  int max_in_flight = 100;
  int max_attempts = 5;
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds writer_interval{2};
  WriterHooks writer_hooks;  // who hears of what the delivery writer commits
};

struct DispatcherStats {
  long long sent = 0;      // provider requests started
  long long accepted = 0;  // accepted by the provider
  long long retried = 0;
  long long failed = 0;
  long long claims = 0;    // claim round trips
  long long recovered = 0;
};

class Dispatcher {
 public:
  Dispatcher(boost::asio::any_io_executor executor, DbPool& db, const DataCipher& cipher,
             std::vector<Channel*> channels, DispatcherOptions options);

  // Spawns the loops on the executor. Call once.
  void Start();
  // Something was queued for `network_id`: look now instead of at the next poll. Thread-safe.
  void Wake(std::int64_t network_id);
  // Decides and records an inbound SMS in the next group commit (DeliveryWriter::AddInbound),
  // then calls `done` on a database pool thread once that is committed. Thread-safe.
  void RecordInbound(InboundSms sms, std::function<void(std::optional<ReplyDecision>)> done);
  // Deliveries were queued for some network (escalation): look now instead of at the next poll.
  // Thread-safe.
  void WakeAll();
  // The alert is about to end (its transaction has not committed): nothing of it that is not on
  // the wire yet may start. Its claimed messages are set aside (and those a claim still brings),
  // until ForgetAlertNow (the end committed: they are cancelled) or ReleaseAlertNow (the end
  // failed: they go back to the front of the queue). Only on the executor.
  void HoldAlertNow(std::int64_t alert_id);
  void ReleaseAlertNow(std::int64_t alert_id);
  // The alert ended (committed): cancel its claimed-but-unsent deliveries, and from now on any
  // of its alert messages, updates, reminders and stand-downs that a claim still in flight
  // returns (only its closing message may be sent). Requests on the wire are recorded as they
  // turn out (a member reached that way is sent the closing message too). Only on the executor.
  void ForgetAlertNow(std::int64_t alert_id);

  // Stops claiming and sending, waits for requests in flight, returns claimed-but-unsent
  // deliveries to the queue and flushes the writer; then calls `done` (on the executor).
  void Drain(std::function<void()> done);

  // Only on the executor.
  const DispatcherStats& stats() const { return stats_; }
  const WriterStats& writer_stats() const { return writer_.stats(); }
  // The group-commit writer, for the webhook sender's outcomes (on the executor only; it stops
  // when this drains, so drain the webhook sender first).
  DeliveryWriter& writer() { return writer_; }

 private:
  // A claimed delivery, ready to go: the message as its channel takes it (passed by reference,
  // never copied) and what the outcome needs besides.
  struct Job {
    OutboundMessage message;
    int attempts = 0;
    std::string message_kind;  // alert, update, reminder, stand_down, resolve, cancel
    Channel* channel = nullptr;
  };
  // What an outcome needs of the job it answers.
  struct Sent {
    std::int64_t delivery_id = 0;
    std::int64_t alert_id = 0;
    std::int64_t member_id = 0;
    int attempts = 0;
    bool closing = false;  // the alert's closing message (resolve, cancel)
  };
  struct NetworkQueue {
    std::deque<Job> ready;
    bool senders_known = false;   // the channels were given the network's senders
    bool more_queued = true;      // the last claim filled up: there may be more
    bool claiming = false;        // a Refill() is running for this network
    std::size_t next_claim = kFirstClaim;  // grows while claims come back full
  };
  // The first claim is small so the first message leaves within milliseconds of the commit;
  // later claims double up to ClaimTarget().
  static constexpr std::size_t kFirstClaim = 100;

  boost::asio::awaitable<void> Loop();
  boost::asio::awaitable<void> Recover();
  boost::asio::awaitable<void> FindNetworksWithWork();
  // Claims more for one network, beside the sending loop (which never waits on the database).
  boost::asio::awaitable<void> Refill(std::int64_t network_id);
  boost::asio::awaitable<void> Claim(std::int64_t network_id, NetworkQueue& q);
  boost::asio::awaitable<void> Poll();
  // Starts every send the buckets and the in-flight cap allow; returns how long until the next
  // one could start (or the poll interval when there is nothing to send).
  std::chrono::nanoseconds SendReady();
  void OnOutcome(const Sent& job, SendResult result);
  // About two seconds of the network's sending rate (at least 10, at most 4,000).
  std::size_t ClaimTarget(std::int64_t network_id) const;
  // Whether some network's ready queue has run low while more may be queued (the loop claims).
  bool ClaimDue() const;
  // The engine's clock (writer_hooks.clock), else the wall clock: when a call's retry is due.
  std::int64_t NowMs() const;

  // Immutable after construction.
  boost::asio::any_io_executor executor_;
  DbPool& db_;
  const DataCipher& cipher_;
  std::map<std::string, Channel*> channels_;  // by name ("sms")
  const DispatcherOptions options_;

  // Only on executor_.
  DeliveryWriter writer_;
  boost::asio::steady_timer wake_;
  std::map<std::int64_t, NetworkQueue> networks_;
  std::set<std::int64_t> woken_;
  // Alerts ended while this process runs (ForgetAlertNow), with when: pruned after an hour.
  std::map<std::int64_t, std::chrono::steady_clock::time_point> ended_;
  // Alerts whose end is committing (HoldAlertNow): their set-aside jobs, by network.
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, Job>>> held_;
  int in_flight_ = 0;
  std::int64_t served_last_ = 0;  // the network SendReady sent for last (round robin)
  bool draining_ = false;
  bool sleeping_ = false;
  std::chrono::steady_clock::time_point sleep_until_{};  // while sleeping_
  bool polling_ = false;
  int claims_running_ = 0;
  std::chrono::steady_clock::time_point last_poll_{};
  std::function<void()> drained_;
  DispatcherStats stats_;
};

}  // namespace tocsin
