#include "server/api/twilio_request.h"

#include "server/api/api_error.h"

namespace tocsin {

FormParams VerifiedTwilioParams(const App& app, const http::RequestContext& ctx) {
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

std::string FormValue(const FormParams& params, const std::string& key) {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return "";
}

http::Response TwimlResponse(const http::Request& req, std::string twiml) {
  http::Response res{http::bhttp::status::ok, req.version()};
  res.set(http::bhttp::field::content_type, "text/xml; charset=utf-8");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(twiml);
  res.prepare_payload();
  return res;
}

}  // namespace tocsin
