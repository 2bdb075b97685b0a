// SmsProvider: the one thing the dispatcher needs from an SMS channel. Implementations:
// TwilioProvider (the real API, through CurlMultiClient) and SandboxProvider (sends nothing).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace tocsin {

struct SmsMessage {
  std::int64_t delivery_id = 0;
  std::string to;    // E.164
  std::string from;  // E.164 sender number
  std::string body;
  int segments = 1;
  int validity_seconds = 3600;
};

struct SmsOutcome {
  enum class Kind {
    kAccepted,    // the provider took it: provider_id set (delivered set by the sandbox)
    kThrottled,   // 429 / 20429: not processed; retry after retry_after
    kTransient,   // 5xx, timeout, connection failure: retry with backoff
    kPermanent,   // will never succeed (bad number, unsubscribed...): fail the delivery
  };
  Kind kind = Kind::kTransient;
  std::string provider_id;
  bool delivered = false;             // the sandbox knows at once
  bool recipient_opted_out = false;   // Twilio 21610: the member texted STOP
  std::chrono::seconds retry_after{0};
  std::string error_code;     // provider's code ("21211") or "http_503", "timeout"
  std::string error_message;  // safe to store: never contains the phone number
};

class SmsProvider {
 public:
  virtual ~SmsProvider() = default;
  // Starts sending `message`; `done` is called exactly once, on any thread.
  virtual void Send(const SmsMessage& message, std::function<void(SmsOutcome)> done) = 0;
  // Message `provider_id` reached a final status: the provider may drop what it keeps of it
  // (Twilio: its body is redacted). Fire and forget; never blocks sending. Same thread as Send.
  virtual void Forget(const std::string& provider_id) {}
};

}  // namespace tocsin
