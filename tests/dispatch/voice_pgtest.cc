// Calls through the real binary against the fake Twilio's scripted callees (issue 11): a step
// with channel voice calls its audience; a key pressed is an answer like an SMS reply; busy is
// retried once a minute later (the server's manual clock) and then fails, which calls the
// member's backup; unsigned call webhooks are refused; the TwiML speaks the member's language
// (Farsi, which no voice speaks, falls back to English).
#include <catch2/catch.hpp>

#include <chrono>

#include "dispatch/channels/twilio_signature.h"
#include "tests/fakes/fake_twilio.h"
#include "tests/support/alert_network.h"
#include "tests/support/voice_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kEnglish = "+447700900111";
constexpr const char* kFarsi = "+447700900222";
constexpr const char* kBackup = "+447700900333";

struct VoiceFixture : VoiceNetwork {
  VoiceFixture() {
    // One step: the alert's responders are called.
    auto r = net.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
        {"audience":{"roles":["responder"],"areas":"alert"},"channel":"voice"}],
        "reminder":{"after":"10m"}})");
    INFO(r.body);
    REQUIRE(r.status == 200);
  }

  std::string Delivery(const std::string& column, std::int64_t member) {
    return Scalar("SELECT " + column + " FROM deliveries WHERE seq = 0 AND member_id = " + std::to_string(member));
  }
};

}  // namespace

TEST_CASE("voice: a voice step calls its audience; 1 is going and 2 cannot, in each one's language",
          "[pg][voice]") {
  VoiceFixture f;
  auto english = f.net.AddMember(std::string(R"({"phone":")") + kEnglish + R"(","areas":["SE15"]})");
  auto farsi = f.net.AddMember(std::string(R"({"phone":")") + kFarsi + R"(","areas":["SE15"],"language":"fa"})");
  f.fake.SetCallee(kEnglish, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "91"});  // again, then going
  f.fake.SetCallee(kFarsi, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "2"});
  auto alert = f.net.Raise();

  REQUIRE(f.fake.WaitForFinishedCalls(2, 20s));
  Eventually([&] { return f.Delivery("state", english) == "delivered" && f.Delivery("state", farsi) == "delivered"; },
             "both calls completed");
  CHECK(f.Delivery("channel", english) == "voice");
  CHECK(f.Delivery("provider_id", english).starts_with("CA"));
  // Called, not texted; but the Farsi member, who heard English (no voice speaks Farsi), is
  // also texted the alert in Farsi.
  Eventually([&] { return f.fake.Messages().size() == 1; }, "the Farsi text beside the call");
  CHECK(f.fake.Messages()[0].to == kFarsi);
  CHECK(f.fake.Messages()[0].body.find("یورش") != std::string::npos);
  CHECK(f.net.Messages(alert, farsi, "call_text") == 1);
  CHECK(f.net.Messages(alert, english, "call_text") == 0);

  for (const auto& call : f.fake.Calls()) {
    INFO(call.to);
    CHECK(call.status == "completed");
    CHECK(call.url.starts_with(f.Url("/twilio/voice/")));
    CHECK(call.status_callback == f.Url("/twilio/voice-status"));
    CHECK(call.timeout_seconds == 30);
    REQUIRE_FALSE(call.twiml.empty());
    CHECK(call.twiml[0].find("Rye Lane") != std::string::npos);
    // Farsi has no voice (fa.toml: tts = false): English voice, English text.
    CHECK(call.twiml[0].find(R"(language="en-GB")") != std::string::npos);
    CHECK(call.twiml[0].find("RAID") != std::string::npos);
    for (const auto& t : call.twiml) CHECK(t.find("یورش") == std::string::npos);
    // Every fetch of the call's TwiML and its actions passed the signature check.
    for (int status : call.twiml_replies) CHECK(status == 200);
  }
  FakeTwilioCall english_call;
  for (const auto& call : f.fake.Calls()) {
    if (call.to == kEnglish) english_call = call;
  }
  CHECK(english_call.pressed == "91");
  REQUIRE(english_call.twiml.size() == 3);  // prompt, prompt again (9), confirmation (1)
  CHECK(english_call.twiml[1] == english_call.twiml[0]);
  CHECK(english_call.twiml[2].find("You are down as going") != std::string::npos);

  // Recorded as the replies are: responses, and the alert's counts.
  Eventually([&] { return f.Scalar("SELECT count(*) FROM responses WHERE alert_id = " + std::to_string(alert)) == "2"; },
             "both answers recorded");
  CHECK(f.Scalar("SELECT answer FROM responses WHERE member_id = " + std::to_string(english)) == "going");
  CHECK(f.Scalar("SELECT answer FROM responses WHERE member_id = " + std::to_string(farsi)) == "cannot");
  auto a = f.net.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert)).Json().as_object();
  auto counts = a.at("counts").as_object();
  CHECK(counts.at("going") == 1);
  CHECK(counts.at("cannot") == 1);
}

