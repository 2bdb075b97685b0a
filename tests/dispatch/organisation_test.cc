// Pure rules of organisations and webhooks: input checks, which addresses are public, and what
// follows a webhook attempt.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include "dispatch/model/organisation.h"
#include "dispatch/model/webhook_retry.h"
#include "dispatch/util/ip_address.h"

namespace tocsin {
namespace {

bool Public4(const char* text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  REQUIRE(inet_pton(AF_INET, text, &a.sin_addr) == 1);
  return IsPublicAddress(reinterpret_cast<const sockaddr*>(&a));
}

bool Public6(const char* text) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  REQUIRE(inet_pton(AF_INET6, text, &a.sin6_addr) == 1);
  return IsPublicAddress(reinterpret_cast<const sockaddr*>(&a));
}

std::string FieldOf(WebhookInput in, WebhookTargetRules rules = {}) {
  auto r = NormaliseWebhookInput(std::move(in), rules);
  return r.ok() ? "" : r.error().field;
}

}  // namespace

TEST_CASE("Only public unicast addresses are public", "[webhooks][ssrf]") {
  for (const char* a : {"127.0.0.1", "127.9.9.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                        "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1",
                        "239.255.255.250", "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.2.1"}) {
    INFO(a);
    CHECK_FALSE(Public4(a));
  }
  for (const char* a : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "151.101.1.1"}) {
    INFO(a);
    CHECK(Public4(a));
  }
  for (const char* a : {"::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
                        "::ffff:10.0.0.1", "2001:db8::1", "64:ff9b::a00:1"}) {
    INFO(a);
    CHECK_FALSE(Public6(a));
  }
  CHECK(Public6("2a00:1450:4009:81f::200e"));
  CHECK(Public6("::ffff:8.8.8.8"));
}

TEST_CASE("URL hosts: address literals are judged, names are left to connect time", "[webhooks][ssrf]") {
  CHECK(IsPublicLiteral("8.8.8.8") == std::optional<bool>(true));
  CHECK(IsPublicLiteral("127.0.0.1") == std::optional<bool>(false));
  CHECK(IsPublicLiteral("[::1]") == std::optional<bool>(false));
  CHECK(IsPublicLiteral("[2a00:1450::1]") == std::optional<bool>(true));
  // Forms resolvers accept for 127.0.0.1.
  CHECK(IsPublicLiteral("127.1") == std::optional<bool>(false));
  CHECK(IsPublicLiteral("2130706433") == std::optional<bool>(false));
  CHECK(IsPublicLiteral("0x7f.0.0.1") == std::optional<bool>(false));
  CHECK_FALSE(IsPublicLiteral("example.org"));
  CHECK_FALSE(IsPublicLiteral("1e100.net"));
  CHECK_FALSE(IsPublicLiteral("localhost"));  // a name: refused after DNS
}

TEST_CASE("Webhook input: https, a host, known events; canonical events", "[webhooks]") {
  CHECK(FieldOf({"https://example.org/h", {"alert.raised"}}).empty());
  CHECK(FieldOf({"http://example.org/h", {"alert.raised"}}) == "url");
  CHECK(FieldOf({"http://example.org/h", {"alert.raised"}}, {true, false}).empty());
  CHECK(FieldOf({"https://127.0.0.1/h", {"alert.raised"}}) == "url");
  CHECK(FieldOf({"https://127.0.0.1/h", {"alert.raised"}}, {false, true}).empty());
  CHECK(FieldOf({"https://example.org/h#x", {"alert.raised"}}) == "url");
  CHECK(FieldOf({"https://a:b@example.org/h", {"alert.raised"}}) == "url");
  CHECK(FieldOf({"https:///h", {"alert.raised"}}) == "url");
  CHECK(FieldOf({std::string("https://example.org/") + std::string(2000, 'a'), {"alert.raised"}}) == "url");
  CHECK(FieldOf({"https://example.org/h", {}}) == "events");
  CHECK(FieldOf({"https://example.org/h", {"alert.raised", "nope"}}) == "events");
  auto ok = NormaliseWebhookInput({"https://example.org/h", {"escalation.step", "alert.raised", "alert.raised"}}, {});
  REQUIRE(ok.ok());
  CHECK(ok->events == std::vector<std::string>{"alert.raised", "escalation.step"});
}

TEST_CASE("Organisation input: slug and name required on create; filters canonical", "[organisations]") {
  OrganisationInput in;
  in.name = "Hackney Law Centre";
  CHECK(NormaliseOrganisationInput(in, true, "en").error().field == "slug");
  in.slug = "hackney-law";
  in.kinds = std::optional<std::vector<std::string>>(std::vector<std::string>{"removal", "detention", "removal"});
  auto ok = NormaliseOrganisationInput(in, true, "fr");
  REQUIRE(ok.ok());
  CHECK(*ok->language == "fr");
  CHECK(**ok->kinds == std::vector<std::string>{"detention", "removal"});
  in.areas = std::optional<std::vector<std::string>>(std::vector<std::string>{});
  CHECK(NormaliseOrganisationInput(in, true, "en").error().field == "areas");
  OrganisationInput patch;  // nothing required on a patch
  CHECK(NormaliseOrganisationInput(patch, false, "en").ok());
}

TEST_CASE("After a webhook attempt: deliver, retry on the schedule, honour Retry-After, fail, disable",
          "[webhooks]") {
  const std::vector<std::int64_t> schedule{5000, 300000};
  auto d = DecideWebhookNext(WebhookResult::kDelivered, 1, std::nullopt, schedule, 1000);
  CHECK(d.state == WebhookNextState::kDelivered);
  auto r1 = DecideWebhookNext(WebhookResult::kRetryable, 1, std::nullopt, schedule, 1000);
  CHECK(r1.state == WebhookNextState::kRetry);
  CHECK(r1.retry_at_ms == std::optional<std::int64_t>(6000));
  auto r2 = DecideWebhookNext(WebhookResult::kRetryable, 2, std::nullopt, schedule, 1000);
  CHECK(r2.retry_at_ms == std::optional<std::int64_t>(301000));
  CHECK(DecideWebhookNext(WebhookResult::kRetryable, 3, std::nullopt, schedule, 1000).state ==
        WebhookNextState::kFailed);
  // Retry-After longer than the schedule's delay wins; shorter does not shorten it; capped at a day.
  CHECK(DecideWebhookNext(WebhookResult::kRetryable, 1, 60000, schedule, 0).retry_at_ms ==
        std::optional<std::int64_t>(60000));
  CHECK(DecideWebhookNext(WebhookResult::kRetryable, 1, 1000, schedule, 0).retry_at_ms ==
        std::optional<std::int64_t>(5000));
  CHECK(DecideWebhookNext(WebhookResult::kRetryable, 1, 10 * kMaxRetryAfterMs, schedule, 0).retry_at_ms ==
        std::optional<std::int64_t>(kMaxRetryAfterMs));
  auto gone = DecideWebhookNext(WebhookResult::kGone, 1, std::nullopt, schedule, 0);
  CHECK(gone.state == WebhookNextState::kFailed);
  CHECK(gone.disable_endpoint);
}

}  // namespace tocsin
