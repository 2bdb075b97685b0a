#include "dispatch/engine/dispatcher.h"

#include <algorithm>
#include <cmath>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "dispatch/model/alert.h"
#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

namespace asio = boost::asio;
using BucketClock = TokenBucket::Clock;

constexpr const char* kRecover =
    "UPDATE deliveries SET state = 'queued', next_attempt_at = now(), updated_at = now()"
    " WHERE state = 'sending'";
// Early callbacks that never found their message (not ours, or lost): kept a day.
constexpr const char* kPruneEarly =
    "DELETE FROM early_status WHERE received_at < now() - interval '1 day'";
constexpr const char* kNetworksWithWork =
    "SELECT DISTINCT network_id FROM deliveries WHERE state = 'queued' AND next_attempt_at <= now()";
constexpr const char* kSenders =
    "SELECT number, segments_per_second FROM network_numbers WHERE network_id = $1 ORDER BY position";
// Claims the oldest due deliveries of one network and returns what sending them needs.
constexpr const char* kClaim =
    "WITH picked AS (SELECT id FROM deliveries WHERE network_id = $1 AND state = 'queued'"
    "  AND next_attempt_at <= now() ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)"
    " UPDATE deliveries d SET state = 'sending', attempts = d.attempts + 1, updated_at = now()"
    " FROM picked p, members m, alert_messages msg, alerts a"
    " WHERE d.id = p.id AND m.id = d.member_id AND msg.alert_id = d.alert_id AND msg.seq = d.seq"
    "  AND msg.language = d.language AND a.id = d.alert_id"
    " RETURNING d.id, d.member_id, d.segments, d.attempts, m.phone_enc, m.status, msg.body_enc, a.kind,"
    "  d.alert_id, msg.kind";

struct ClaimedRow {
  std::int64_t id, member_id;
  int segments, attempts;
  std::string phone_enc, status, body_enc, kind;
  std::int64_t alert_id;
  std::string message_kind;
};

// What an ended alert may still send: its closing message.
bool SentAfterEnd(const std::string& message_kind) { return message_kind == "resolve" || message_kind == "cancel"; }

constexpr auto kEndedMemory = std::chrono::hours(1);

double Jitter() { return 0.5 + randombytes_uniform(1000) / 1000.0; }

}  // namespace

Dispatcher::Dispatcher(asio::any_io_executor executor, DbPool& db, const DataCipher& cipher,
                       SmsProvider& provider, DispatcherOptions options)
    : executor_(executor),
      db_(db),
      cipher_(cipher),
      provider_(provider),
      options_(options),
      writer_(executor, db, options.writer_interval, options.writer_hooks),
      wake_(executor) {}

void Dispatcher::Start() {
  asio::co_spawn(executor_, writer_.Run(), asio::detached);
  asio::co_spawn(executor_, Loop(), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::critical("dispatcher stopped: {}", ex.what());
    }
  });
}

void Dispatcher::Wake(std::int64_t network_id) {
  asio::post(executor_, [this, network_id] {
    woken_.insert(network_id);
    if (sleeping_) wake_.cancel();
  });
}

void Dispatcher::RecordInbound(InboundSms sms, std::function<void(std::optional<ReplyDecision>)> done) {
  asio::post(executor_, [this, sms = std::move(sms), done = std::move(done)]() mutable {
    writer_.AddInbound(std::move(sms), std::move(done));
  });
}

void Dispatcher::WakeAll() {
  asio::post(executor_, [this] {
    last_poll_ = {};
    if (sleeping_) wake_.cancel();
  });
}

void Dispatcher::ForgetAlertNow(std::int64_t alert_id) {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(ended_, [now](const auto& e) { return now - e.second > kEndedMemory; });
  ended_[alert_id] = now;
  for (auto& [network_id, q] : networks_) {
    std::erase_if(q.ready, [alert_id](const Job& j) { return j.alert_id == alert_id && !SentAfterEnd(j.message_kind); });
  }
}

void Dispatcher::Drain(std::function<void()> done) {
  asio::post(executor_, [this, done = std::move(done)]() mutable {
    draining_ = true;
    drained_ = std::move(done);
    wake_.cancel();
  });
}

std::size_t Dispatcher::ClaimTarget(const NetworkQueue& q) const {
  double rate = 0;
  for (const auto& s : q.senders) rate += s.bucket.rate();
  // About two seconds of sending, so the senders never wait on the database.
  return static_cast<std::size_t>(std::clamp(rate * 2.0, 10.0, 4000.0));
}

