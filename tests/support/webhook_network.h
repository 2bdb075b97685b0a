// An AlertNetwork whose server sends webhooks to loopback receivers (private targets and plain
// http allowed, a short retry schedule unless the test gives its own [webhooks] table), with
// helpers to add organisations, endpoints pointing at a WebhookReceiver and look at deliveries.
#pragma once

#include <cstdint>
#include <string>

#include "tests/fakes/webhook_receiver.h"
#include "tests/support/alert_network.h"

namespace tocsin::test {

inline constexpr const char* kWebhooksToml =
    "[webhooks]\nallow_http = true\nallow_private_targets = true\nretry_schedule = [\"1m\", \"5m\"]\n";

struct WebhookNetwork : AlertNetwork {
  // `twilio_keys` go to the server's [twilio] table (as AlertNetwork's).
  explicit WebhookNetwork(const std::string& toml = kWebhooksToml, const std::string& twilio_keys = "")
      : AlertNetwork(toml, twilio_keys) {}

  // POSTs an organisation; returns its id (the test fails unless 201).
  std::int64_t Org(const std::string& json);
  // An endpoint of `org` pointing at the receiver; returns its id and tells the receiver its secret.
  std::int64_t Hook(std::int64_t org, WebhookReceiver& rx, const std::string& events);
  static std::string Path(std::int64_t org);
  // "state:attempts" of the endpoint's deliveries, oldest first, comma-separated.
  std::string DeliveryState(std::int64_t endpoint);
  void WaitCount(WebhookReceiver& rx, std::size_t n, const char* what);
  // A client with a new integration token answering for the organisation `slug` (made with the
  // server's admin token; the test fails unless 201).
  HttpClient OrganisationClient(const std::string& slug);
};

}  // namespace tocsin::test
