#include "tests/support/signed_sms.h"

#include "tests/support/load_generator.h"

namespace tocsin::test {

HttpResult PostSignedSms(const TocsindProcess& server, const std::string& auth_token, const InboundSmsPost& sms) {
  const auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/twilio/sms";
  const auto signed_form = SignedSms(url, auth_token, sms.sid, sms.from, sms.to, sms.body);
  return server.Client().Send("POST", "/twilio/sms", signed_form.body,
                              {{"Content-Type", "application/x-www-form-urlencoded"},
                               {"X-Twilio-Signature", signed_form.signature}});
}

}  // namespace tocsin::test
