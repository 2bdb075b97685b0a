#include "server/sms_providers.h"

#include "dispatch/engine/sandbox_provider.h"

namespace tocsin {

std::unique_ptr<SmsProvider> MakeSmsProvider(const Config& config,
                                             boost::asio::any_io_executor executor) {
  return std::make_unique<SandboxProvider>();
}

}  // namespace tocsin
