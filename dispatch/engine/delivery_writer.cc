#include "dispatch/engine/delivery_writer.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/store/pq_types.h"
#include "dispatch/util/crypto.h"

namespace tocsin {
namespace {

namespace asio = boost::asio;

constexpr const char* kApply =
    "UPDATE deliveries d SET state = u.state,"
    " sender = COALESCE(u.sender, d.sender), provider_id = COALESCE(u.provider_id, d.provider_id),"
    " error_code = COALESCE(u.error_code, d.error_code),"
    " error_message = COALESCE(u.error_message, d.error_message),"
    " next_attempt_at = CASE WHEN u.state = 'queued'"
    "   THEN now() + make_interval(secs => u.delay) ELSE d.next_attempt_at END,"
    " sent_at = CASE WHEN u.state IN ('sent', 'delivered') AND d.sent_at IS NULL THEN now()"
    "   ELSE d.sent_at END,"
    " updated_at = now()"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
    "   $7::float8[]) AS u(id, state, sender, provider_id, error_code, error_message, delay)"
    " WHERE d.id = u.id AND (delivery_rank(u.state) > delivery_rank(d.state)"
    "   OR (u.state IN ('queued', 'cancelled') AND d.state = 'sending'))";
// Callbacks that came before the ids they name: apply the most advanced one per id, drop them.
constexpr const char* kApplyEarly =
    "WITH e AS (DELETE FROM early_status WHERE provider_id = ANY($1::text[])"
    "   RETURNING provider_id, state, error_code),"
    " best AS (SELECT DISTINCT ON (provider_id) provider_id, state, error_code FROM e"
    "   ORDER BY provider_id, delivery_rank(state) DESC)"
    " UPDATE deliveries d SET state = best.state, error_code = COALESCE(best.error_code, d.error_code),"
    " updated_at = now() FROM best WHERE d.provider_id = best.provider_id"
    " AND delivery_rank(best.state) > delivery_rank(d.state)";
constexpr const char* kInsertResponses =
    "INSERT INTO responses (alert_id, network_id, member_id, answer, text_enc, provider_id)"
    " SELECT a, n, m, ans, decode(t, 'hex'), p FROM unnest($1::bigint[], $2::bigint[],"
    "  $3::bigint[], $4::text[], $5::text[], $6::text[]) AS u(a, n, m, ans, t, p)"
    " ON CONFLICT (provider_id) WHERE provider_id IS NOT NULL DO NOTHING";
constexpr const char* kOptOut =
    "UPDATE members SET status = 'opted_out', updated_at = now() WHERE id = ANY($1::bigint[])";

}  // namespace

namespace {

// Tells watchers what a committed batch changed (ids, states and answers only).
template <typename Batch>
void Announce(EventHub& events, const Batch& batch) {
  for (const auto& t : batch.transitions) {
    if (t.alert_id == 0 || !events.Watched(t.alert_id)) continue;
    events.Publish(t.alert_id, "delivery", DeliveryEventJson(t.delivery_id, t.member_id, t.state, t.error_code));
  }
  for (const auto& in : batch.inbound) {
    const auto& r = in.decision.record;
    if (!r || !events.Watched(r->alert_id)) continue;
    events.Publish(r->alert_id, "answer", AnswerEventJson(r->member_id, r->answer));
  }
}

}  // namespace

DeliveryWriter::DeliveryWriter(asio::any_io_executor executor, DbPool& db,
                               std::chrono::milliseconds interval, WriterHooks hooks)
    : db_(db), hooks_(std::move(hooks)), interval_(interval), timer_(executor) {}

void DeliveryWriter::Add(Transition t) {
  pending_.push_back(std::move(t));
  if (idle_) timer_.cancel();
}

void DeliveryWriter::AddInbound(InboundSms sms, std::function<void(std::optional<ReplyDecision>)> done) {
  inbound_.push_back({std::move(sms), std::move(done), {}});
  if (idle_) timer_.cancel();
}

void DeliveryWriter::Stop() {
  stopping_ = true;
  timer_.cancel();
}

void DeliveryWriter::Flush(pqxx::connection& c, const std::vector<Transition>& batch,
                           std::vector<PendingInbound>& inbound) const {
  std::vector<std::string> ids, states, delays;
  std::vector<std::optional<std::string>> senders, providers, codes, messages;
  std::vector<std::string> opt_outs, new_ids;
  for (const auto& t : batch) {
    if (t.provider_id && !t.provider_id->empty()) new_ids.push_back(*t.provider_id);
    ids.push_back(std::to_string(t.delivery_id));
    states.push_back(t.state);
    senders.push_back(t.sender);
    providers.push_back(t.provider_id);
    codes.push_back(t.error_code);
    messages.push_back(t.error_message);
    delays.push_back(std::to_string(t.retry_in_seconds));
    if (t.opt_out_member) opt_outs.push_back(std::to_string(*t.opt_out_member));
  }
  pqxx::work tx(c);
  if (!batch.empty()) {
    tx.exec_params(kApply, ToPgArray(ids), ToPgArray(states), ToPgArray(senders),
                   ToPgArray(providers), ToPgArray(codes), ToPgArray(messages), ToPgArray(delays));
  }
  if (!inbound.empty()) {
    // One lookup for every sender of the batch; the decisions are made here, in memory.
    std::vector<InboundSms> messages;
    for (const auto& in : inbound) messages.push_back(in.sms);
    auto senders = hooks_.replies->LookupSenders(tx, messages);
    std::vector<std::string> alerts, networks, members, answers;
    std::vector<std::optional<std::string>> texts, sids;
    for (std::size_t i = 0; i < inbound.size(); ++i) {
      auto& d = inbound[i].decision;
      d = hooks_.replies->Decide(inbound[i].sms, senders[i]);
      if (d.set_status) hooks_.replies->ApplyStatus(tx, d);  // STOP/START: rare, one statement each
      if (!d.record) continue;
      const auto& r = *d.record;
      alerts.push_back(std::to_string(r.alert_id));
      networks.push_back(std::to_string(r.network_id));
      members.push_back(std::to_string(r.member_id));
      answers.push_back(r.answer);
      texts.push_back(r.text_sealed ? std::optional<std::string>(ToHex(*r.text_sealed)) : std::nullopt);
      sids.push_back(r.provider_id);
    }
    tx.exec_params(kInsertResponses, ToPgArray(alerts), ToPgArray(networks), ToPgArray(members),
                   ToPgArray(answers), ToPgArray(texts), ToPgArray(sids));
  }
  if (!new_ids.empty()) tx.exec_params(kApplyEarly, ToPgArray(new_ids));
  if (!opt_outs.empty()) tx.exec_params(kOptOut, ToPgArray(opt_outs));
  tx.commit();
}

asio::awaitable<void> DeliveryWriter::Run() {
  for (;;) {
    if (Empty() || flights_ >= kMaxFlights) {
      if (Empty() && stopping_ && flights_ == 0) {
        finished_ = true;
        co_return;
      }
      // Woken by Add (when idle) or by a flight landing.
      idle_ = true;
      timer_.expires_after(std::chrono::hours(1));
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      idle_ = false;
      continue;
    }
    // Gather what arrives in the next moment into the same round trip.
    if (!stopping_ && flights_ == 0) {
      timer_.expires_after(interval_);
      co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto* batch = new Batch;
    batch->transitions.swap(pending_);
    batch->inbound.swap(inbound_);
    ++flights_;
    asio::co_spawn(timer_.get_executor(), Fly(batch), asio::detached);
  }
}

void DeliveryWriter::Committed(Batch& batch) const {
  if (hooks_.events) Announce(*hooks_.events, batch);
  if (hooks_.on_failed) {
    for (const auto& t : batch.transitions) {
      if (t.state == "failed" && t.alert_id != 0) hooks_.on_failed(t.alert_id);
    }
  }
  for (auto& in : batch.inbound) in.done(std::move(in.decision));
}

asio::awaitable<void> DeliveryWriter::Fly(Batch* raw) {
  std::unique_ptr<Batch> batch(raw);
  enum { kWritten, kOutage, kRefused } result = kOutage;
  try {
    co_await db_.Run([this, &batch](pqxx::connection& c) {
      Flush(c, batch->transitions, batch->inbound);
      // Committed: tell everyone from here, not after a hop back to the writer's executor (on a
      // busy machine that hop costs milliseconds of every answer's latency).
      Committed(*batch);
    });
    result = kWritten;
    ++stats_.flushes;
    stats_.rows += static_cast<long long>(batch->transitions.size() + batch->inbound.size());
  } catch (const pqxx::broken_connection& e) {
    spdlog::warn("delivery writer: {} records not written yet: {}",
                 batch->transitions.size() + batch->inbound.size(), e.what());
  } catch (const std::exception& e) {
    result = kRefused;
    spdlog::error("delivery writer: the database refused a batch of {}: {}",
                  batch->transitions.size() + batch->inbound.size(), e.what());
  }
  auto size = batch->transitions.size() + batch->inbound.size();
  if (result == kWritten) {
    // Everyone was told on the pool thread (Committed).
  } else if (result == kRefused && size == 1) {
    // The one bad record: dropped. A delivery left 'sending' is queued again at the next start.
    for (auto& in : batch->inbound) in.done(std::nullopt);
  } else if (result == kRefused) {
    // Split and retry both halves: the bad record ends up alone.
    auto* half = new Batch;
    auto t_mid = batch->transitions.begin() + static_cast<long>(batch->transitions.size() / 2);
    auto r_mid = batch->inbound.begin() + static_cast<long>(batch->inbound.size() / 2);
    half->transitions.assign(std::make_move_iterator(t_mid), std::make_move_iterator(batch->transitions.end()));
    half->inbound.assign(std::make_move_iterator(r_mid), std::make_move_iterator(batch->inbound.end()));
    batch->transitions.erase(t_mid, batch->transitions.end());
    batch->inbound.erase(r_mid, batch->inbound.end());
    flights_ += 2;
    asio::co_spawn(timer_.get_executor(), Fly(batch.release()), asio::detached);
    asio::co_spawn(timer_.get_executor(), Fly(half), asio::detached);
  } else {
    // Back to the front of the queue, and a pause: the database may be restarting.
    asio::steady_timer pause(timer_.get_executor(), std::chrono::milliseconds(500));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    batch->transitions.insert(batch->transitions.end(), std::make_move_iterator(pending_.begin()),
                              std::make_move_iterator(pending_.end()));
    pending_.swap(batch->transitions);
    batch->inbound.insert(batch->inbound.end(), std::make_move_iterator(inbound_.begin()),
                          std::make_move_iterator(inbound_.end()));
    inbound_.swap(batch->inbound);
  }
  --flights_;
  if (idle_) timer_.cancel();
}

}  // namespace tocsin
