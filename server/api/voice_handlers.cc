// Webhooks of calls (issue 11). Each is signed like /twilio/sms (403 otherwise, nothing done).
// The calls Tocsin places are answered from memory: a call's TwiML was prepared when it was
// placed (Engine::CallTwiml), so no database round trip stands between Twilio and the callee.
//
// POST /twilio/voice                  a call INTO a network's number (the number's voice URL in
//                                     Twilio's console): Engine::Hotline's TwiML for From and
//                                     To (one database read: the caller cannot be known before);
// POST /twilio/voice/{token}          the call's TwiML: the alert and "press 1, 2 or 9", read
//                                     twice (404 when no call in progress has that token);
// POST /twilio/voice/{token}/answer   the <Gather> action: Digits 1 -> going, 2 -> cannot (each
//                                     recorded as the member's reply, then confirmed aloud),
//                                     9 or any other key -> the prompt again;
// POST /twilio/voice/{token}/report   the hotline's <Record> action (the caller pressed 5 and
//                                     spoke): RecordingSid ("RE" + 32 hex, else 422) becomes a
//                                     report (Engine::TakeCallReport); the thanks, or a goodbye;
// POST /twilio/voice-status           a call's status callback (CallSid, CallStatus): the
//                                     delivery's outcome (Engine::ApplyCallStatus).
#include <algorithm>
#include <cctype>

#include "server/api/handler_prelude.h"
#include "server/api/twilio_request.h"

namespace tocsin {

namespace {

Awaitable HotlineHandler(App& app, http::RequestContext& ctx) {
  auto params = VerifiedTwilioParams(app, ctx);
  auto twiml = co_await RunningEngine(app).Hotline(FormValue(params, "From"), FormValue(params, "To"));
  app.metrics.CountEvent("tocsin_hotline_calls_total", "answered");
  co_return TwimlResponse(ctx.req, std::move(twiml));
}

// A call's token this process does not know: a placed call prepared again from the database, or
// a hotline call started over (its tokens live in memory only), for a restart. The TwiML to
// play then; nullopt when neither (404). Pointers, not references: GCC 12 miscompiles
// coroutines taking non-trivial arguments by reference (as report_sms.h's).
boost::asio::awaitable<std::optional<std::string>> Unknown(Engine* engine, const std::string* token,
                                                           const FormParams* params, bool answer) {
  std::optional<std::string> twiml;
  const bool restored = co_await engine->RestoreCall(*token);
  if (restored && answer) {
    twiml = engine->AnswerCall(*token, FormValue(*params, "Digits"), FormValue(*params, "CallSid"));
  } else if (restored) {
    twiml = engine->CallTwiml(*token);
  } else if (token->starts_with("v") && !FormValue(*params, "From").empty() && !FormValue(*params, "To").empty()) {
    std::string again = co_await engine->Hotline(FormValue(*params, "From"), FormValue(*params, "To"));
    twiml = std::move(again);
  }
  co_return twiml;
}

Awaitable CallTwimlHandler(App& app, http::RequestContext& ctx) {
  auto params = VerifiedTwilioParams(app, ctx);
  Engine& engine = RunningEngine(app);
  const std::string token(ctx.Param("token"));
  auto twiml = engine.CallTwiml(token);
  if (!twiml) twiml = co_await Unknown(&engine, &token, &params, false);
  if (!twiml) throw ApiError(Error::NotFound("no call in progress has this token"));
  co_return TwimlResponse(ctx.req, std::move(*twiml));
}

Awaitable CallAnswerHandler(App& app, http::RequestContext& ctx) {
  auto params = VerifiedTwilioParams(app, ctx);
  Engine& engine = RunningEngine(app);
  const std::string token(ctx.Param("token"));
  auto twiml = engine.AnswerCall(token, FormValue(params, "Digits"), FormValue(params, "CallSid"));
  if (!twiml) twiml = co_await Unknown(&engine, &token, &params, true);
  if (!twiml) throw ApiError(Error::NotFound("no call in progress has this token"));
  app.metrics.CountEvent("tocsin_call_keys_total", FormValue(params, "Digits") == "1"   ? "going"
                                                   : FormValue(params, "Digits") == "2" ? "cannot"
                                                                                         : "repeat");
  co_return TwimlResponse(ctx.req, std::move(*twiml));
}

bool IsRecordingSid(std::string_view sid) {
  return sid.size() == 34 && sid.starts_with("RE") &&
         std::all_of(sid.begin() + 2, sid.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

Awaitable CallReportHandler(App& app, http::RequestContext& ctx) {
  auto params = VerifiedTwilioParams(app, ctx);
  auto sid = FormValue(params, "RecordingSid");
  if (!IsRecordingSid(sid)) throw ApiError(Error::Invalid("RecordingSid", "must be RE and 32 hex digits"));
  auto twiml = co_await RunningEngine(app).TakeCallReport(std::string(ctx.Param("token")), FormValue(params, "From"),
                                                           FormValue(params, "To"), sid);
  if (!twiml) throw ApiError(Error::NotFound("no hotline call with this token offered a report"));
  app.metrics.CountEvent("tocsin_hotline_reports_total", "recorded");
  co_return TwimlResponse(ctx.req, std::move(*twiml));
}

Awaitable CallStatusHandler(App& app, http::RequestContext& ctx) {
  auto params = VerifiedTwilioParams(app, ctx);
  auto sid = FormValue(params, "CallSid");
  if (sid.empty()) throw ApiError(Error::Invalid("CallSid", "is required"));
  auto call_status = FormValue(params, "CallStatus");
  co_await RunningEngine(app).ApplyCallStatus(sid, call_status);
  co_return EmptyResponse(ctx.req, status::no_content);
}

}  // namespace

void AddVoiceRoutes(http::Router& router, App& app) {
  router.Add(verb::post, "/twilio/voice",
             [&app](http::RequestContext& c) { return HotlineHandler(app, c); }, 0, http::Access::kSigned);
  router.Add(verb::post, "/twilio/voice/{token}",
             [&app](http::RequestContext& c) { return CallTwimlHandler(app, c); }, 0, http::Access::kSigned);
  router.Add(verb::post, "/twilio/voice/{token}/answer",
             [&app](http::RequestContext& c) { return CallAnswerHandler(app, c); }, 0, http::Access::kSigned);
  router.Add(verb::post, "/twilio/voice/{token}/report",
             [&app](http::RequestContext& c) { return CallReportHandler(app, c); }, 0, http::Access::kSigned);
  router.Add(verb::post, "/twilio/voice-status",
             [&app](http::RequestContext& c) { return CallStatusHandler(app, c); }, 0, http::Access::kSigned);
}

}  // namespace tocsin
