// TwilioCallProvider against the fake Twilio over loopback: the call it places is one the fake
// accepts and plays, with the callbacks Tocsin asks for; the fake's faults map to outcomes.
#include "dispatch/channels/twilio_call_provider.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <future>

#include "tests/fakes/fake_twilio.h"
#include "tests/fakes/fake_twilio_test_client.h"

namespace tocsin {
namespace {

using namespace fake_test;
using Kind = SmsOutcome::Kind;

// Places one call on a fresh io_context run on this thread until its outcome arrives.
SmsOutcome Place(const FakeTwilio& fake, const CallRequest& call) {
  boost::asio::io_context io;
  TwilioSettings settings;
  settings.account_sid = kSid;
  settings.auth_token = kToken;
  settings.api_base = fake.BaseUrl();
  settings.timeout = std::chrono::milliseconds(3000);
  TwilioCallProvider provider(io.get_executor(), settings, "http://127.0.0.1:9/twilio/voice-status");
  std::optional<SmsOutcome> out;
  provider.Place(call, [&](SmsOutcome o) { out = std::move(o); });
  while (!out && io.run_one_for(std::chrono::seconds(5)) > 0) {
  }
  REQUIRE(out);
  return *out;
}

CallRequest Call(std::string to = kMember) {
  return {42, std::move(to), kSender, "http://127.0.0.1:9/twilio/voice/tok", 30};
}

}  // namespace

TEST_CASE("twilio call provider: places the call Twilio expects", "[fake_twilio][voice]") {
  FakeTwilio fake(Config());
  fake.SetCallee(kMember, {.pickup = FakeCallee::Pickup::kBusy});
  const SmsOutcome accepted = Place(fake, Call());
  CHECK(accepted.kind == Kind::kAccepted);
  REQUIRE(accepted.provider_id.starts_with("CA"));
  const auto call = fake.FindCall(accepted.provider_id);
  REQUIRE(call);
  CHECK(call->to == kMember);
  CHECK(call->from == kSender);
  CHECK(call->url == "http://127.0.0.1:9/twilio/voice/tok");
  CHECK(call->status_callback == "http://127.0.0.1:9/twilio/voice-status");
  CHECK(call->status_callback_events ==
        std::vector<std::string>{"initiated", "ringing", "answered", "completed"});
  CHECK(call->timeout_seconds == 30);
  CHECK(call->machine_detection == "Enable");
}

TEST_CASE("twilio call provider: throttled, transient, permanent", "[fake_twilio][voice]") {
  FakeTwilio fake(Config());
  fake.FailNextWith429(1, 3);
  const SmsOutcome throttled = Place(fake, Call());
  CHECK(throttled.kind == Kind::kThrottled);
  CHECK(throttled.retry_after == std::chrono::seconds(3));
  fake.FailNextWith500(1);
  CHECK(Place(fake, Call()).kind == Kind::kTransient);
  const SmsOutcome bad = Place(fake, Call("07700900123"));
  CHECK(bad.kind == Kind::kPermanent);
  CHECK(bad.error_code == "21211");
  CHECK(bad.error_message.find("07700900123") == std::string::npos);
  CHECK(fake.Calls().empty());
}

}  // namespace tocsin
