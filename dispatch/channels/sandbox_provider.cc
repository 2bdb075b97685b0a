#include "dispatch/channels/sandbox_provider.h"

#include <spdlog/spdlog.h>

#include <sodium.h>

#include "dispatch/util/crypto.h"
#include "dispatch/util/phone.h"

namespace tocsin {

void SandboxProvider::Send(const SmsMessage& message, std::function<void(SmsOutcome)> done) {
  spdlog::info("sandbox sms to {} from {} ({} segment(s)): {}", RedactPhone(message.to),
               RedactPhone(message.from), message.segments, message.body);
  SmsOutcome out;
  out.kind = SmsOutcome::Kind::kAccepted;
  // Unique across restarts, like Twilio's SIDs ("SB" + 32 hex).
  unsigned char id[16];
  randombytes_buf(id, sizeof id);
  out.provider_id = "SB" + ToHex(std::string(reinterpret_cast<char*>(id), sizeof id));
  out.delivered = true;
  done(std::move(out));
}

}  // namespace tocsin
