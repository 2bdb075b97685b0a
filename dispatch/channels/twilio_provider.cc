#include "dispatch/channels/twilio_provider.h"


#include <cctype>
#include <memory>

#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/channels/twilio_signature.h"
#include "dispatch/net/retry_after.h"

namespace tocsin {
namespace {

// Our own words for Twilio's codes (theirs may quote the number).
std::string ErrorText(long code) {
  switch (code) {
    case 21211: return "invalid 'To' phone number";
    case 21408: return "sending to this region is not enabled";
    case 21610: return "the recipient replied STOP to this sender";
    case 21612: return "this sender cannot reach this number";
    case 21614: return "the number cannot receive SMS";
    case 21606: return "the 'From' number is not a valid sender for this account";
    case 21617: return "the message body is too long";
    case 20003: return "provider authentication failed";
    case 20429: return "too many concurrent requests";
    // Calls (twilio_call_provider.h)
    case 21201: return "no 'To' number for the call";
    case 21210: return "the 'From' number is not a caller ID of this account";
    case 21213: return "no 'From' number for the call";
    case 21205: return "the call's URL is not valid";
    case 21216: return "the call's timeout is not valid";
  }
  return "provider error " + std::to_string(code);
}

long JsonCode(const boost::json::value& v) {
  if (!v.is_object()) return 0;
  auto* code = v.as_object().if_contains("code");
  if (code && code->is_int64()) return static_cast<long>(code->as_int64());
  return 0;
}

// Twilio's Retry-After, one second to an hour (a second when it gives none).
std::chrono::seconds ThrottledFor(const HttpResponse& r) {
  return std::clamp(RetryAfter(r).value_or(std::chrono::seconds(1)), std::chrono::seconds(1),
                    std::chrono::seconds(3600));
}

}  // namespace

TwilioProvider::TwilioProvider(boost::asio::any_io_executor executor, TwilioSettings settings)
    : executor_(executor),
      settings_(std::move(settings)),
      url_(settings_.api_base + "/2010-04-01/Accounts/" + settings_.account_sid + "/Messages.json"),
      client_(TwilioProvider::Client(executor, settings_)) {}

SmsOutcome TwilioProvider::Interpret(const HttpResponse& r) {
  SmsOutcome out;
  if (r.status == 0) {
    out.kind = SmsOutcome::Kind::kTransient;
    out.error_code = r.timed_out ? "timeout" : "network";
    out.error_message = r.timed_out ? "the provider did not answer in time" : "could not reach the provider";
    return out;
  }
  // Twilio's answers are small: parse them in a buffer on the stack, no heap allocation.
  unsigned char buffer[4096];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  boost::json::error_code ec;
  auto json = boost::json::parse(r.body, ec, &arena);
  long code = ec ? 0 : JsonCode(json);
  if (r.status == 200 || r.status == 201) {
    out.kind = SmsOutcome::Kind::kAccepted;
    if (!ec && json.is_object()) {
      if (auto* sid = json.as_object().if_contains("sid"); sid && sid->is_string()) {
        out.provider_id = std::string(sid->as_string());
      }
    }
    if (out.provider_id.empty()) spdlog::warn("twilio accepted a message without a sid");
    return out;
  }
  out.error_code = code ? std::to_string(code) : "http_" + std::to_string(r.status);
  out.error_message = code ? ErrorText(code) : "provider answered HTTP " + std::to_string(r.status);
  if (r.status == 429 || code == 20429) {
    out.kind = SmsOutcome::Kind::kThrottled;
    out.retry_after = ThrottledFor(r);
  } else if (r.status >= 500 || r.status == 401 || r.status == 408) {
    out.kind = SmsOutcome::Kind::kTransient;
    if (r.status == 401) spdlog::error("twilio rejected our credentials (twilio.account_sid/auth_token)");
  } else {
    out.kind = SmsOutcome::Kind::kPermanent;
    out.recipient_opted_out = code == 21610;
  }
  return out;
}

HttpRequest TwilioProvider::Request(const TwilioSettings& settings, std::string url,
                                   const FormParams& form) {
  HttpRequest req;
  req.url = std::move(url);
  req.basic_user = settings.account_sid;
  req.basic_password = settings.auth_token;
  req.timeout = settings.timeout;
  req.keep_headers = {"retry-after"};
  req.body = FormUrlEncode(form);
  return req;
}

OriginClient TwilioProvider::Client(boost::asio::any_io_executor executor, const TwilioSettings& settings) {
  OriginClient::Options options;
  options.max_connections = settings.max_connections;
  return OriginClient(std::move(executor), OriginClient::OriginOf(settings.api_base), std::move(options));
}

void TwilioProvider::Send(const SmsMessage& message, std::function<void(SmsOutcome)> done) {
  HttpRequest req = Request(settings_, url_,
                            {{"To", message.to},
                             {"From", message.from},
                             {"Body", message.body},
                             {"StatusCallback", settings_.status_callback_url},
                             {"ValidityPeriod", std::to_string(message.validity_seconds)}});
  client_.Start(std::move(req), [done = std::move(done)](HttpResponse r) { done(Interpret(r)); });
}

void TwilioProvider::Forget(const std::string& provider_id) {
  // A sid is "SM" or "MM" and 32 hex characters: anything else is not put in a URL.
  if (!settings_.redact_after_send || provider_id.size() != 34) return;
  for (char c : provider_id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return;
  }
  Redact(provider_id, 0);
}

void TwilioProvider::Redact(const std::string& sid, int attempt) {
  HttpRequest req = Request(
      settings_,
      settings_.api_base + "/2010-04-01/Accounts/" + settings_.account_sid + "/Messages/" + sid + ".json",
      {{"Body", ""}});
  client_.Start(std::move(req), [this, sid, attempt](HttpResponse r) {
    if (r.status == 200 || r.status == 404) return;  // redacted, or nothing there to redact
    if (attempt + 1 >= kRedactAttempts) {
      spdlog::warn("twilio: a message could not be redacted after {} attempts (last answer {})", kRedactAttempts,
                   r.status);
      return;
    }
    // The timer owns itself until it fires; on shutdown it is cancelled with the loop and the
    // handler touches nothing.
    auto timer = std::make_shared<boost::asio::steady_timer>(executor_, std::chrono::seconds(2 << (2 * attempt)));
    timer->async_wait([this, timer, sid, attempt](const boost::system::error_code& ec) {
      if (!ec) Redact(sid, attempt + 1);
    });
  });
}

}  // namespace tocsin
