#include "dispatch/channels/email_channel.h"

#include <spdlog/spdlog.h>

#include "dispatch/message/email_message.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/email_address.h"

namespace tocsin {
namespace {

SmsOutcome::Kind KindOf(SmtpOutcome::Kind kind) {
  switch (kind) {
    case SmtpOutcome::Kind::kSent: return SmsOutcome::Kind::kAccepted;
    case SmtpOutcome::Kind::kPermanent: return SmsOutcome::Kind::kPermanent;
    case SmtpOutcome::Kind::kTransient: return SmsOutcome::Kind::kTransient;
  }
  return SmsOutcome::Kind::kTransient;
}

}  // namespace

EmailChannel::EmailChannel(SmtpClient& client, const Clock& clock, EmailChannelOptions options)
    : client_(client), clock_(clock), options_(std::move(options)) {}

std::optional<std::chrono::nanoseconds> EmailChannel::TrySend(const OutboundMessage& m,
                                                              std::function<void(SendResult)> done) {
  if (in_flight_->load() >= options_.max_in_flight) return options_.busy_retry;
  const std::string& from = client_.settings().from;

  EmailMessage email;
  email.from = from;
  email.from_name = options_.from_name;
  email.to = m.to;
  email.subject = m.subject;
  email.body = m.body;
  email.date = std::chrono::system_clock::time_point(std::chrono::milliseconds(clock_.NowMs()));
  email.message_id = MakeMessageId(std::to_string(m.delivery_id) + "." + NewToken(""), from);
  Result<std::string> wire = BuildEmail(email);
  if (!wire.ok()) {
    spdlog::warn("email: delivery {} to {} not sent: {}", m.delivery_id, RedactEmail(m.to),
                 wire.error().message);
    SmsOutcome outcome;
    outcome.kind = SmsOutcome::Kind::kPermanent;
    outcome.error_code = "invalid_email";
    outcome.error_message = wire.error().message;  // never quotes the address
    done({std::move(outcome), from});
    return std::nullopt;
  }

  in_flight_->fetch_add(1);
  client_.Send(m.to, std::move(wire).value(),
               [in_flight = in_flight_, id = m.delivery_id, redacted = RedactEmail(m.to),
                message_id = std::move(email.message_id), from,
                done = std::move(done)](SmtpOutcome o) {
                 in_flight->fetch_sub(1);
                 SmsOutcome outcome;
                 outcome.kind = KindOf(o.kind);
                 outcome.error_code = std::move(o.error_code);
                 outcome.error_message = std::move(o.error_message);
                 if (outcome.kind == SmsOutcome::Kind::kAccepted) {
                   outcome.provider_id = message_id;
                 } else {
                   spdlog::info("email: delivery {} to {}: {} [{}]", id, redacted,
                                outcome.error_message, outcome.error_code);
                 }
                 done({std::move(outcome), from});
               });
  return std::nullopt;
}

}  // namespace tocsin
