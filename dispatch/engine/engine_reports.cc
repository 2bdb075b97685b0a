// Engine's report use cases (engine.h; the rules are report_verification.h's), apart from
// engine.cc: GCC 12 crashes compiling larger coroutine files.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/engine/engine.h"
#include "dispatch/model/reply_parser.h"
#include "dispatch/store/verification_store.h"

namespace tocsin {

namespace asio = boost::asio;

void Engine::AfterVerification(const VerificationOutcome& out) {
  verifying_ += out.verifying_delta;
  const auto& e = out.escalation;
  if (e.queued > 0) dispatcher_->Wake(out.network_id);
  if (e.webhooks) WakeOrganisations();
  for (const auto& n : e.network_events) events_.Publish(n);
  if (e.alert_id == 0) return;
  if (e.ended) {
    CallsEnded(e.alert_id);
    escalator_->Forget(e.alert_id);
    events_.Publish(e.alert_id, "alert", AlertEndedEventJson("cancelled"));
  } else if (!e.timers.empty()) {
    escalator_->Track(e.alert_id, e.timers);
  }
}

asio::awaitable<SmsReportResult> Engine::TakeSmsReport(InboundSms* sms) {
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(SmsReportResult)>(
      [this](auto handler, InboundSms* owned) {
        std::unique_ptr<InboundSms> message(owned);
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        // Answered on a pool thread or the engine's: resume on the request's own executor.
        report_queue_->Add(std::move(*message), [h, ex](SmsReportResult r) {
          asio::post(ex, [h, r = std::move(r)]() mutable { std::move(*h)(std::move(r)); });
        });
      },
      asio::use_awaitable, sms);
}

asio::awaitable<void> Engine::VerifyReport(std::int64_t report_id) {
  auto begun = co_await db_.Run([&](pqxx::connection& c) -> Result<VerificationOutcome> {
    pqxx::work tx(c);
    auto ctx = verification_.Context();
    auto r = verification_.Begin(tx, report_id, clock_->NowMs(), ctx);
    if (r.ok()) tx.commit();
    return r;
  });
  if (!begun.ok()) {
    // The report stays pending: a coordinator can still confirm or dismiss it.
    spdlog::warn("report {}: verification not begun ({})", report_id, begun.error().message);
    co_return;
  }
  spdlog::info("report {}: {}", report_id, begun->escalation.what);
  AfterVerification(begun.value());
}

asio::awaitable<std::optional<std::vector<std::string>>> Engine::AnswerVerification(const InboundSms* sms) {
  if (verifying_counted_.load() && verifying_.load() <= 0) co_return std::nullopt;
  const auto kind = ParseReply(sms->body).kind;
  if (kind != ReplyKind::kGoing && kind != ReplyKind::kCannot) co_return std::nullopt;
  std::optional<VerificationOutcome> answered;
  try {
    if (!verifying_counted_.load()) {
      // Counted by the first replies after a start (a cheap count each, until one has finished,
      // instead of each looking for a verification), then kept by this process's own changes (an
      // overcount only costs lookups).
      auto n = co_await db_.Run([](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        return VerifyingAlerts(tx);
      });
      if (!verifying_counted_.exchange(true)) verifying_ += n;
      if (verifying_.load() <= 0) co_return std::nullopt;
    }
    answered = co_await db_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      auto r = verification_.Answer(tx, *sms, clock_->NowMs());
      if (r) tx.commit();
      return r;
    });
  } catch (const pqxx::broken_connection&) {
    // The database is down: the reply path holds the reply until it is back (an answer about a
    // verifying alert is then answered as one about no open alert: the verifier may answer again).
    co_return std::nullopt;
  }
  if (!answered) co_return std::nullopt;
  spdlog::info("report answer: {}", answered->escalation.what);
  AfterVerification(answered.value());
  co_return std::move(answered->reply_texts);
}

asio::awaitable<Result<Alert>> Engine::DecideReport(const Network& net, std::int64_t report_id, bool confirm,
                                                    const std::string& actor) {
  using Decided = std::pair<VerificationOutcome, Alert>;
  auto decided = co_await db_.Run([&](pqxx::connection& c) -> Result<Decided> {
    pqxx::work tx(c);
    auto r = verification_.Decide(tx, net, report_id, confirm, actor, clock_->NowMs());
    if (!r.ok()) return r.error();
    auto alert = alert_store_.Get(tx, net.id, r->escalation.alert_id);
    if (!alert.ok()) return alert.error();
    tx.commit();
    return Decided{std::move(r.value()), std::move(alert.value())};
  });
  if (!decided.ok()) co_return decided.error();
  AfterVerification(decided->first);
  co_return std::move(decided->second);
}

}  // namespace tocsin
