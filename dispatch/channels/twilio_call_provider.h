// TwilioCallProvider: places calls through Twilio's Calls API
// (POST {api_base}/2010-04-01/Accounts/{sid}/Calls.json, form-encoded, HTTP Basic auth) with
// To, From, Url, StatusCallback = `status_callback_url` ({public_url}/twilio/voice-status),
// StatusCallbackEvent initiated, ringing, answered, completed (the parameter repeated),
// Timeout and MachineDetection=Enable. Twilio's answer means what it means for Messages
// (TwilioProvider::Interpret): 201 accepted with the call's SID, 429/20429 throttled, 5xx, 401
// and transport failures transient, other 4xx permanent. A recording is
// GET {api_base}/2010-04-01/Accounts/{sid}/Recordings/{RecordingSid}.mp3 with the same auth:
// 200 is the audio, 404 NotFound, anything else (and no answer) Unavailable.
//
// Threading: Place() on the executor given at construction; `done` runs on it too.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <string>

#include "dispatch/channels/call_provider.h"
#include "dispatch/channels/twilio_provider.h"
#include "dispatch/net/origin_client.h"

namespace tocsin {

class TwilioCallProvider : public CallProvider {
 public:
  TwilioCallProvider(boost::asio::any_io_executor executor, TwilioSettings settings,
                     std::string status_callback_url);

  void Place(const CallRequest& call, std::function<void(SmsOutcome)> done) override;
  void FetchRecording(const std::string& sid, std::function<void(Result<RecordingAudio>)> done) override;

 private:
  // Immutable after construction.
  const TwilioSettings settings_;
  const std::string url_;
  const std::string status_callback_url_;
  OriginClient client_;
};

}  // namespace tocsin
