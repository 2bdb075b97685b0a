// Chooses the SMS provider the configuration names (sms.provider).
#pragma once

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "dispatch/channels/sms_provider.h"
#include "server/config.h"

namespace tocsin {

// "sandbox": SandboxProvider. "twilio": TwilioProvider on `executor` (the engine's loop).
std::unique_ptr<SmsProvider> MakeSmsProvider(const Config& config,
                                             boost::asio::any_io_executor executor);

}  // namespace tocsin
