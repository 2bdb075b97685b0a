// EmailChannel: alert emails to organisations' caseworkers through the operator's SMTP relay
// (net/smtp_client.h). The dispatcher hands it a delivery whose channel is 'email', rendered
// (message/email_text.h: `subject` and `body` in the organisation's language) and addressed
// (`to` an email address, decrypted); the channel builds the RFC 5322 message
// (message/email_message.h), sends it and reports exactly one outcome.
//
// Limiter: a cap on messages in flight to the relay (email.max_in_flight), shared by every
// network: the relay is the operator's, not a network's, so SetSenders is ignored. At the cap
// TrySend answers "try again shortly"; each outcome frees a slot.
//
// Outcomes (SendResult, kinds as SMS): sent -> kAccepted with the Message-ID as provider_id;
// SmtpClient's permanent -> kPermanent (error_code "smtp_550"...); transient -> kTransient (the
// dispatcher retries with backoff). A message that cannot be built (not an address, a subject
// with a line break) -> kPermanent "invalid_email", without contacting the relay.
//
// Addresses are personal data: logs name them only through RedactEmail.
//
// Threading: as Channel's; the client's callbacks run on the client's executor, which should be
// the dispatcher's. The in-flight count is shared with pending callbacks, so a channel destroyed
// before its client leaves nothing dangling.
#pragma once

#include <atomic>
#include <memory>

#include "dispatch/channels/channel.h"
#include "dispatch/net/smtp_client.h"
#include "dispatch/util/clock.h"

namespace tocsin {

struct EmailChannelOptions {
  int max_in_flight = 4;                // email.max_in_flight
  std::string from_name = "Tocsin";     // the From header's display name
  // How long TrySend asks the dispatcher to wait at the cap (an outcome wakes it sooner).
  std::chrono::milliseconds busy_retry{200};
};

class EmailChannel : public Channel {
 public:
  // `client` and `clock` must outlive the channel.
  EmailChannel(SmtpClient& client, const Clock& clock, EmailChannelOptions options);

  std::string_view name() const override { return "email"; }
  void SetSenders(std::int64_t network_id, const std::vector<SenderConfig>& senders) override {}
  // The cap, as messages per second: about what a relay takes (its round trips are ~1 s).
  double Rate(std::int64_t network_id) const override { return options_.max_in_flight; }
  std::optional<std::chrono::nanoseconds> TrySend(const OutboundMessage& m,
                                                  std::function<void(SendResult)> done) override;

  int InFlight() const { return in_flight_->load(); }

 private:
  // Immutable after construction.
  SmtpClient& client_;
  const Clock& clock_;
  const EmailChannelOptions options_;
  // Messages started and not yet answered; decremented by the client's callbacks.
  std::shared_ptr<std::atomic<int>> in_flight_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace tocsin
