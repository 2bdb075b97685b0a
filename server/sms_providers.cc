#include "server/sms_providers.h"

#include "dispatch/channels/sandbox_provider.h"
#include "dispatch/channels/twilio_call_provider.h"
#include "dispatch/channels/twilio_provider.h"

namespace tocsin {
namespace {

TwilioSettings Settings(const Config& config) {
  TwilioSettings s;
  s.account_sid = config.twilio.account_sid;
  s.auth_token = config.twilio.auth_token;
  s.api_base = config.twilio.api_base;
  s.status_callback_url = config.server.public_url + "/twilio/status";
  s.max_connections = config.twilio.max_in_flight;
  s.timeout = std::chrono::milliseconds(config.twilio.request_timeout_ms);
  s.redact_after_send = config.twilio.redact_after_send;
  return s;
}

}  // namespace

std::unique_ptr<SmsProvider> MakeSmsProvider(const Config& config,
                                             boost::asio::any_io_executor executor) {
  if (config.sms.provider == "twilio") return std::make_unique<TwilioProvider>(executor, Settings(config));
  return std::make_unique<SandboxProvider>();
}

std::unique_ptr<CallProvider> MakeCallProvider(const Config& config, boost::asio::any_io_executor executor,
                                               SandboxCallProvider::Simulate simulate) {
  if (config.sms.provider == "twilio") {
    return std::make_unique<TwilioCallProvider>(executor, Settings(config),
                                                config.server.public_url + "/twilio/voice-status");
  }
  return std::make_unique<SandboxCallProvider>(std::move(simulate));
}

}  // namespace tocsin
