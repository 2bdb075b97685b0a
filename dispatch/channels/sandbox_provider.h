// SandboxProvider: the quickstart's SMS channel. Sends nothing, logs each message (number
// redacted) and reports it delivered, so a demo works with no provider account.
#pragma once

#include "dispatch/channels/sms_provider.h"

namespace tocsin {

class SandboxProvider : public SmsProvider {
 public:
  void Send(const SmsMessage& message, std::function<void(SmsOutcome)> done) override;
};

}  // namespace tocsin
