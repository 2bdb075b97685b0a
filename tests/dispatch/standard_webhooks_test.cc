#include "dispatch/util/standard_webhooks.h"

#include <catch2/catch.hpp>

namespace tocsin {
namespace {

// The Standard Webhooks specification's published example (its reference libraries' tests).
constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kTimestamp = 1614265330;
constexpr const char* kBody = R"({"test": 2432232314})";
constexpr const char* kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string Key(const char* secret = kSecret) { return WebhookSecretKey(secret).value(); }

WebhookHeaders Headers(std::string signature = kSignature) {
  return {kId, std::to_string(kTimestamp), std::move(signature)};
}

}  // namespace

TEST_CASE("Signing matches the specification's test vector", "[webhooks]") {
  CHECK(SignWebhook(Key(), kId, kTimestamp, kBody) == kSignature);
  // The bare base64 form of the secret is the same key.
  CHECK(Key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == Key());
}

TEST_CASE("A secret is whsec_ and 32 random bytes, fresh each time", "[webhooks]") {
  auto a = NewWebhookSecret();
  auto b = NewWebhookSecret();
  CHECK(a != b);
  CHECK(a.rfind("whsec_", 0) == 0);
  CHECK(WebhookSecretKey(a).value().size() == 32);
  CHECK_FALSE(WebhookSecretKey("whsec_not base64!"));
  CHECK_FALSE(WebhookSecretKey("whsec_"));
}

TEST_CASE("Verify accepts the test vector within five minutes either side", "[webhooks]") {
  std::vector<std::string> keys{Key()};
  CHECK(VerifyWebhook(Headers(), kBody, keys, kTimestamp) == WebhookCheck::kValid);
  CHECK(VerifyWebhook(Headers(), kBody, keys, kTimestamp + 300) == WebhookCheck::kValid);
  CHECK(VerifyWebhook(Headers(), kBody, keys, kTimestamp - 300) == WebhookCheck::kValid);
  CHECK(VerifyWebhook(Headers(), kBody, keys, kTimestamp + 301) == WebhookCheck::kStale);
  CHECK(VerifyWebhook(Headers(), kBody, keys, kTimestamp - 301) == WebhookCheck::kStale);
}

TEST_CASE("Verify refuses altered, partial, missing and foreign signatures", "[webhooks]") {
  std::vector<std::string> keys{Key()};
  CHECK(VerifyWebhook(Headers(), R"({"test": 2432232315})", keys, kTimestamp) == WebhookCheck::kBadSignature);
  CHECK(VerifyWebhook(Headers("v1,dawfeoifkpqwoekfpqoekf"), kBody, keys, kTimestamp) == WebhookCheck::kBadSignature);
  CHECK(VerifyWebhook(Headers(std::string(kSignature).substr(0, 8)), kBody, keys, kTimestamp) ==
        WebhookCheck::kBadSignature);
  CHECK(VerifyWebhook(Headers("v1,"), kBody, keys, kTimestamp) == WebhookCheck::kBadSignature);
  // The right MAC under another version tag is not a v1 signature.
  CHECK(VerifyWebhook(Headers("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), kBody, keys, kTimestamp) ==
        WebhookCheck::kBadSignature);
  CHECK(VerifyWebhook(Headers(), kBody, {Key(NewWebhookSecret().c_str())}, kTimestamp) == WebhookCheck::kBadSignature);
  CHECK(VerifyWebhook(Headers(), kBody, {}, kTimestamp) == WebhookCheck::kBadSignature);

  auto h = Headers();
  h.id = "msg_other";
  CHECK(VerifyWebhook(h, kBody, keys, kTimestamp) == WebhookCheck::kBadSignature);
  h = Headers();
  h.id.clear();
  CHECK(VerifyWebhook(h, kBody, keys, kTimestamp) == WebhookCheck::kMissingHeader);
  h = Headers("");
  CHECK(VerifyWebhook(h, kBody, keys, kTimestamp) == WebhookCheck::kMissingHeader);
  h = Headers();
  h.timestamp = "hello";
  CHECK(VerifyWebhook(h, kBody, keys, kTimestamp) == WebhookCheck::kBadTimestamp);
  h.timestamp = "1614265330.0";
  CHECK(VerifyWebhook(h, kBody, keys, kTimestamp) == WebhookCheck::kBadTimestamp);
}

TEST_CASE("Several signatures and several secrets: any match is enough (rotation)", "[webhooks]") {
  auto other = Key(NewWebhookSecret().c_str());
  std::string sigs = std::string("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ") +
                     "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + kSignature;
  CHECK(VerifyWebhook(Headers(sigs), kBody, {Key()}, kTimestamp) == WebhookCheck::kValid);
  // The receiver holds the new secret and the old one.
  CHECK(VerifyWebhook(Headers(), kBody, {other, Key()}, kTimestamp) == WebhookCheck::kValid);
  // The sender signs with both: a receiver holding either accepts.
  auto header = WebhookSignatureHeader({other, Key()}, kId, kTimestamp, kBody);
  CHECK(header == SignWebhook(other, kId, kTimestamp, kBody) + " " + kSignature);
  CHECK(VerifyWebhook(Headers(header), kBody, {Key()}, kTimestamp) == WebhookCheck::kValid);
  CHECK(VerifyWebhook(Headers(header), kBody, {other}, kTimestamp) == WebhookCheck::kValid);
}

}  // namespace tocsin
