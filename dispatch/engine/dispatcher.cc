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

#include "dispatch/engine/claimed_message.h"
#include "dispatch/model/alert.h"
#include "dispatch/store/delivery_store.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

// What an ended alert may still send: its closing message.
bool SentAfterEnd(const std::string& message_kind) { return message_kind == "resolve" || message_kind == "cancel"; }

constexpr auto kEndedMemory = std::chrono::hours(1);

double Jitter() { return 0.5 + randombytes_uniform(1000) / 1000.0; }

// A delivery moved to `state` without being sent: cancelled (and why), or back to the queue.
Transition Moved(std::int64_t delivery_id, std::string state, std::optional<std::string> why) {
  Transition t;
  t.delivery_id = delivery_id;
  t.state = std::move(state);
  t.error_message = std::move(why);
  return t;
}

}  // namespace

Dispatcher::Dispatcher(asio::any_io_executor executor, DbPool& db, const DataCipher& cipher,
                       std::vector<Channel*> channels, DispatcherOptions options)
    : executor_(executor),
      db_(db),
      cipher_(cipher),
      options_(options),
      writer_(executor, db, options.writer_interval, options.writer_hooks),
      wake_(executor) {
  for (auto* c : channels) channels_[std::string(c->name())] = c;
}

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
  writer_.AddInbound(std::move(sms), std::move(done));  // thread-safe: no hop
}

void Dispatcher::WakeAll() {
  asio::post(executor_, [this] {
    last_poll_ = {};
    if (sleeping_) wake_.cancel();
  });
}

void Dispatcher::HoldAlertNow(std::int64_t alert_id) {
  auto& held = held_[alert_id];
  for (auto& [network_id, q] : networks_) {
    std::erase_if(q.ready, [&held, network_id = network_id, alert_id](Job& j) {
      if (j.message.alert_id != alert_id || SentAfterEnd(j.message_kind)) return false;
      held.emplace_back(network_id, std::move(j));
      return true;
    });
  }
}

void Dispatcher::ReleaseAlertNow(std::int64_t alert_id) {
  auto it = held_.find(alert_id);
  if (it == held_.end()) return;
  for (auto r = it->second.rbegin(); r != it->second.rend(); ++r) {
    networks_[r->first].ready.push_front(std::move(r->second));
  }
  held_.erase(it);
  if (sleeping_) wake_.cancel();
}

void Dispatcher::ForgetAlertNow(std::int64_t alert_id) {
  auto now = std::chrono::steady_clock::now();
  std::erase_if(ended_, [now](const auto& e) { return now - e.second > kEndedMemory; });
  ended_[alert_id] = now;
  HoldAlertNow(alert_id);  // anything still in a queue (there should be nothing)
  for (auto& [network_id, job] : held_[alert_id]) {
    writer_.Add(Moved(job.message.delivery_id, "cancelled", "alert ended"));
  }
  held_.erase(alert_id);
}

void Dispatcher::Drain(std::function<void()> done) {
  asio::post(executor_, [this, done = std::move(done)]() mutable {
    draining_ = true;
    drained_ = std::move(done);
    wake_.cancel();
  });
}

std::int64_t Dispatcher::NowMs() const {
  return options_.writer_hooks.clock ? options_.writer_hooks.clock->NowMs() : WallClockMs();
}

std::size_t Dispatcher::ClaimTarget(std::int64_t network_id) const {
  double rate = 0;
  for (const auto& [name, channel] : channels_) rate += channel->Rate(network_id);
  // About two seconds of sending, so the senders never wait on the database.
  return static_cast<std::size_t>(std::clamp(rate * 2.0, 10.0, 4000.0));
}

