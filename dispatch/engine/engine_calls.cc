// Engine's calls: the TwiML and key presses of calls in progress (from memory), their status
// callbacks, and the sandbox's callee. Apart from engine.cc: GCC 12 crashes compiling larger
// coroutine files.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/engine/engine.h"
#include "dispatch/model/call_outcome.h"
#include "dispatch/model/voice_key.h"
#include "dispatch/store/call_status_store.h"
#include "dispatch/store/status_store.h"

namespace tocsin {

namespace asio = boost::asio;

namespace {

// A status can beat the group commit that records the call's SID (a busy line answers at
// once): it looks again this often, this many times, before it is kept as an early status.
constexpr auto kSidWait = std::chrono::milliseconds(50);
constexpr int kSidLooks = 20;

}  // namespace

std::shared_ptr<const PreparedCall> Engine::FindCall(std::string_view token) const {
  auto call = prepared_calls_.Find(token);
  return call ? call : hotline_calls_.Find(token);
}

std::optional<std::string> Engine::CallTwiml(std::string_view token) const {
  auto call = FindCall(token);
  if (!call) return std::nullopt;
  return call->prompt;
}

std::optional<std::string> Engine::AnswerCall(std::string_view token, std::string_view digits,
                                              const std::string& call_sid) {
  auto call = FindCall(token);
  if (!call) return std::nullopt;
  if (call->over) return call->ended;  // the alert ended: no key counts
  if (digits == "5" && !call->record.empty()) return call->record;  // the hotline's report
  const VoiceKey key = ParseVoiceKey(digits);
  // 9, another key, or a hotline menu with no alert behind it: the prompt again.
  if (call->alert_code.empty() || (key != VoiceKey::kGoing && key != VoiceKey::kCannot)) return call->prompt;
  // The member's reply, as if texted from their phone to the number that called them, naming
  // the alert: the reply rules find the alert by its code. Keyed by call and alert: a hotline
  // call answers several alerts.
  RecordKey(*call, InboundSms{call->member_phone, call->network_number,
                              std::string(key == VoiceKey::kGoing ? "1 " : "2 ") + call->alert_code,
                              call_sid + "-" + call->alert_code});
  return key == VoiceKey::kGoing ? call->going : call->cannot;
}

asio::awaitable<void> Engine::ApplyCallStatus(const std::string& sid, const std::string& call_status) {
  const std::int64_t now_ms = clock_->NowMs();
  if (!DecideCallOutcome(call_status, 1, now_ms).Final()) co_return;  // ringing, answered...
  prepared_calls_.RemoveBySid(sid);  // the call is over: its TwiML and its slot are freed
  struct Applied {
    std::optional<CallDelivery> delivery;
    CallOutcome outcome;
    bool moved = false;
  };
  Applied applied;
  asio::steady_timer wait(co_await asio::this_coro::executor);
  for (int look = 1; look <= kSidLooks; ++look) {
    const bool last = look == kSidLooks;
    applied = co_await db_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      Applied a;
      a.delivery = LockCallDelivery(tx, sid);
      if (a.delivery) {
        a.outcome = DecideCallOutcome(call_status, a.delivery->attempts, now_ms);
        a.moved = ApplyCallOutcome(tx, *a.delivery, a.outcome, now_ms);
      } else if (last) {
        // Still not recorded: kept as an early status, which the writer applies with the SID
        // (final as it stands: no retry then).
        a.outcome = DecideCallOutcome(call_status, kMaxCallAttempts, now_ms);
        ApplyStatusCallback(tx, sid, std::string(DeliveryStateName(a.outcome.State())),
                            a.outcome.error_code.empty() ? std::nullopt : std::optional(a.outcome.error_code),
                            now_ms);
      }
      tx.commit();
      return a;
    });
    if (applied.delivery || last) break;
    wait.expires_after(kSidWait);
    co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (!applied.moved) co_return;
  const auto& d = *applied.delivery;
  const auto& o = applied.outcome;
  if (o.kind == CallOutcome::Kind::kFailed) escalator_->OnDeliveryFailed(d.alert_id);
  std::optional<std::string> code;
  if (!o.error_code.empty()) code = o.error_code;
  events_.Publish(d.alert_id, "delivery",
                  DeliveryEventJson(d.id, d.member_id, std::string(DeliveryStateName(o.State())), code));
}

void Engine::SimulateCall(const CallRequest& call, const std::string& sid) {
  // Not from inside the dispatcher's send: on the loop, after it.
  asio::co_spawn(ioc_, PlaySandboxCall(call.url.substr(call.url.rfind('/') + 1), sid, call.delivery_id),
                 asio::detached);
}

asio::awaitable<void> Engine::PlaySandboxCall(std::string token, std::string sid, std::int64_t delivery_id) {
  if (auto twiml = CallTwiml(token)) spdlog::info("sandbox call {} (delivery {}) plays: {}", sid, delivery_id, *twiml);
  if (auto answer = AnswerCall(token, "1", sid)) spdlog::info("sandbox call {}: 1 pressed, then: {}", sid, *answer);
  co_await ApplyCallStatus(sid, "completed");
  spdlog::info("sandbox call {}: completed", sid);
}

}  // namespace tocsin
