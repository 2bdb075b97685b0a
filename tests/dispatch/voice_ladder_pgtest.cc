// The call ladder through the real binary (issue 11): a step `"channel": "sms", "call_after":
// "2m"` texts its audience; whoever has not answered two minutes (the server's manual clock)
// after being reached is called, once, and a key pressed on that call is their answer. The
// deadline is a timer row like every escalation deadline. Validation names the field.
#include <catch2/catch.hpp>

#include <chrono>

#include "tests/support/voice_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kAnswers = "+447700900111";
constexpr const char* kSilent = "+447700900222";

std::string Phone(const char* phone) { return std::string(R"({"phone":")") + phone + R"(","areas":["SE15"]})"; }

}  // namespace

TEST_CASE("voice ladder: texted, no answer within call_after -> called once; an answer by SMS is not called",
          "[pg][voice][ladder]") {
  VoiceNetwork v;
  auto& net = v.net;
  auto& fake = v.fake;
  auto put = net.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
      {"audience":{"roles":["responder"],"areas":"alert"},"channel":"sms","call_after":"2m"}]})");
  INFO(put.body);
  REQUIRE(put.status == 200);
  CHECK(net.c.Get("/v1/networks/demo/policies/raid").Json().as_object().at("steps").as_array()[0].as_object().at(
            "call_after") == "2m");
  auto answers = net.AddMember(Phone(kAnswers));
  auto silent = net.AddMember(Phone(kSilent));
  fake.SetCallee(kSilent, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1"});
  auto alert = net.Raise();
  const auto id = std::to_string(alert);

  // Both texted; one answers by SMS.
  auto sent = [&](std::int64_t m) {
    return net.db.Scalar("SELECT state IN ('sent', 'delivered') FROM deliveries WHERE seq = 0 AND member_id = " +
                         std::to_string(m)) == "t";
  };
  Eventually([&] { return sent(answers) && sent(silent); }, "both texted");
  CHECK(fake.Messages().size() == 2);
  net.Reply(kAnswers, "1");
  Eventually([&] { return net.db.Scalar("SELECT count(*) FROM responses WHERE alert_id = " + id) == "1"; },
             "the SMS answer recorded");
  // The ladder's deadline is a row, due two minutes after the start.
  CHECK(net.db.Scalar("SELECT count(*) FROM escalation_timers WHERE kind = 'call' AND state = 'pending'"
                      " AND alert_id = " + id) == "1");

  net.Advance("119s");  // not yet
  CHECK(fake.Calls().empty());
  CHECK(net.Messages(alert, silent, "call") == 0);

  net.Advance("1s");  // two minutes: the silent one is called, the one who answered is not
  REQUIRE(fake.WaitForFinishedCalls(1, 20s));
  auto calls = fake.Calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].to == kSilent);
  REQUIRE_FALSE(calls[0].twiml.empty());
  CHECK(calls[0].twiml[0].find("Rye Lane") != std::string::npos);  // the alert read out
  CHECK(net.Messages(alert, silent, "call") == 1);
  CHECK(net.Messages(alert, answers, "call") == 0);
  CHECK(net.db.Scalar("SELECT channel FROM deliveries d JOIN alert_messages m ON m.alert_id = d.alert_id"
                      " AND m.seq = d.seq AND m.language = d.language WHERE m.kind = 'call' AND d.alert_id = " + id) ==
        "voice");
  // The key pressed on the call is the silent one's answer.
  Eventually([&] {
    return net.db.Scalar("SELECT answer FROM responses WHERE member_id = " + std::to_string(silent)) == "going";
  }, "the call's 1 recorded");
  CHECK(net.db.Scalar("SELECT called FROM deliveries WHERE seq = 0 AND member_id = " + std::to_string(silent)) == "t");

  // Called once: later deadlines call nobody again.
  net.Advance("10m");
  CHECK(fake.Calls().size() == 1);
  CHECK(net.Messages(alert, silent, "call") == 1);
}

TEST_CASE("voice ladder: call_after is refused off an sms step, naming the field; nothing changes",
          "[pg][voice][ladder]") {
  AlertNetwork net;
  auto before = net.c.Get("/v1/networks/demo/policies/raid").body;
  for (const char* bad : {R"({"steps":[{"audience":{"areas":"alert"},"channel":"voice","call_after":"2m"}]})",
                          R"({"steps":[{"audience":{"areas":"alert"},"call_after":"soon"}]})"}) {
    auto r = net.c.Put("/v1/networks/demo/policies/raid", bad);
    INFO(r.body);
    CHECK(r.status == 422);
    CHECK(r.ErrorField() == "steps[0].call_after");
  }
  CHECK(net.c.Get("/v1/networks/demo/policies/raid").body == before);
}
