// VoiceChannel through TwilioCallProvider against the fake Twilio over loopback: the calls it
// places, their prepared TwiML, and its limits (calls per second, calls in flight).
#include "dispatch/channels/voice_channel.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "dispatch/channels/twilio_call_provider.h"
#include "tests/fakes/fake_twilio.h"
#include "tests/fakes/fake_twilio_test_client.h"
#include "tests/support/shipped_templates.h"

namespace tocsin {
namespace {

using namespace fake_test;

struct Rig {
  explicit Rig(VoiceChannelOptions options) : prepared(100) {
    fake.SetCallee(kMember, {.pickup = FakeCallee::Pickup::kBusy});
    TwilioSettings settings;
    settings.account_sid = kSid;
    settings.auth_token = kToken;
    settings.api_base = fake.BaseUrl();
    provider = std::make_unique<TwilioCallProvider>(io.get_executor(), settings,
                                                    "http://127.0.0.1:9/twilio/voice-status");
    options.voice_url = "http://127.0.0.1:9/twilio/voice";
    channel = std::make_unique<VoiceChannel>(*provider, prepared, scripts, options);
    channel->SetSenders(1, {SenderConfig{kSender, std::nullopt}});
  }

  // Offers one call; when it starts, runs the loop until the provider answered.
  std::optional<std::chrono::nanoseconds> Offer(std::string language = "en") {
    OutboundMessage m;
    m.delivery_id = ++next_id;
    m.network_id = 1;
    m.to = kMember;
    m.body = "Raid at Peckham Rye & Bellenden Road";
    m.language = std::move(language);
    std::optional<SendResult> result;
    auto wait = channel->TrySend(m, [&](SendResult r) { result = std::move(r); });
    if (wait) return wait;
    while (!result && io.run_one_for(std::chrono::seconds(5)) > 0) {
    }
    REQUIRE(result);
    results.push_back(*result);
    return std::nullopt;
  }

  FakeTwilio fake{Config()};
  boost::asio::io_context io;
  VoiceScripts scripts = VoiceScripts::LoadDirectory(test::kShippedTemplates).value();
  PreparedCalls prepared;
  std::unique_ptr<TwilioCallProvider> provider;
  std::unique_ptr<VoiceChannel> channel;
  std::vector<SendResult> results;
  std::int64_t next_id = 0;
};

std::string TokenOf(const FakeTwilioCall& call) { return call.url.substr(call.url.rfind('/') + 1); }

}  // namespace

TEST_CASE("voice channel: a call's TwiML is prepared under its token, in the language",
          "[fake_twilio][voice]") {
  Rig rig({.calls_per_second = 100, .max_calls_in_flight = 10});
  REQUIRE_FALSE(rig.Offer("fr"));
  REQUIRE(rig.results.size() == 1);
  CHECK(rig.results[0].outcome.kind == SmsOutcome::Kind::kAccepted);
  CHECK(rig.results[0].sender == kSender);
  const auto calls = rig.fake.Calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].url.starts_with("http://127.0.0.1:9/twilio/voice/v"));
  const std::string token = TokenOf(calls[0]);
  CHECK(token.size() >= 40);  // 32 random bytes
  const auto prepared = rig.prepared.Find(token);
  REQUIRE(prepared);
  CHECK(prepared->delivery_id == 1);
  CHECK(prepared->prompt.find("Raid at Peckham Rye &amp; Bellenden Road") != std::string::npos);
  CHECK(prepared->prompt.find("language=\"fr-FR\"") != std::string::npos);
  CHECK(prepared->prompt.find("action=\"" + calls[0].url + "/answer\"") != std::string::npos);
  CHECK(prepared->going.find(rig.scripts.For("fr").script->going) != std::string::npos);
  // The final status frees it.
  rig.channel->CallEnded(rig.results[0].outcome.provider_id);
  CHECK_FALSE(rig.prepared.Find(token));
}

TEST_CASE("voice channel: calls per second and calls in flight", "[fake_twilio][voice]") {
  SECTION("one call a second") {
    Rig rig({.calls_per_second = 1, .max_calls_in_flight = 10});
    CHECK_FALSE(rig.Offer());
    const auto wait = rig.Offer();
    REQUIRE(wait);
    CHECK(*wait > std::chrono::milliseconds(500));
    CHECK(rig.fake.Calls().size() == 1);
    CHECK(rig.fake.Stats().call_violations == 0);
  }
  SECTION("two in flight until one ends") {
    Rig rig({.calls_per_second = 100, .max_calls_in_flight = 2});
    CHECK_FALSE(rig.Offer());
    CHECK_FALSE(rig.Offer());
    CHECK(rig.Offer());
    rig.channel->CallEnded(rig.results[0].outcome.provider_id);
    CHECK_FALSE(rig.Offer());
    CHECK(rig.fake.Calls().size() == 3);
  }
  SECTION("a refused call frees its slot and a throttled one pauses the channel") {
    Rig rig({.calls_per_second = 100, .max_calls_in_flight = 1});
    rig.fake.FailNextWith500(1);
    CHECK_FALSE(rig.Offer());
    CHECK(rig.results[0].outcome.kind == SmsOutcome::Kind::kTransient);
    CHECK(rig.prepared.size() == 0);
    rig.fake.FailNextWith429(1, 2);
    CHECK_FALSE(rig.Offer());
    CHECK(rig.results[1].outcome.kind == SmsOutcome::Kind::kThrottled);
    const auto wait = rig.Offer();
    REQUIRE(wait);
    CHECK(*wait > std::chrono::seconds(1));
  }
}

}  // namespace tocsin
