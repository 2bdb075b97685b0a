// ScheduledSender: the engine's loop for deliveries to organisations' contact points, one
// instance per kind: webhooks (WebhookSource, engine/webhook_source.h) and email (EmailSource,
// engine/email_source.h).
//
// It claims due deliveries from PostgreSQL through its source (queued -> sending; due by the
// engine's clock, at most a few per contact point per claim), keeps them in one queue per
// contact point, hands each to the channel (which caps the requests in flight, per endpoint for
// webhooks, so a slow partner delays only its own deliveries, never another's or the SMS), and
// records every outcome (the source's Outcome) through the dispatcher's DeliveryWriter (the
// same group commit as SMS).
//
// Retries: the source decides (webhooks.retry_schedule on the engine's clock, for both kinds).
// A transition that disables an endpoint (410 Gone) sends the endpoint's other claimed
// deliveries back to the queue.
//
// Durability: as the dispatcher's. A delivery is 'sending' from its claim until its outcome is
// written; at start the dispatcher's Recover queues 'sending' rows again (webhook and email rows
// included), so a request in flight when the process died may be repeated: with the same
// webhook-id (receivers deduplicate on it), or as a second email.
//
// Ownership and threading: owned by the Engine; runs on the engine's executor, where all its
// state lives. Wake() is thread-safe. Drain before the dispatcher's (it writes through the
// dispatcher's writer).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/channels/channel.h"
#include "dispatch/engine/delivery_writer.h"
#include "dispatch/engine/send_source.h"
#include "dispatch/store/db_pool.h"
#include "dispatch/util/clock.h"

namespace tocsin {

struct ScheduledSenderOptions {
  std::chrono::milliseconds poll_interval{200};
  int per_endpoint_claim = 16;  // at most this many of one contact point in memory
  int max_claimed = 1000;       // at most this many in memory in all
};

class ScheduledSender {
 public:
  // `source`, `channel` and `writer` must outlive the sender.
  ScheduledSender(boost::asio::any_io_executor executor, DbPool& db, const Clock& clock, const SendSource& source,
                  Channel& channel, DeliveryWriter& writer, ScheduledSenderOptions options);

  // Spawns the loop on the executor. Call once.
  void Start();
  // Deliveries were queued: claim now instead of at the next poll. Thread-safe.
  void Wake();
  // Stops claiming and sending, waits for requests in flight, gives back what was claimed but
  // not sent; then calls `done` on the executor.
  void Drain(std::function<void()> done);

 private:
  boost::asio::awaitable<void> Loop();
  boost::asio::awaitable<void> Claim();
  // Starts every send the endpoints' caps allow.
  void SendReady();
  void OnOutcome(const SendJob& job, SendResult result);
  std::size_t Claimed() const;

  // Immutable after construction.
  boost::asio::any_io_executor executor_;
  DbPool& db_;
  const Clock& clock_;
  const SendSource& source_;
  Channel& channel_;
  DeliveryWriter& writer_;
  const ScheduledSenderOptions options_;

  // Only on executor_.
  boost::asio::steady_timer wake_;
  std::map<std::int64_t, std::deque<SendJob>> queues_;  // by contact point (SendJob::queue)
  int in_flight_ = 0;
  bool woken_ = false;
  // The last claim filled some queue's share (or all the room): more may be due, so a queue
  // that runs low claims again at once rather than at the next poll.
  bool more_due_ = false;
  bool draining_ = false;
  std::function<void()> drained_;
};

}  // namespace tocsin
