// Channel: one way of reaching someone: SMS (sms_channel.h), calls (voice_channel.h),
// organisations' webhooks (webhook_channel.h) and email (email_channel.h). The dispatcher claims queued
// deliveries and hands each one to the channel its row names (deliveries.channel); nothing outside channels/ knows a provider's API.
//
// A channel owns its limiter: it paces each network's senders (numbers, endpoints) at their
// rates, holds back when its provider says it is overloaded, and reports exactly one outcome per
// message it started.
//
// Threading: a channel is used on the dispatcher's executor only; `done` callbacks may run on
// any thread (the dispatcher posts back to its own).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/channels/sms_provider.h"
#include "dispatch/util/sender_config.h"

namespace tocsin {

// One message as the dispatcher hands it over: rendered, addressed, decrypted.
struct OutboundMessage {
  std::int64_t delivery_id = 0;
  std::int64_t network_id = 0;
  std::string to;    // E.164 for SMS and voice; an email address for email
  std::string body;
  int segments = 1;  // the channel's unit of rate (SMS segments)
  int validity_seconds = 3600;
  // Webhooks: `to` is the endpoint's URL and `body` the event's JSON; the endpoint (its own
  // concurrency cap), the webhook-id sent with every attempt, and the keys to sign with (the
  // current secret's, then a rotation's previous one).
  std::int64_t endpoint_id = 0;
  std::string message_id;
  std::vector<std::string> keys;
  // Email only: one line, UTF-8 (message/email_text.h). Last, so that aggregate initialisers
  // written before it still fill the fields above.
  std::string subject;
  // Voice only: the language of `body`, which chooses what the call says (voice_channel.h);
  // the alert, member and alert code a key press answers (recorded as the member's reply).
  std::string language;
  std::int64_t alert_id = 0;
  std::int64_t member_id = 0;
  std::string alert_code;
  std::string english_body;  // `body` in English, when `language` is another (else empty)
  // A tiered alert's place (model/disclosure.h), told once the member presses 1; else empty.
  std::string place, place_details;
  std::string alert_kind;             // names the recording of the alert line
  std::vector<std::string> recorded;  // the network's recordings in `language` (message/call_lines.h)
  bool relay = false;  // a relay node's call: "press 1 once you have called them"
  int attempt = 0;     // a call: the delivery's attempt (its token names it: call_token.h)
};

// What became of one message. Kinds as SmsOutcome's; `sender` is who sent it.
struct SendResult {
  SmsOutcome outcome;
  std::string sender;
  int http_status = 0;  // webhooks: the answer's status (0: no answer)
  int latency_ms = 0;   // webhooks: from the request's start to its end
  bool gone = false;    // webhooks: 410 Gone, the endpoint asks to be sent nothing more
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual std::string_view name() const = 0;
  virtual void SetSenders(std::int64_t network_id, const std::vector<SenderConfig>& senders) = 0;
  // The network's total rate (units per second): how much the dispatcher claims ahead.
  virtual double Rate(std::int64_t network_id) const = 0;
  // Starts sending `m` if the limiter allows it now: nullopt when it started (`done` then runs
  // exactly once), else how long until it could.
  virtual std::optional<std::chrono::nanoseconds> TrySend(const OutboundMessage& m,
                                                          std::function<void(SendResult)> done) = 0;
};

}  // namespace tocsin