TEST_CASE("voice: a member with only the voice channel is called on an sms step; voicemail is reached, no answer",
          "[pg][voice]") {
  VoiceFixture f;
  REQUIRE(f.net.c.Put("/v1/networks/demo/policies/raid",
                      R"({"steps":[{"audience":{"roles":["responder"],"areas":"alert"}}]})").status == 200);
  auto caller = f.net.AddMember(std::string(R"({"phone":")") + kEnglish + R"(","areas":["SE15"],"channels":["voice"]})");
  auto texter = f.net.AddMember(std::string(R"({"phone":")") + kFarsi + R"(","areas":["SE15"]})");
  f.fake.SetCallee(kEnglish, {.pickup = FakeCallee::Pickup::kAnswer, .machine = true});  // voicemail
  auto alert = f.net.Raise();
  REQUIRE(f.fake.WaitForFinishedCalls(1, 20s));
  Eventually([&] { return f.Delivery("state", caller) == "delivered"; }, "the call completed");
  CHECK(f.Delivery("channel", caller) == "voice");
  CHECK(f.Delivery("channel", texter) == "sms");
  CHECK(f.Scalar("SELECT count(*) FROM responses WHERE alert_id = " + std::to_string(alert)) == "0");
  CHECK(f.fake.Calls().size() == 1);
}

TEST_CASE("voice: busy is called again once a minute later, then fails and the backup is contacted",
          "[pg][voice]") {
  VoiceFixture f;
  auto member = f.net.AddMember(std::string(R"({"phone":")") + kEnglish + R"(","areas":["SE15"]})");
  auto backup = f.net.AddMember(std::string(R"({"phone":")") + kBackup + R"(","areas":["E8"]})");
  REQUIRE(f.net.c.Patch("/v1/networks/demo/members/" + std::to_string(member),
                        R"({"backup":)" + std::to_string(backup) + "}").status == 200);
  f.fake.SetCallee(kEnglish, {.pickup = FakeCallee::Pickup::kBusy});
  auto alert = f.net.Raise();

  REQUIRE(f.fake.WaitForFinishedCalls(1, 20s));
  Eventually([&] { return f.Delivery("state", member) == "queued"; }, "the busy call queued again");
  CHECK(f.Delivery("error_code", member) == "busy");
  // Half a minute on: the retry is still due later on the engine's clock (no waiting to see it
  // not happen).
  auto moved = f.net.server->Admin().Post("/v1/admin/clock", R"({"advance":"30s"})");
  REQUIRE(moved.status == 200);
  const auto now_ms = moved.Json().as_object().at("now_ms").to_number<std::int64_t>();
  const auto due_ms = std::stoll(f.Scalar(
      "SELECT (extract(epoch FROM next_attempt_at) * 1000)::bigint FROM deliveries WHERE member_id = " +
      std::to_string(member)));
  CHECK(due_ms > now_ms);
  CHECK(due_ms <= now_ms + 31000);
  CHECK(f.fake.Calls().size() == 1);
  CHECK_FALSE(f.net.Contacted(alert, backup));

  f.net.Advance("31s");  // a minute after the first call
  REQUIRE(f.fake.WaitForFinishedCalls(2, 20s));
  Eventually([&] { return f.Delivery("state", member) == "failed"; }, "the second busy call failed");
  CHECK(f.Delivery("attempts", member) == "2");
  CHECK(f.Delivery("error_code", member) == "busy");
  // A failed call is a silent node: the backup is contacted at once (by their own channel, SMS).
  Eventually([&] { return f.net.Contacted(alert, backup); }, "the backup contacted");
  Eventually([&] { return f.fake.Messages().size() == 1; }, "the backup texted");
  CHECK(f.fake.Messages()[0].to == kBackup);
  CHECK(f.fake.Calls().size() == 2);  // no third call to the busy member
}

TEST_CASE("voice: call webhooks without a valid signature are 403 and do nothing", "[pg][voice]") {
  VoiceFixture f;
  auto post = [&](const std::string& path, const FormParams& params, const std::string& signature) {
    return f.net.c.Send("POST", path, FormUrlEncode(params),
                        {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Twilio-Signature", signature}});
  };
  FormParams status = {{"CallSid", "CA0123"}, {"CallStatus", "completed"}};
  CHECK(post("/twilio/voice-status", status, "bad").status == 403);
  CHECK(post("/twilio/voice/vtoken", {{"CallSid", "CA0123"}}, "").status == 403);
  CHECK(post("/twilio/voice/vtoken/answer", {{"Digits", "1"}},
             TwilioSignature("another-token", f.Url("/twilio/voice/vtoken/answer"), {{"Digits", "1"}}))
            .status == 403);
  // Signed, but no call has this token: 404 (nothing to say).
  FormParams fetch = {{"CallSid", "CA0123"}};
  CHECK(post("/twilio/voice/vtoken", fetch, TwilioSignature(AlertNetwork::kAuthToken, f.Url("/twilio/voice/vtoken"), fetch))
            .status == 404);
  // Signed status of a call nobody placed: accepted, changes no delivery.
  CHECK(post("/twilio/voice-status", status,
             TwilioSignature(AlertNetwork::kAuthToken, f.Url("/twilio/voice-status"), status))
            .status == 204);
}

TEST_CASE("voice: the sandbox's callee answers and presses 1; the log shows each call's TwiML and outcome",
          "[pg][voice]") {
  AlertNetwork net;  // sms.provider = "sandbox"
  REQUIRE(net.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
      {"audience":{"roles":["responder"],"areas":"alert"},"channel":"voice"}]})").status == 200);
  auto member = net.AddMember(std::string(R"({"phone":")") + kEnglish + R"(","areas":["SE15"]})");
  auto alert = net.Raise();
  Eventually([&] { return net.db.Scalar("SELECT state FROM deliveries WHERE member_id = " + std::to_string(member)) == "delivered"; },
             "the sandbox call completed");
  Eventually([&] { return net.db.Scalar("SELECT answer FROM responses WHERE alert_id = " + std::to_string(alert)) == "going"; },
             "the sandbox callee's 1 recorded");
  CHECK(net.db.Scalar("SELECT channel FROM deliveries WHERE member_id = " + std::to_string(member)) == "voice");
  auto log = net.server->Log();
  CHECK(log.find("sandbox call CS") != std::string::npos);
  CHECK(log.find("Rye Lane") != std::string::npos);  // the TwiML it plays
  CHECK(log.find("You are down as going") != std::string::npos);
  CHECK(log.find(": completed") != std::string::npos);
  CHECK(log.find(kEnglish) == std::string::npos);  // numbers redacted
}

TEST_CASE("voice: a tree named by a voice step calls its nodes; a key moves the tree on", "[pg][voice][trees]") {
  VoiceFixture f;
  auto root = f.net.AddMember(std::string(R"({"phone":")") + kEnglish + R"("})");
  auto child = f.net.AddMember(std::string(R"({"phone":")") + kBackup + R"("})");
  auto put = f.net.c.Put("/v1/networks/demo/trees/street",
                         R"({"mode":"automated","wait":"10m","nodes":[{"member":)" + std::to_string(root) +
                             R"(,"children":[)" + std::to_string(child) + "]}]}");
  INFO(put.body);
  REQUIRE(put.status == 200);
  REQUIRE(f.net.c.Put("/v1/networks/demo/policies/raid",
                      R"({"steps":[{"audience":{"tree":"street"},"channel":"voice"}]})").status == 200);
  f.fake.SetCallee(kEnglish, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1"});
  f.fake.SetCallee(kBackup, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "2"});
  auto alert = f.net.Raise();
  // The root's 1 moves the tree on at once (its wait is ten minutes): the child is called.
  REQUIRE(f.fake.WaitForFinishedCalls(2, 20s));
  CHECK(f.Delivery("channel", root) == "voice");
  CHECK(f.Delivery("channel", child) == "voice");
  Eventually([&] { return f.Scalar("SELECT count(*) FROM responses WHERE alert_id = " + std::to_string(alert)) == "2"; },
             "both answers recorded");
  CHECK(f.Scalar("SELECT answer FROM responses WHERE member_id = " + std::to_string(root)) == "going");
  CHECK(f.Scalar("SELECT answer FROM responses WHERE member_id = " + std::to_string(child)) == "cannot");
  CHECK(f.fake.Messages().empty());
}

TEST_CASE("voice: after 1 on a tiered alert the place is read out; 2 hears no place", "[pg][voice][disclosure]") {
  VoiceFixture f;
  auto admin = f.Admin();
  REQUIRE(admin.Patch("/v1/networks/demo", R"({"disclosure":{"kinds":{"raid":"tiered"}}})").status == 200);
  f.net.AddMember(std::string(R"({"phone":")") + kEnglish + R"(","areas":["SE15"]})");
  f.net.AddMember(std::string(R"({"phone":")") + kBackup + R"(","areas":["SE15"]})");
  f.fake.SetCallee(kEnglish, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1"});
  f.fake.SetCallee(kBackup, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "2"});
  f.net.Raise(R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane","details":"three vans"})");
  REQUIRE(f.fake.WaitForFinishedCalls(2, 20s));
  for (const auto& call : f.fake.Calls()) {
    INFO(call.to);
    REQUIRE(call.twiml.size() == 2);  // the prompt, then the confirmation
    CHECK(call.twiml[0].find("Rye Lane") == std::string::npos);  // the alert names the area only
    CHECK(call.twiml[0].find("SE15") != std::string::npos);
    const bool going = call.to == kEnglish;
    CHECK((call.twiml[1].find("The place: Rye Lane. three vans") != std::string::npos) == going);
    CHECK((call.twiml[1].find("three vans") != std::string::npos) == going);
  }
}

TEST_CASE("voice: a relay tree's node called hears the names (not numbers) to phone; a child confirms by text",
          "[pg][voice][trees][relay]") {
  VoiceFixture f;
  constexpr const char* kUnnamed = "+447700900444";
  auto root = f.net.AddMember(std::string(R"({"phone":")") + kEnglish + R"(","name":"Amal"})");
  auto child = f.net.AddMember(std::string(R"({"phone":")") + kBackup + R"(","name":"Bo"})");
  auto unnamed = f.net.AddMember(std::string(R"({"phone":")") + kUnnamed + R"("})");
  auto put = f.net.c.Put("/v1/networks/demo/trees/street",
                         R"({"mode":"relay","wait":"10m","nodes":[{"member":)" + std::to_string(root) +
                             R"(,"children":[)" + std::to_string(child) + "," + std::to_string(unnamed) + "]}]}");
  INFO(put.body);
  REQUIRE(put.status == 200);
  REQUIRE(f.net.c.Put("/v1/networks/demo/policies/raid",
                      R"({"steps":[{"audience":{"tree":"street"},"channel":"voice"}]})").status == 200);
  f.fake.SetCallee(kEnglish, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1"});
  auto alert = f.net.Raise();
  REQUIRE(f.fake.WaitForFinishedCalls(1, 20s));
  const auto call = f.fake.Calls()[0];
  CHECK(call.to == kEnglish);
  REQUIRE_FALSE(call.twiml.empty());
  CHECK(call.twiml[0].find("Please call: Bo and 1 more: reply LIST") != std::string::npos);
  CHECK(call.twiml[0].find(kBackup) == std::string::npos);   // no number read aloud
  CHECK(call.twiml[0].find(kUnnamed) == std::string::npos);
  CHECK(call.twiml[0].find("Rye Lane") != std::string::npos);
  // The root's 1: their branch waits for their call; Bo confirms by texting 1.
  const auto node = [&](std::int64_t m) {
    return f.Scalar("SELECT state || coalesce(':' || via, '') FROM tree_run_nodes WHERE alert_id = " +
                    std::to_string(alert) + " AND member_id = " + std::to_string(m));
  };
  Eventually([&] { return node(child) == "waiting"; }, "Bo waits for Amal's call");
  f.net.Reply(kBackup, "1");
  Eventually([&] { return node(child) == "reached:relay"; }, "Bo confirmed by text");
  CHECK(f.fake.Calls().size() == 1);  // Tocsin called nobody else
}
