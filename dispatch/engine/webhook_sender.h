// WebhookSender: the engine's loop for webhook deliveries (organisations' endpoints).
//
// It claims due webhook deliveries from PostgreSQL (queued -> sending; due by the engine's
// clock, at most a few per endpoint per claim), keeps them in one queue per endpoint, hands each
// to the webhook Channel (which caps the requests in flight per endpoint, so a slow partner
// delays only its own deliveries, never another's or the SMS), and records every outcome through
// the dispatcher's DeliveryWriter (the same group commit as SMS).
//
// Retries (Standard Webhooks): after the first attempt a failed delivery (no 2xx, no answer,
// 429/502/503/504, a refused address) is tried again after each delay of `retry_schedule` in
// turn, measured on the engine's clock, or after Retry-After when that is longer; when the
// schedule is exhausted it is failed. 410 Gone fails it and disables the endpoint. The
// webhook-id never changes.
//
// Durability: as the dispatcher's. A delivery is 'sending' from its claim until its outcome is
// written; at start the dispatcher's Recover queues 'sending' rows again (webhook rows
// included), so a request in flight when the process died may be repeated with the same
// webhook-id (receivers deduplicate on it).
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
#include "dispatch/store/db_pool.h"
#include "dispatch/util/clock.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

struct WebhookSenderOptions {
  // Delays before the 2nd, 3rd... attempts, in ms (webhooks.retry_schedule).
  std::vector<std::int64_t> retry_schedule_ms = {5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000};
  std::chrono::milliseconds poll_interval{200};
  int per_endpoint_claim = 16;  // at most this many of one endpoint in memory
  int max_claimed = 1000;       // at most this many in memory in all
};

class WebhookSender {
 public:
  WebhookSender(boost::asio::any_io_executor executor, DbPool& db, const DataCipher& cipher, const Clock& clock,
                Channel& channel, DeliveryWriter& writer, WebhookSenderOptions options);

  // Spawns the loop on the executor. Call once.
  void Start();
  // Webhook deliveries were queued: claim now instead of at the next poll. Thread-safe.
  void Wake();
  // Stops claiming and sending, waits for requests in flight, gives back what was claimed but
  // not sent; then calls `done` on the executor.
  void Drain(std::function<void()> done);

 private:
  struct Job {
    std::int64_t delivery_id = 0;
    int attempts = 0;
    OutboundMessage message;
  };

  boost::asio::awaitable<void> Loop();
  boost::asio::awaitable<void> Claim();
  // Starts every send the endpoints' caps allow.
  void SendReady();
  void OnOutcome(std::int64_t endpoint_id, std::int64_t delivery_id, int attempts, SendResult result);
  std::size_t Claimed() const;

  // Immutable after construction.
  boost::asio::any_io_executor executor_;
  DbPool& db_;
  const DataCipher& cipher_;
  const Clock& clock_;
  Channel& channel_;
  DeliveryWriter& writer_;
  const WebhookSenderOptions options_;

  // Only on executor_.
  boost::asio::steady_timer wake_;
  std::map<std::int64_t, std::deque<Job>> queues_;  // by endpoint
  int in_flight_ = 0;
  bool woken_ = false;
  // The last claim filled some endpoint's share (or all the room): more may be due, so an
  // endpoint whose queue runs low claims again at once rather than at the next poll.
  bool more_due_ = false;
  bool draining_ = false;
  std::function<void()> drained_;
};

}  // namespace tocsin
