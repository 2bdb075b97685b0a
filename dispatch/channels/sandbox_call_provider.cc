#include "dispatch/channels/sandbox_call_provider.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "dispatch/util/crypto.h"
#include "dispatch/util/phone.h"

namespace tocsin {

void SandboxCallProvider::Place(const CallRequest& call, std::function<void(SmsOutcome)> done) {
  unsigned char id[16];
  randombytes_buf(id, sizeof id);
  const std::string sid = "CS" + ToHex(std::string(reinterpret_cast<char*>(id), sizeof id));
  spdlog::info("sandbox call {} (delivery {}) to {} from {}: the callee answers and presses 1", sid,
               call.delivery_id, RedactPhone(call.to), RedactPhone(call.from));
  SmsOutcome out;
  out.kind = SmsOutcome::Kind::kAccepted;
  out.provider_id = sid;
  done(std::move(out));
  if (simulate_) simulate_(call, sid);
}

}  // namespace tocsin
