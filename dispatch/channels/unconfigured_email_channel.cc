#include "dispatch/channels/unconfigured_email_channel.h"

#include <spdlog/spdlog.h>

namespace tocsin {

std::optional<std::chrono::nanoseconds> UnconfiguredEmailChannel::TrySend(const OutboundMessage& m,
                                                                          std::function<void(SendResult)> done) {
  if (!logged_.exchange(true)) {
    spdlog::error("email: organisations have email contact points but [email] is not configured "
                  "(email.smtp_url): their email deliveries fail with email_not_configured");
  }
  SmsOutcome outcome;
  outcome.kind = SmsOutcome::Kind::kPermanent;
  outcome.error_code = "email_not_configured";
  outcome.error_message = "email is not configured on this server (email.smtp_url)";
  done({std::move(outcome), ""});
  return std::nullopt;
}

}  // namespace tocsin