asio::awaitable<void> Dispatcher::Recover() {
  // Until the database answers, or a drain asks us to stop (SIGTERM during an outage).
  while (!draining_) {
    try {
      auto n = co_await db_.Run([](pqxx::connection& c) {
        pqxx::work tx(c);
        auto n = RecoverSending(tx);
        tx.commit();
        return n;
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
  const std::int64_t now_ms = NowMs();
  auto ids = co_await db_.Run([now_ms](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return NetworksWithWork(tx, now_ms);
  });
  for (auto id : ids) woken_.insert(id);
}

asio::awaitable<void> Dispatcher::Claim(std::int64_t network_id, NetworkQueue& q) {
  if (!q.senders_known) {
    auto senders = co_await db_.Run([&network_id](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      return SendersOf(tx, network_id);
    });
    for (auto& [name, channel] : channels_) channel->SetSenders(network_id, senders);
    q.senders_known = true;
  }
  bool can_send = false;
  for (const auto& [name, channel] : channels_) can_send = can_send || channel->Rate(network_id) > 0;
  if (!can_send) co_return;  // no sender: its deliveries wait, queued
  auto target = ClaimTarget(network_id);
  if (q.ready.size() * 2 > target) co_return;
  long long want = static_cast<long long>(std::min(target - q.ready.size(), q.next_claim));
  const std::int64_t now_ms = NowMs();
  auto rows = co_await db_.Run([&network_id, &want, now_ms](pqxx::connection& c) {
    pqxx::work tx(c);
    auto out = ClaimDeliveries(tx, network_id, want, now_ms);
    tx.commit();
    return out;
  });
  ++stats_.claims;
  q.more_queued = static_cast<long long>(rows.size()) == want;
  q.next_claim = q.more_queued ? std::min<std::size_t>(q.next_claim * 2, 4000) : kFirstClaim;
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (auto& r : rows) {
    if (ended_.count(r.alert_id) && !SentAfterEnd(r.message_kind)) {
      // Claimed in a transaction that began before the alert's end committed: never sent.
      writer_.Add(Moved(r.id, "cancelled", "alert ended"));
      continue;
    }
    const char* refused = r.member_status != "active" ? "member is not active"
                          : !channels_.count(r.channel) ? "no such channel"
                                                        : nullptr;
    const std::string channel = r.channel;
    std::optional<OutboundMessage> opened;
    if (!refused) {
      opened = OpenClaimed(cipher_, network_id, r);
      if (!opened) refused = "cannot decrypt";
    }
    if (refused) {
      writer_.Add(Moved(r.id, "cancelled", refused));
      continue;
    }
    Job job;
    job.message = std::move(*opened);
    job.attempts = r.attempts;
    job.message_kind = r.message_kind;
    job.channel = channels_.at(channel);
    if (auto held = held_.find(r.alert_id); held != held_.end() && !SentAfterEnd(r.message_kind)) {
      held->second.emplace_back(network_id, std::move(job));  // its end is committing
      continue;
    }
    q.ready.push_back(std::move(job));
  }
}

std::chrono::nanoseconds Dispatcher::SendReady() {
  std::chrono::nanoseconds wait = options_.poll_interval;
  // Round robin by network, one message each in turn, starting after the network served last:
  // the in-flight cap is the account's, and one network's large alert must not hold back
  // another network's first message. A network whose next message cannot go yet (its senders'
  // rate) sits out until the next call.
  std::vector<std::pair<std::int64_t, NetworkQueue*>> turn;
  for (auto it = networks_.upper_bound(served_last_); it != networks_.end(); ++it) turn.emplace_back(it->first, &it->second);
  for (auto it = networks_.begin(); it != networks_.end() && it->first <= served_last_; ++it) {
    turn.emplace_back(it->first, &it->second);
  }
  while (in_flight_ < options_.max_in_flight) {
    bool sent_any = false;
    for (auto& [network_id, q] : turn) {
      if (in_flight_ >= options_.max_in_flight) break;
      if (q == nullptr || q->ready.empty()) continue;
      auto& job = q->ready.front();
      const OutboundMessage& m = job.message;
      Sent sent{m.delivery_id, m.alert_id, m.member_id, job.attempts, SentAfterEnd(job.message_kind)};
      auto later = job.channel->TrySend(m, [this, sent](SendResult result) {
        // Outcomes may come from any thread (or synchronously): always continue on the executor.
        asio::post(executor_, [this, sent, result = std::move(result)]() mutable { OnOutcome(sent, std::move(result)); });
      });
      if (later) {
        wait = std::min(wait, *later);
        q = nullptr;  // sits out the rest of this call
        continue;
      }
      q->ready.pop_front();
      ++in_flight_;
      ++stats_.sent;
      served_last_ = network_id;
      sent_any = true;
    }
    if (!sent_any) break;
  }
  return wait;
}

void Dispatcher::OnOutcome(const Sent& job, SendResult result) {
  --in_flight_;
  const auto& outcome = result.outcome;
  Transition t;
  t.delivery_id = job.delivery_id;
  t.alert_id = job.alert_id;
  t.member_id = job.member_id;
  t.sender = result.sender;
  t.closing = job.closing;
  switch (outcome.kind) {
    case SmsOutcome::Kind::kAccepted:
      ++stats_.accepted;
      t.state = outcome.delivered ? "delivered" : "sent";
      t.provider_id = outcome.provider_id;
      break;
    case SmsOutcome::Kind::kThrottled: {
      // The account is over its concurrency: the channel holds everyone back; this one goes
      // back to the queue.
      auto pause = std::max<std::chrono::seconds>(outcome.retry_after, std::chrono::seconds(1));
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
      if (outcome.recipient_opted_out && job.member_id) t.opt_out_member = job.member_id;
      break;
  }
  writer_.Add(std::move(t));
  if (!sleeping_) return;  // the loop is about to look anyway
  if (draining_) {
    wake_.cancel();
    return;
  }
  // Fill the freed slot now rather than through a turn of the loop (re-arming its timer for
  // every outcome costs a system call each); wake the loop only when it must act sooner than
  // it planned to, or claim more.
  auto wait = SendReady();
  if (SteadyClock::now() + wait < sleep_until_ || ClaimDue()) wake_.cancel();
}

bool Dispatcher::ClaimDue() const {
  for (const auto& [id, q] : networks_) {
    if (!q.claiming && q.more_queued && q.ready.size() * 2 <= ClaimTarget(id)) return true;
  }
  return false;
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
      if (!q.claiming && (q.more_queued || !q.senders_known) && q.ready.size() * 2 <= ClaimTarget(id)) {
        q.claiming = true;
        ++claims_running_;
        asio::co_spawn(executor_, Refill(id), asio::detached);
      }
    }
    auto wait = SendReady();
    if (!woken_.empty() || draining_) continue;
    sleeping_ = true;
    sleep_until_ = SteadyClock::now() + std::max<std::chrono::nanoseconds>(wait, std::chrono::microseconds(200));
    wake_.expires_at(sleep_until_);
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
    for (const auto& job : q.ready) writer_.Add(Moved(job.message.delivery_id, "queued", std::nullopt));
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
