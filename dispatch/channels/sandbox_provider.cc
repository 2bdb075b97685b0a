#include "dispatch/channels/sandbox_provider.h"

#include <spdlog/spdlog.h>

#include <sodium.h>

#include "dispatch/util/crypto.h"
#include "dispatch/util/phone.h"

namespace tocsin {

void SandboxProvider::Send(const SmsMessage& message, std::function<void(SmsOutcome)> done) {
  // One log line per message: a line break in the text shows as " / ". Numbers in the text (a
  // relay node's call list) are redacted like the recipient's.
  std::string shown;
  for (char c : RedactPhonesIn(message.body)) shown += c == '\n' ? std::string(" / ") : std::string(1, c);
  spdlog::info("sandbox sms to {} from {} ({} segment(s)): {}", RedactPhone(message.to),
               RedactPhone(message.from), message.segments, shown);
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
