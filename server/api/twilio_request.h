// What every Twilio webhook handler (twilio_handlers.cc: SMS; voice_handlers.cc: calls) needs:
// the form checked against X-Twilio-Signature, its fields, and a TwiML answer.
#pragma once

#include <string>

#include "dispatch/channels/twilio_signature.h"
#include "server/app.h"
#include "server/http/types.h"

namespace tocsin {

// The request's form, once its X-Twilio-Signature is valid over server.public_url + the
// request's target (path and query) and the form; throws ApiError 403 otherwise (nothing read).
FormParams VerifiedTwilioParams(const App& app, const http::RequestContext& ctx);

// The value of `key` in `params` ("" when absent).
std::string FormValue(const FormParams& params, const std::string& key);

// 200 with `twiml` as text/xml.
http::Response TwimlResponse(const http::Request& req, std::string twiml);

}  // namespace tocsin
