#include "dispatch/channels/webhook_channel.h"

#include "dispatch/net/retry_after.h"
#include "dispatch/util/clock.h"
#include "dispatch/util/standard_webhooks.h"

namespace tocsin {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How long a refusal at the cap asks the caller to wait: an outcome usually frees a slot first.
constexpr auto kFullWait = std::chrono::milliseconds(50);

SmsOutcome Failed(SmsOutcome::Kind kind, std::string code, std::string message) {
  SmsOutcome o;
  o.kind = kind;
  o.error_code = std::move(code);
  o.error_message = std::move(message);
  return o;
}

}  // namespace

bool WebhookChannel::HasRoom(std::int64_t endpoint_id) const {
  auto it = in_flight_.find(endpoint_id);
  return it == in_flight_.end() || it->second < options_.per_endpoint;
}

SendResult WebhookChannel::Interpret(const HttpResponse& r) {
  SendResult out;
  out.http_status = static_cast<int>(r.status);
  if (r.status == 0) {
    out.outcome = r.refused_address
                      ? Failed(SmsOutcome::Kind::kTransient, "refused_address", r.error)
                      : Failed(SmsOutcome::Kind::kTransient, r.timed_out ? "timeout" : "network",
                               r.timed_out ? "the endpoint did not answer in time" : "could not reach the endpoint");
    return out;
  }
  auto code = "http_" + std::to_string(r.status);
  auto text = "the endpoint answered HTTP " + std::to_string(r.status);
  if (r.status >= 200 && r.status < 300) {
    out.outcome.kind = SmsOutcome::Kind::kAccepted;
    out.outcome.delivered = true;
  } else if (r.status == 410) {
    out.outcome = Failed(SmsOutcome::Kind::kPermanent, code, text + " (Gone): the webhook is disabled");
    out.gone = true;
  } else if (r.status == 429 || r.status == 502 || r.status == 503 || r.status == 504) {
    out.outcome = Failed(SmsOutcome::Kind::kThrottled, code, text);
    out.outcome.retry_after = RetryAfter(r).value_or(std::chrono::seconds(0));
  } else {
    out.outcome = Failed(SmsOutcome::Kind::kTransient, code,
                         r.status >= 300 && r.status < 400 ? text + " (redirects are not followed)" : text);
  }
  return out;
}

std::optional<std::chrono::nanoseconds> WebhookChannel::TrySend(const OutboundMessage& m,
                                                                std::function<void(SendResult)> done) {
  if (!HasRoom(m.endpoint_id)) return kFullWait;
  HttpRequest req;
  req.url = m.to;
  req.body = m.body;
  req.timeout = options_.timeout;
  req.public_addresses_only = !options_.allow_private;
  req.keep_headers = {"retry-after"};
  if (req.url.rfind("https://", 0) != 0 && !(options_.allow_http && req.url.rfind("http://", 0) == 0)) {
    SendResult refused;
    refused.outcome = Failed(SmsOutcome::Kind::kTransient, "refused_scheme",
                             "the webhook URL is not https and webhooks.allow_http is false");
    done(std::move(refused));
    return std::nullopt;
  }
  const auto timestamp = WallClockMs() / 1000;
  req.headers = {"Content-Type: application/json", "webhook-id: " + m.message_id,
                 "webhook-timestamp: " + std::to_string(timestamp),
                 "webhook-signature: " + WebhookSignatureHeader(m.keys, m.message_id, timestamp, m.body)};
  ++in_flight_[m.endpoint_id];
  auto started = SteadyClock::now();
  client_.Start(std::move(req), [this, endpoint = m.endpoint_id, started, done = std::move(done)](HttpResponse r) {
    if (--in_flight_[endpoint] == 0) in_flight_.erase(endpoint);
    auto result = Interpret(r);
    result.latency_ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started).count());
    done(std::move(result));
  });
  return std::nullopt;
}

}  // namespace tocsin
