// SandboxCallProvider: the quickstart's calls (sms.provider = "sandbox"). Places nothing: it
// takes every call at once (a SID "CS" + 32 hex, unique across restarts), logs it (number
// redacted), and then plays the callee a demo wants, who answers and presses 1, through
// `simulate`: the engine runs the call's TwiML, the key and the final status through the same
// use cases as Twilio's webhooks (engine.h: CallTwiml, AnswerCall, ApplyCallStatus).
//
// Threading: Place() on the engine's executor; `done` and then `simulate` run synchronously.
#pragma once

#include <functional>
#include <string>

#include "dispatch/channels/call_provider.h"

namespace tocsin {

class SandboxCallProvider : public CallProvider {
 public:
  // Runs once per call taken, after `done`: `sid` is the SID the call was given.
  using Simulate = std::function<void(const CallRequest& call, const std::string& sid)>;

  explicit SandboxCallProvider(Simulate simulate) : simulate_(std::move(simulate)) {}

  void Place(const CallRequest& call, std::function<void(SmsOutcome)> done) override;

 private:
  const Simulate simulate_;  // immutable
};

}  // namespace tocsin
