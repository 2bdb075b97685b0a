// A placed call's life around it, through the real binary and the fake Twilio (issue 11): a relay
// node is asked to press 1 once they have called their branch, and a child Tocsin calls after
// the tree's wait confirms with 1; a call still ringing when its alert ends says the alert has
// ended instead of reading it out; a call ringing across a restart of tocsind is still answered
// (its TwiML prepared again from the database) and its key counts.
#include <catch2/catch.hpp>

#include <chrono>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/eventually.h"
#include "tests/support/voice_network.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRoot = "+447700900111";
constexpr const char* kChild = "+447700900333";

struct CallLife : VoiceNetwork {
  CallLife() {
    auto r = net.c.Put("/v1/networks/demo/policies/raid",
                       R"({"steps":[{"audience":{"roles":["responder"],"areas":"alert"},"channel":"voice"}]})");
    INFO(r.body);
    REQUIRE(r.status == 200);
  }
  std::string Delivery(const std::string& column, std::int64_t member) {
    return Scalar("SELECT " + column + " FROM deliveries WHERE seq = 0 AND member_id = " + std::to_string(member));
  }
  std::string Answers(std::int64_t member) {
    return Scalar("SELECT coalesce(string_agg(answer, ',' ORDER BY id), '') FROM responses WHERE member_id = " +
                  std::to_string(member));
  }
};

}  // namespace

TEST_CASE("voice: a relay node presses 1 once they have called them; a child called after the wait presses 1",
          "[pg][voice][trees][relay]") {
  CallLife f;
  auto root = f.net.AddMember(std::string(R"({"phone":")") + kRoot + R"(","name":"Amal"})");
  auto child = f.net.AddMember(std::string(R"({"phone":")") + kChild + R"(","name":"Bo"})");
  auto put = f.net.c.Put("/v1/networks/demo/trees/street", R"({"mode":"relay","wait":"10m","nodes":[{"member":)" +
                                                               std::to_string(root) + R"(,"children":[)" +
                                                               std::to_string(child) + "]}]}");
  INFO(put.body);
  REQUIRE(put.status == 200);
  REQUIRE(f.net.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[{"audience":{"tree":"street"},"channel":"voice"}]})")
              .status == 200);
  f.fake.SetCallee(kRoot, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1"});
  f.fake.SetCallee(kChild, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1"});
  auto alert = f.net.Raise();
  REQUIRE(f.fake.WaitForFinishedCalls(1, 20s));
  const auto call = f.fake.Calls()[0];
  CHECK(call.to == kRoot);
  REQUIRE(call.twiml.size() == 2);
  CHECK(call.twiml[0].find("Please call: Bo") != std::string::npos);
  CHECK(call.twiml[0].find("Press 1 once you have called them.") != std::string::npos);
  CHECK(call.twiml[0].find("Press 1 if you can go") == std::string::npos);
  CHECK(call.twiml[1].find("We have noted that you have called them.") != std::string::npos);
  const auto node = [&](std::int64_t m) {
    return f.Scalar("SELECT state FROM tree_run_nodes WHERE alert_id = " + std::to_string(alert) +
                    " AND member_id = " + std::to_string(m));
  };
  Eventually([&] { return node(child) == "waiting"; }, "Bo waits for Amal's call");
  // Nobody confirmed Bo in the tree's wait: Tocsin calls them; their 1 confirms.
  f.net.Advance("11m");
  REQUIRE(f.fake.WaitForFinishedCalls(2, 20s));
  const auto second = f.fake.Calls()[1];
  CHECK(second.to == kChild);
  CHECK(second.pressed == "1");
  CHECK(second.twiml[0].find("Press 1 if you can go") != std::string::npos);  // no branch: the usual keys
  Eventually([&] { return node(child) == "reached"; }, "Bo confirmed by pressing 1");
  Eventually([&] { return f.Answers(child) == "going"; }, "Bo's answer recorded");
}

TEST_CASE("voice: a call still ringing when its alert ends says the alert has ended, never the alert",
          "[pg][voice]") {
  CallLife f;
  auto member = f.net.AddMember(std::string(R"({"phone":")") + kRoot + R"(","areas":["SE15"]})");
  f.fake.SetCallee(kRoot, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1", .ring_for = 20s});
  auto alert = f.net.Raise();
  Eventually([&] { return f.Delivery("state", member) == "sent"; }, "the call placed, ringing");
  auto resolved = f.net.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/resolve", R"({})");
  INFO(resolved.body);
  REQUIRE(resolved.status == 200);
  f.fake.AdvanceCallClock(21s);  // they pick up
  REQUIRE(f.fake.WaitForFinishedCalls(1, 20s));
  const auto call = f.fake.Calls()[0];
  REQUIRE_FALSE(call.twiml.empty());
  CHECK(call.twiml[0].find("This alert has ended.") != std::string::npos);
  CHECK(call.twiml[0].find("Rye Lane") == std::string::npos);
  CHECK(call.twiml[0].find("SE15") == std::string::npos);
  CHECK(call.twiml[0].find("<Gather") == std::string::npos);
  CHECK(call.pressed.empty());
  CHECK(f.Answers(member).empty());
}

TEST_CASE("voice: a call ringing across a restart is answered from the database and its key counts",
          "[pg][voice][restart]") {
  CallLife f;
  auto member = f.net.AddMember(std::string(R"({"phone":")") + kRoot + R"(","areas":["SE15"]})");
  f.fake.SetCallee(kRoot, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1", .ring_for = 20s});
  f.net.Raise();
  Eventually([&] { return f.Delivery("state", member) == "sent"; }, "the call placed, ringing");
  REQUIRE(f.net.server->Stop() == 0);
  f.net.server->Start();
  f.fake.AdvanceCallClock(21s);  // picked up: Twilio fetches the Url from the new process
  REQUIRE(f.fake.WaitForFinishedCalls(1, 20s));
  const auto call = f.fake.Calls()[0];
  REQUIRE_FALSE(call.twiml_replies.empty());
  CHECK(call.twiml_replies[0] == 200);
  CHECK(call.twiml[0].find("Rye Lane") != std::string::npos);
  CHECK(call.twiml[0].find("Press 1 if you can go") != std::string::npos);
  CHECK(call.pressed == "1");
  Eventually([&] { return f.Answers(member) == "going"; }, "the answer recorded after the restart");
  Eventually([&] { return f.Delivery("state", member) == "delivered"; }, "the call's outcome");
  CHECK(f.net.server->Log().find("prepared again from the database") != std::string::npos);
  CHECK(f.net.server->Log().find(kRoot) == std::string::npos);
}
