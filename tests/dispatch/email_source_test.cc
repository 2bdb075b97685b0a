// What follows one attempt of an email delivery (EmailSource::Outcome): sent, failed at once on a
// permanent reply, retried on the schedule on a transient one, failed when it is exhausted.
#include <catch2/catch.hpp>

#include "dispatch/engine/email_source.h"

namespace tocsin {
namespace {

constexpr std::string_view kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::int64_t kNow = 1'800'000'000'000;

SendResult Answer(SmsOutcome::Kind kind, const std::string& code = "") {
  SendResult r;
  r.outcome.kind = kind;
  r.outcome.error_code = code;
  r.outcome.provider_id = kind == SmsOutcome::Kind::kAccepted ? "<7.abc@tocsin.example.org>" : "";
  r.sender = "alerts@tocsin.example.org";
  return r;
}

SendJob Job(int attempts) { return SendJob{42, 7, attempts, {}}; }

}  // namespace

TEST_CASE("Email outcomes: sent, failed at once on 5xx, retried on the schedule on 4xx", "[emails]") {
  auto cipher = DataCipher::FromHex(kKey);
  REQUIRE(cipher.ok());
  const EmailSource source(cipher.value(), {60'000, 300'000});

  auto sent = source.Outcome(Job(1), Answer(SmsOutcome::Kind::kAccepted), kNow);
  CHECK(sent.delivery_id == 42);
  CHECK(sent.state == "sent");
  CHECK(sent.provider_id == std::optional<std::string>("<7.abc@tocsin.example.org>"));
  CHECK_FALSE(sent.error_code);

  auto refused = source.Outcome(Job(1), Answer(SmsOutcome::Kind::kPermanent, "smtp_550"), kNow);
  CHECK(refused.state == "failed");
  CHECK(refused.error_code == std::optional<std::string>("smtp_550"));
  CHECK_FALSE(refused.retry_at_ms);

  auto later = source.Outcome(Job(1), Answer(SmsOutcome::Kind::kTransient, "smtp_451"), kNow);
  CHECK(later.state == "queued");
  CHECK(later.retry_at_ms == std::optional<std::int64_t>(kNow + 60'000));
  CHECK(later.error_code == std::optional<std::string>("smtp_451"));
  auto again = source.Outcome(Job(2), Answer(SmsOutcome::Kind::kTransient, "network"), kNow);
  CHECK(again.retry_at_ms == std::optional<std::int64_t>(kNow + 300'000));
  auto exhausted = source.Outcome(Job(3), Answer(SmsOutcome::Kind::kTransient, "timeout"), kNow);
  CHECK(exhausted.state == "failed");
  CHECK(exhausted.error_code == std::optional<std::string>("timeout"));
  // Email never touches a webhook endpoint's health or state.
  CHECK_FALSE(exhausted.attempt_endpoint);
  CHECK_FALSE(exhausted.disable_endpoint);
}

}  // namespace tocsin