asio::awaitable<void> Dispatcher::Recover() {
  for (;;) {
    try {
      auto n = co_await db_.Run([](pqxx::connection& c) {
        pqxx::work tx(c);
        auto r = tx.exec(kRecover);
        tx.exec(kPruneEarly);
        tx.commit();
        return static_cast<long long>(r.affected_rows());
      });
      stats_.recovered = n;
      if (n) spdlog::warn("dispatcher: {} deliveries were in flight at the last stop; queued again", n);
      co_return;
    } catch (const std::exception& e) {
      spdlog::warn("dispatcher: database not ready ({}); retrying", e.what());
    }
    wake_.expires_after(std::chrono::seconds(1));
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> Dispatcher::FindNetworksWithWork() {
  auto ids = co_await db_.Run([](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::vector<std::int64_t> out;
    for (const auto& r : tx.exec(kNetworksWithWork)) out.push_back(r[0].as<std::int64_t>());
    return out;
  });
  for (auto id : ids) woken_.insert(id);
}

asio::awaitable<void> Dispatcher::Claim(std::int64_t network_id, NetworkQueue& q) {
  if (q.senders.empty()) {
    auto senders = co_await db_.Run([&network_id](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      std::vector<std::pair<std::string, std::optional<double>>> out;
      for (const auto& r : tx.exec_params(kSenders, network_id)) {
        out.emplace_back(r[0].as<std::string>(),
                         r[1].is_null() ? std::nullopt : std::optional<double>(r[1].as<double>()));
      }
      return out;
    });
    for (auto& [number, rate] : senders) {
      q.senders.push_back({number, TokenBucket(rate.value_or(options_.default_segments_per_second), BucketClock::now())});
    }
    if (q.senders.empty()) co_return;
  }
  auto target = ClaimTarget(q);
  if (q.ready.size() * 2 > target) co_return;
  long long want = static_cast<long long>(std::min(target - q.ready.size(), q.next_claim));
  auto rows = co_await db_.Run([&network_id, &want](pqxx::connection& c) {
    pqxx::work tx(c);
    std::vector<ClaimedRow> out;
    for (const auto& r : tx.exec_params(kClaim, network_id, want)) {
      out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<int>(), r[3].as<int>(),
                     FromBytea(r[4]).value_or(""), r[5].as<std::string>(),
                     FromBytea(r[6]).value_or(""), r[7].as<std::string>(), r[8].as<std::int64_t>(),
                     r[9].as<std::string>()});
    }
    tx.commit();
    return out;
  });
  ++stats_.claims;
  q.more_queued = static_cast<long long>(rows.size()) == want;
  q.next_claim = q.more_queued ? std::min<std::size_t>(q.next_claim * 2, 4000) : kFirstClaim;
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (auto& r : rows) {
    auto to = cipher_.Open(r.phone_enc);
    auto body = cipher_.Open(r.body_enc);
    if (ended_.count(r.alert_id) && !SentAfterEnd(r.message_kind)) {
      // Claimed in a transaction that began before the alert's end committed: never sent.
      writer_.Add({r.id, "cancelled", {}, {}, {}, "alert ended", 0, {}});
      continue;
    }
    if (r.status != "active" || !to || !body) {
      writer_.Add({r.id, "cancelled", {}, {}, {}, r.status != "active" ? "member is not active" : "cannot decrypt", 0, {}});
      continue;
    }
    q.ready.push_back({r.id, r.alert_id, r.member_id, r.segments, r.attempts, std::move(*to), std::move(*body),
                       ValiditySeconds(r.kind), r.message_kind});
  }
}

std::chrono::nanoseconds Dispatcher::SendReady() {
  auto now = BucketClock::now();
  std::chrono::nanoseconds wait = options_.poll_interval;
  if (now < paused_until_) return paused_until_ - now;
  for (auto& [network_id, q] : networks_) {
    while (!q.ready.empty() && in_flight_ < options_.max_in_flight && !q.senders.empty()) {
      auto& job = q.ready.front();
      // Spread the load: try senders round-robin, take the first whose bucket allows it.
      Sender* chosen = nullptr;
      std::chrono::nanoseconds soonest = std::chrono::hours(1);
      for (std::size_t k = 0; k < q.senders.size(); ++k) {
        auto& s = q.senders[(q.next_sender + k) % q.senders.size()];
        if (s.bucket.TryTake(job.segments, now)) {
          chosen = &s;
          q.next_sender = (q.next_sender + k + 1) % q.senders.size();
          break;
        }
        soonest = std::min(soonest, s.bucket.WaitFor(job.segments, now));
      }
      if (!chosen) {
        wait = std::min(wait, soonest);
        break;
      }
      Job sending = std::move(job);
      q.ready.pop_front();
      ++in_flight_;
      ++stats_.sent;
      SmsMessage msg{sending.delivery_id, sending.to, chosen->number, sending.body, sending.segments,
                     sending.validity_seconds};
      std::string sender = chosen->number;
      provider_.Send(msg, [this, sending, sender](SmsOutcome outcome) {
        // Outcomes may come from any thread (or synchronously): always continue on the executor.
        asio::post(executor_, [this, sending, sender, outcome = std::move(outcome)]() mutable {
          OnOutcome(sending, sender, std::move(outcome));
        });
      });
    }
  }
  return wait;
}

