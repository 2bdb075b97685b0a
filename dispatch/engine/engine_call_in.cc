// Engine's hotline answers that need the database: a key pressed on an alert that never reached
// the caller (their delivery is recorded first), the report a caller recorded after 5, and a
// report's recording fetched from the provider. Apart from engine.cc: GCC 12 crashes compiling
// larger coroutine files.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/engine/engine.h"
#include "dispatch/engine/report_intake.h"
#include "dispatch/message/voice_twiml.h"
#include "dispatch/store/hotline_store.h"

namespace tocsin {

namespace asio = boost::asio;

void Engine::RecordKey(const PreparedCall& call, InboundSms reply) {
  auto record = [this](InboundSms r) {
    dispatcher_->RecordInbound(std::move(r), [this](std::optional<ReplyDecision> decided) {
      if (decided && decided->record && decided->record->answer != "text") {
        escalator_->OnAnswer(decided->record->alert_id);  // going or cannot: goals and trees move
      }
    });
  };
  if (!call.call_in) {
    record(std::move(reply));
    return;
  }
  // Heard on the hotline as an alert of their areas: their delivery first, so that the answer
  // counts as any other (a repeat finds it there). The call is answered meanwhile.
  asio::co_spawn(
      ioc_,
      [this, alert_id = call.alert_id, member_id = call.member_id, language = call.call_in_language,
       reply = std::move(reply), record]() mutable -> asio::awaitable<void> {
        try {
          const bool added = co_await db_.Run([&](pqxx::connection& c) {
            pqxx::work tx(c);
            const bool a = AddCallInDelivery(tx, alert_id, member_id, language);
            tx.commit();
            return a;
          });
          if (added) spdlog::info("hotline: member {} answered alert {} by calling in", member_id, alert_id);
        } catch (const std::exception& e) {
          // The answer still goes to the writer: it counts if a delivery exists, else it is kept
          // as an answer to no alert of theirs (the database was down).
          spdlog::warn("hotline: the call-in delivery of alert {} was not recorded ({})", alert_id, e.what());
        }
        record(std::move(reply));
      },
      asio::detached);
}

asio::awaitable<std::optional<std::string>> Engine::TakeCallReport(std::string token, std::string from,
                                                                   std::string to, std::string recording_sid) {
  auto call = FindCall(token);
  if (call && call->record.empty()) co_return std::nullopt;  // 5 was not offered
  VoiceReportInput in{std::move(from), std::move(to), std::move(recording_sid)};
  if (call) {
    in.from = call->member_phone;
    in.to = call->network_number;
  }
  const std::int64_t now_ms = clock_->NowMs();
  auto taken = co_await db_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto t = TakeVoiceReport(tx, cipher_, in, now_ms);
    tx.commit();
    return t;
  });
  const std::string outcome = taken ? taken->outcome : "refused";
  spdlog::info("hotline: a recorded report: {}{}", outcome,
               taken && taken->report_id ? " (report " + std::to_string(*taken->report_id) + ")" : "");
  if (taken && taken->report_id && taken->outcome == "report") co_await VerifyReport(*taken->report_id);
  if (call && taken && taken->report_id) co_return call->reported;
  co_return TwimlOf("");  // not taken (or the call is no longer known): the call ends
}

asio::awaitable<Result<RecordingAudio>> Engine::FetchRecording(std::string recording_sid) {
  using Signature = void(Result<RecordingAudio>);
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, Signature>(
      [this](auto handler, std::string* sid) {
        std::unique_ptr<std::string> owned(sid);
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        // The provider lives on the engine's loop; resume on the request's own executor.
        asio::post(ioc_, [this, h, ex, sid = std::move(*owned)] {
          call_provider_->FetchRecording(sid, [h, ex](Result<RecordingAudio> r) {
            asio::post(ex, [h, r = std::move(r)]() mutable { std::move(*h)(std::move(r)); });
          });
        });
      },
      asio::use_awaitable, new std::string(std::move(recording_sid)));
}

}  // namespace tocsin
