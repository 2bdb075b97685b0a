// An inbound SMS as Twilio posts it to tocsind's /twilio/sms: form-encoded, with its MessageSid,
// and signed (X-Twilio-Signature) with the auth token the server is configured with; the form and
// its signature are load_generator.h's SignedSms (the benches post the same requests).
#pragma once

#include <string>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace tocsin::test {

struct InboundSmsPost {
  std::string sid;   // MessageSid: the same one twice is a repeated webhook
  std::string from;
  std::string to;
  std::string body;
};

// Posts `sms` to `server`, signed with `auth_token`; the server's answer (TwiML when 200).
HttpResult PostSignedSms(const TocsindProcess& server, const std::string& auth_token, const InboundSmsPost& sms);

}  // namespace tocsin::test