void Dispatcher::OnOutcome(const Job& job, const std::string& sender, SmsOutcome outcome) {
  --in_flight_;
  Transition t;
  t.delivery_id = job.delivery_id;
  t.alert_id = job.alert_id;
  t.member_id = job.member_id;
  t.sender = sender;
  switch (outcome.kind) {
    case SmsOutcome::Kind::kAccepted:
      ++stats_.accepted;
      t.state = outcome.delivered ? "delivered" : "sent";
      t.provider_id = outcome.provider_id;
      break;
    case SmsOutcome::Kind::kThrottled: {
      // The account is over its concurrency: everyone waits, this one goes back to the queue.
      auto pause = std::max<std::chrono::seconds>(outcome.retry_after, std::chrono::seconds(1));
      paused_until_ = std::max(paused_until_, BucketClock::now() + pause);
      ++stats_.retried;
      t.state = job.attempts >= options_.max_attempts * 4 ? "failed" : "queued";
      t.retry_in_seconds = static_cast<double>(pause.count());
      t.error_code = outcome.error_code;
      t.error_message = outcome.error_message;
      break;
    }
    case SmsOutcome::Kind::kTransient:
      t.error_code = outcome.error_code;
      t.error_message = outcome.error_message;
      if (job.attempts >= options_.max_attempts) {
        ++stats_.failed;
        t.state = "failed";
      } else {
        ++stats_.retried;
        t.state = "queued";
        t.retry_in_seconds = std::min(60.0, std::pow(2.0, job.attempts - 1)) * Jitter();
      }
      break;
    case SmsOutcome::Kind::kPermanent:
      ++stats_.failed;
      t.state = "failed";
      t.error_code = outcome.error_code;
      t.error_message = outcome.error_message;
      if (outcome.recipient_opted_out) t.opt_out_member = job.member_id;
      break;
  }
  writer_.Add(std::move(t));
  if (sleeping_) wake_.cancel();
}

asio::awaitable<void> Dispatcher::Poll() {
  try {
    co_await FindNetworksWithWork();
  } catch (const std::exception& e) {
    spdlog::warn("dispatcher: database error while polling ({}); retrying", e.what());
  }
  polling_ = false;
  if (sleeping_) wake_.cancel();
}

asio::awaitable<void> Dispatcher::Refill(std::int64_t network_id) {
  auto& q = networks_[network_id];
  try {
    co_await Claim(network_id, q);
  } catch (const std::exception& e) {
    spdlog::warn("dispatcher: database error while claiming ({}); retrying", e.what());
    q.more_queued = true;
  }
  q.claiming = false;
  --claims_running_;
  if (sleeping_) wake_.cancel();
}

asio::awaitable<void> Dispatcher::Loop() {
  co_await Recover();
  while (!draining_) {
    auto now = std::chrono::steady_clock::now();
    if (!polling_ && now - last_poll_ >= options_.poll_interval) {
      last_poll_ = now;
      polling_ = true;
      asio::co_spawn(executor_, Poll(), asio::detached);
    }
    auto woken = std::move(woken_);
    woken_.clear();
    for (auto id : woken) networks_[id].more_queued = true;
    for (auto& [id, q] : networks_) {
      if (!q.claiming && (q.more_queued || q.senders.empty()) && q.ready.size() * 2 <= ClaimTarget(q)) {
        q.claiming = true;
        ++claims_running_;
        asio::co_spawn(executor_, Refill(id), asio::detached);
      }
    }
    auto wait = SendReady();
    if (!woken_.empty() || draining_) continue;
    sleeping_ = true;
    wake_.expires_after(std::max<std::chrono::nanoseconds>(wait, std::chrono::microseconds(200)));
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    sleeping_ = false;
  }
  // Draining: let requests in flight finish, give back what was claimed but not sent.
  while (in_flight_ > 0 || claims_running_ > 0 || polling_) {
    sleeping_ = true;
    wake_.expires_after(std::chrono::milliseconds(50));
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    sleeping_ = false;
  }
  for (auto& [id, q] : networks_) {
    for (const auto& job : q.ready) writer_.Add({job.delivery_id, "queued", {}, {}, {}, {}, 0, {}});
    q.ready.clear();
  }
  writer_.Stop();
  while (!writer_.Finished()) {
    wake_.expires_after(std::chrono::milliseconds(10));
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  spdlog::info("dispatcher drained: {} sent, {} accepted, {} failed", stats_.sent, stats_.accepted,
               stats_.failed);
  if (drained_) drained_();
}

}  // namespace tocsin
