#include "server/sms_providers.h"

#include "dispatch/channels/sandbox_provider.h"
#include "dispatch/channels/twilio_provider.h"

namespace tocsin {

std::unique_ptr<SmsProvider> MakeSmsProvider(const Config& config,
                                             boost::asio::any_io_executor executor) {
  if (config.sms.provider == "twilio") {
    TwilioSettings s;
    s.account_sid = config.twilio.account_sid;
    s.auth_token = config.twilio.auth_token;
    s.api_base = config.twilio.api_base;
    s.status_callback_url = config.server.public_url + "/twilio/status";
    s.max_connections = config.twilio.max_in_flight;
    s.timeout = std::chrono::milliseconds(config.twilio.request_timeout_ms);
    s.redact_after_send = config.twilio.redact_after_send;
    return std::make_unique<TwilioProvider>(executor, std::move(s));
  }
  return std::make_unique<SandboxProvider>();
}

}  // namespace tocsin
