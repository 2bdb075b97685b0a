// Chooses the SMS and call providers the configuration names (sms.provider).
#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "dispatch/channels/call_provider.h"
#include "dispatch/channels/sandbox_call_provider.h"
#include "dispatch/channels/sms_provider.h"
#include "server/config.h"

namespace tocsin {

// "sandbox": SandboxProvider. "twilio": TwilioProvider on `executor` (the engine's loop).
std::unique_ptr<SmsProvider> MakeSmsProvider(const Config& config,
                                             boost::asio::any_io_executor executor);
// "sandbox": SandboxCallProvider playing its callee through `simulate`. "twilio":
// TwilioCallProvider on `executor`, its status callbacks to {public_url}/twilio/voice-status.
std::unique_ptr<CallProvider> MakeCallProvider(const Config& config, boost::asio::any_io_executor executor,
                                               SandboxCallProvider::Simulate simulate);

}  // namespace tocsin
