#include "dispatch/engine/sandbox_provider.h"

#include <spdlog/spdlog.h>

#include "dispatch/util/phone.h"

namespace tocsin {

void SandboxProvider::Send(const SmsMessage& message, std::function<void(SmsOutcome)> done) {
  spdlog::info("sandbox sms to {} from {} ({} segment(s)): {}", RedactPhone(message.to),
               RedactPhone(message.from), message.segments, message.body);
  SmsOutcome out;
  out.kind = SmsOutcome::Kind::kAccepted;
  out.provider_id = "SANDBOX" + std::to_string(next_id_++);
  out.delivered = true;
  done(std::move(out));
}

}  // namespace tocsin
