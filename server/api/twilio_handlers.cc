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

#include "dispatch/store/status_store.h"
#include "dispatch/channels/twilio_signature.h"
#include "server/api/api_error.h"
#include "server/api/json_io.h"
#include "server/api/case_sms.h"
#include "server/api/report_sms.h"
#include "server/api/routes.h"

namespace tocsin {

using http::bhttp::status;
using http::bhttp::verb;
using Awaitable = boost::asio::awaitable<http::Response>;

namespace {

// Checks the signature over the public URL of this request; throws 403 unless valid.
FormParams VerifiedParams(const App& app, const http::RequestContext& ctx) {
  const auto& token = app.config.twilio.auth_token;
  auto params = ParseFormUrlEncoded(ctx.req.body());
  auto signature = ctx.req["X-Twilio-Signature"];
  auto url = app.config.server.public_url + std::string(ctx.req.target());
  if (token.empty() || signature.empty() || !params.ok() ||
      !ValidTwilioSignature(token, url, params.value(), signature)) {
    throw ApiError(ErrorCode::kForbidden, "missing or invalid X-Twilio-Signature");
  }
  return std::move(params.value());
}

std::string Get(const FormParams& params, const std::string& key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return "";
}

Awaitable StatusCallbackHandler(App& app, http::RequestContext& ctx) {
  auto params = VerifiedParams(app, ctx);
  auto sid = Get(params, "MessageSid");
  auto state = DeliveryStateFor(Get(params, "MessageStatus"));
  if (sid.empty()) throw ApiError(Error::Invalid("MessageSid", "is required"));
  if (!state.empty()) {
    std::optional<std::string> code;
    if (auto c = Get(params, "ErrorCode"); !c.empty()) code = c;
    if (!app.engine) throw ApiError(Error::Unavailable("the engine is not running"));
    co_await app.engine->ApplyStatus(sid, state, code);
  }
  co_return EmptyResponse(ctx.req, status::no_content);
}

http::Response TwimlResponse(const http::Request& req, const std::vector<std::string>& texts) {
  http::Response res{status::ok, req.version()};
  res.set(http::bhttp::field::content_type, "text/xml; charset=utf-8");
  res.keep_alive(req.keep_alive());
  res.body() = TwimlMessages(texts);
  res.prepare_payload();
  return res;
}

Awaitable InboundSmsHandler(App& app, http::RequestContext& ctx) {
  auto params = VerifiedParams(app, ctx);
  InboundSms sms{Get(params, "From"), Get(params, "To"), Get(params, "Body"), Get(params, "MessageSid")};
  if (!app.engine) throw ApiError(Error::Unavailable("not serving replies"));
  // A case's person texting DETAINED from their own phone (case_sms.h).
  if (auto answer = co_await TakeCaseSms(app, &sms)) {
    app.metrics.CountEvent("tocsin_inbound_sms_total", "case_detained");
    co_return TwimlResponse(ctx.req, *answer);
  }
  // Reports from the street (RAID ..., and the area when asked back) come next (report_sms.h).
  if (auto report = co_await TakeSmsReport(app, &sms)) {
    app.metrics.CountEvent("tocsin_inbound_sms_total", report->outcome);
    co_return TwimlResponse(ctx.req, report->reply_texts);
  }
  // The message travels as a plain pointer: GCC 12 mishandles non-trivial arguments that Asio
  // stores in coroutine frames.
  auto decided = co_await app.engine->RecordInbound(new InboundSms(std::move(sms)));
  // Not acknowledged: Twilio's request fails (it retries) and the member is not told it counted.
  if (!decided) throw ApiError(Error::Unavailable("the reply could not be recorded"));
  auto decision = std::move(*decided);
  app.metrics.CountEvent("tocsin_inbound_sms_total", decision.outcome);
  co_return TwimlResponse(ctx.req, decision.reply_texts);
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
