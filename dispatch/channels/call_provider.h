// CallProvider: what the voice channel needs from a provider: place one outbound call whose
// TwiML the provider fetches from `url`. Implementations: TwilioCallProvider (Calls.json through
// CurlMultiClient); the sandbox simulates the callee. The call's outcome (answered, busy, ...)
// arrives later, through the provider's status callbacks, not through `done`: `done` says only
// whether the provider took the call (accepted with its SID, throttled, transient, permanent).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "dispatch/channels/sms_provider.h"

namespace tocsin {

struct CallRequest {
  std::int64_t delivery_id = 0;
  std::string to;    // E.164
  std::string from;  // E.164, one of the network's numbers
  std::string url;   // {public_url}/twilio/voice/{token}: the TwiML of the call
  int timeout_seconds = 30;  // ringing before no-answer
};

class CallProvider {
 public:
  virtual ~CallProvider() = default;
  // Starts placing `call`; `done` is called exactly once, on any thread.
  virtual void Place(const CallRequest& call, std::function<void(SmsOutcome)> done) = 0;
};

}  // namespace tocsin
