// TwilioProvider: sends SMS through Twilio's Messages API
// (POST {api_base}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded, HTTP Basic auth),
// on an OriginClient (kept-alive connections to api_base) driven by the engine's event loop.
//
// Outcomes (see SmsOutcome): 200/201 -> accepted with the message SID; 429 or code 20429 ->
// throttled (Retry-After honoured); 5xx, 401 and transport failures (timeouts, refused
// connections) -> transient; other 4xx -> permanent, 21610 also marking the recipient opted out.
// Error texts are ours, chosen by code: Twilio's own messages quote the phone number.
//
// Redaction (settings.redact_after_send): Forget(sid) posts an empty Body to
// {api_base}/2010-04-01/Accounts/{sid}/Messages/{MessageSid}.json, as Twilio's console does, so
// its logs keep no alert text. 200 and 404 (Twilio has no such message) end it; anything else
// (a message not final yet at Twilio, 429, 5xx, a timeout) is retried up to kRedactAttempts
// times, 2 s, 8 s, 32 s... apart, on the same client: sending is never held up for it.
//
// Threading: Send() must be called on the executor given at construction (the dispatcher's);
// `done` runs on it too.
#pragma once

#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "dispatch/channels/sms_provider.h"
#include "dispatch/channels/twilio_signature.h"
#include "dispatch/net/origin_client.h"

namespace tocsin {

struct TwilioSettings {
  std::string account_sid;
  std::string auth_token;
  std::string api_base;             // "https://api.twilio.com", no trailing '/'
  std::string status_callback_url;  // {public_url}/twilio/status
  int max_connections = 100;
  std::chrono::milliseconds timeout{15000};
  bool redact_after_send = true;
};

class TwilioProvider : public SmsProvider {
 public:
  TwilioProvider(boost::asio::any_io_executor executor, TwilioSettings settings);

  void Send(const SmsMessage& message, std::function<void(SmsOutcome)> done) override;
  void Forget(const std::string& provider_id) override;

  static constexpr int kRedactAttempts = 5;

  // What a Messages API answer means for the delivery (pure; unit-tested). Calls.json answers
  // mean the same (twilio_call_provider.h).
  static SmsOutcome Interpret(const HttpResponse& response);

  // A POST of `form` to `url` with the account's Basic auth, timeout and the Retry-After header
  // kept: what every request to Twilio's REST API looks like.
  static HttpRequest Request(const TwilioSettings& settings, std::string url, const FormParams& form);

  // The client every request to the account's API goes through: api_base's origin, at most
  // max_connections kept alive.
  static OriginClient Client(boost::asio::any_io_executor executor, const TwilioSettings& settings);

 private:
  void Redact(const std::string& sid, int attempt);

  const boost::asio::any_io_executor executor_;
  const TwilioSettings settings_;
  const std::string url_;
  OriginClient client_;
};

}  // namespace tocsin
