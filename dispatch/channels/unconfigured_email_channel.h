// UnconfiguredEmailChannel: the email channel of a server without [email] (email.smtp_url
// unset). Organisations may still have email contact points; every email delivery fails at
// once with error code "email_not_configured", and the server logs that once (never an
// address), so the operator learns why caseworkers hear nothing.
//
// Threading: as Channel's.
#pragma once

#include <atomic>

#include "dispatch/channels/channel.h"

namespace tocsin {

class UnconfiguredEmailChannel : public Channel {
 public:
  std::string_view name() const override { return "email"; }
  void SetSenders(std::int64_t, const std::vector<SenderConfig>&) override {}
  double Rate(std::int64_t) const override { return 1; }
  // Always starts: `done` runs at once with a permanent failure.
  std::optional<std::chrono::nanoseconds> TrySend(const OutboundMessage& m,
                                                  std::function<void(SendResult)> done) override;

 private:
  std::atomic<bool> logged_{false};
};

}  // namespace tocsin
