// WebhookSender's coroutines: the loop and the claim. What is not a coroutine (sending and
// outcomes) is in webhook_sender_send.cc: GCC 12 crashes compiling larger coroutine files.
#include "dispatch/engine/webhook_sender.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/store/webhook_delivery_store.h"
#include "dispatch/util/sealed_places.h"
#include "dispatch/util/standard_webhooks.h"

namespace tocsin {
namespace {

namespace asio = boost::asio;

}  // namespace

WebhookSender::WebhookSender(asio::any_io_executor executor, DbPool& db, const DataCipher& cipher, const Clock& clock,
                             Channel& channel, DeliveryWriter& writer, WebhookSenderOptions options)
    : executor_(executor),
      db_(db),
      cipher_(cipher),
      clock_(clock),
      channel_(channel),
      writer_(writer),
      options_(std::move(options)),
      wake_(executor) {}

void WebhookSender::Start() {
  asio::co_spawn(executor_, Loop(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::critical("webhook sender stopped: {}", ex.what());
    }
  });
}

void WebhookSender::Wake() {
  asio::post(executor_, [this] {
    woken_ = true;
    wake_.cancel();
  });
}

void WebhookSender::Drain(std::function<void()> done) {
  asio::post(executor_, [this, done = std::move(done)]() mutable {
    draining_ = true;
    drained_ = std::move(done);
    wake_.cancel();
  });
}

asio::awaitable<void> WebhookSender::Claim() {
  std::vector<std::int64_t> full;
  for (const auto& [endpoint, q] : queues_) {
    if (static_cast<int>(q.size()) >= options_.per_endpoint_claim) full.push_back(endpoint);
  }
  long long room = options_.max_claimed - static_cast<long long>(Claimed());
  if (room <= 0) co_return;
  const std::int64_t now_ms = clock_.NowMs();
  const int per_endpoint = options_.per_endpoint_claim;
  auto rows = co_await db_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto out = ClaimWebhookDeliveries(tx, now_ms, room, per_endpoint, full);
    tx.commit();
    return out;
  });
  std::map<std::int64_t, int> per_claimed;
  for (const auto& r : rows) ++per_claimed[r.endpoint_id];
  more_due_ = static_cast<long long>(rows.size()) >= room;
  for (const auto& [endpoint, n] : per_claimed) more_due_ = more_due_ || n >= per_endpoint;
  for (auto& r : rows) {
    auto url = cipher_.Open(r.url_enc, places::EndpointUrl(r.network_id, r.endpoint_id));
    auto body = cipher_.Open(r.body_enc, places::WebhookBody(r.network_id, r.message_id));
    auto secret = cipher_.Open(r.secret_enc, places::EndpointSecret(r.network_id, r.endpoint_id));
    auto key = secret ? WebhookSecretKey(*secret) : std::nullopt;
    if (!url || !body || !key) {
      Transition t;
      t.delivery_id = r.id;
      t.state = "cancelled";
      t.error_message = "cannot decrypt";
      writer_.Add(std::move(t));
      continue;
    }
    Job job;
    job.delivery_id = r.id;
    job.attempts = r.attempts;
    job.message.delivery_id = r.id;
    job.message.network_id = r.network_id;
    job.message.to = std::move(*url);
    job.message.body = std::move(*body);
    job.message.endpoint_id = r.endpoint_id;
    job.message.message_id = r.message_id;
    job.message.keys.push_back(std::move(*key));
    if (r.previous_secret_enc) {
      auto previous = cipher_.Open(*r.previous_secret_enc, places::EndpointSecret(r.network_id, r.endpoint_id));
      if (auto old_key = previous ? WebhookSecretKey(*previous) : std::nullopt) job.message.keys.push_back(*old_key);
    }
    queues_[r.endpoint_id].push_back(std::move(job));
  }
}

asio::awaitable<void> WebhookSender::Loop() {
  while (!draining_) {
    woken_ = false;
    try {
      co_await Claim();
    } catch (const std::exception& e) {
      spdlog::warn("webhook sender: database error while claiming ({}); retrying", e.what());
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
  for (auto& [endpoint, q] : queues_) {
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
