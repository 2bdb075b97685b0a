// Webhooks from Twilio. Every one must carry a valid X-Twilio-Signature (HMAC-SHA1 over
// server.public_url + the path and the sorted form parameters, keyed with the auth token);
// anything else is 403 and changes nothing.
//
// POST /twilio/status: delivery status callbacks (applied by Engine::ApplyStatus); watchers and
// the escalator (a failure repairs at once) hear of what moved.
// POST /twilio/sms: inbound messages (reports from the street first: report_sms.h; then replies,
// STOP/START/HELP/LIST; see ReplyService). The answer
// is TwiML, sent only once what the reply changed is durable.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "dispatch/channels/twilio_signature.h"
#include "dispatch/store/status_store.h"
#include "server/api/case_sms.h"
#include "server/api/handler_prelude.h"
#include "server/api/report_sms.h"
#include "server/api/twilio_request.h"

namespace tocsin {

namespace {

Awaitable StatusCallbackHandler(App& app, http::RequestContext& ctx) {
  auto params = VerifiedTwilioParams(app, ctx);
  auto sid = FormValue(params, "MessageSid");
  auto state = DeliveryStateFor(FormValue(params, "MessageStatus"));
  if (sid.empty()) throw ApiError(Error::Invalid("MessageSid", "is required"));
  if (!state.empty()) {
    std::optional<std::string> code;
    if (auto c = FormValue(params, "ErrorCode"); !c.empty()) code = c;
    co_await RunningEngine(app).ApplyStatus(sid, state, code);
  }
  co_return EmptyResponse(ctx.req, status::no_content);
}

Awaitable InboundSmsHandler(App& app, http::RequestContext& ctx) {
  auto params = VerifiedTwilioParams(app, ctx);
  InboundSms sms{FormValue(params, "From"), FormValue(params, "To"), FormValue(params, "Body"), FormValue(params, "MessageSid")};
  if (!app.engine) throw ApiError(Error::Unavailable("not serving replies"));
  // A case's person texting DETAINED from their own phone (case_sms.h).
  if (auto answer = co_await TakeCaseSms(app, &sms)) {
    app.metrics.CountEvent("tocsin_inbound_sms_total", "case_detained");
    co_return TwimlResponse(ctx.req, TwimlMessages(*answer));
  }
  // A supporter's DONE to a case's ask (engine/case_done.h).
  if (auto answer = co_await app.engine->RecordCaseAction(&sms)) {
    app.metrics.CountEvent("tocsin_inbound_sms_total", "case_done");
    co_return TwimlResponse(ctx.req, TwimlMessages(*answer));
  }
  // Reports from the street (RAID ..., and the area when asked back) come next (report_sms.h).
  if (auto report = co_await TakeSmsReport(app, &sms)) {
    app.metrics.CountEvent("tocsin_inbound_sms_total", report->outcome);
    co_return TwimlResponse(ctx.req, TwimlMessages(report->reply_texts));
  }
  // A verifier's (or coordinator's) 1/2 about a report being verified is the report's, never an
  // alert response (engine/report_verification.h).
  if (auto answered = co_await app.engine->AnswerVerification(&sms)) {
    app.metrics.CountEvent("tocsin_inbound_sms_total", "report_answer");
    co_return TwimlResponse(ctx.req, TwimlMessages(*answered));
  }
  // The message travels as a plain pointer: GCC 12 mishandles non-trivial arguments that Asio
  // stores in coroutine frames.
  auto decided = co_await app.engine->RecordInbound(new InboundSms(std::move(sms)));
  // Not acknowledged: Twilio's request fails (it retries) and the member is not told it counted.
  if (!decided) throw ApiError(Error::Unavailable("the reply could not be recorded"));
  auto decision = std::move(*decided);
  app.metrics.CountEvent("tocsin_inbound_sms_total", decision.outcome);
  co_return TwimlResponse(ctx.req, TwimlMessages(decision.reply_texts));
}

}  // namespace

void AddTwilioRoutes(http::Router& router, App& app) {
  router.Add(verb::post, "/twilio/sms",
             [&app](http::RequestContext& c) { return InboundSmsHandler(app, c); }, 0,
             http::Access::kSigned);
  router.Add(verb::post, "/twilio/status",
             [&app](http::RequestContext& c) { return StatusCallbackHandler(app, c); }, 0,
             http::Access::kSigned);
}

}  // namespace tocsin
