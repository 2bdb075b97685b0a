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
#include "dispatch/util/result.h"

namespace tocsin {

struct CallRequest {
  std::int64_t delivery_id = 0;
  std::string to;    // E.164
  std::string from;  // E.164, one of the network's numbers
  std::string url;   // {public_url}/twilio/voice/{token}: the TwiML of the call
  int timeout_seconds = 30;  // ringing before no-answer
};

// A recording kept by the provider (the hotline's report: the caller's message).
struct RecordingAudio {
  std::string content_type;  // audio/mpeg
  std::string audio;
};

class CallProvider {
 public:
  virtual ~CallProvider() = default;
  // Starts placing `call`; `done` is called exactly once, on any thread.
  virtual void Place(const CallRequest& call, std::function<void(SmsOutcome)> done) = 0;
  // Fetches recording `sid` (Twilio's RecordingSid) with the account's credentials; `done` is
  // called exactly once: the audio, NotFound when the provider has no such recording (or keeps
  // none: the sandbox), Unavailable when it cannot answer now (an error, a timeout).
  virtual void FetchRecording(const std::string& sid, std::function<void(Result<RecordingAudio>)> done) {
    done(Error::NotFound("this provider keeps no recordings"));
  }
};

}  // namespace tocsin
