// Escalation through the real binary: policies API, steps on schedule, goals, stand-down,
// resolve stopping deadlines, and deadlines surviving a restart. Waits are seconds long so the
// tests stay quick while the server runs its real clock.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <thread>

#include "dispatch/twilio/signature.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kAuthToken = "test_auth_token_0123456789";

// Step 1: responders in the alert's area; after 2 s without one going, step 2: neighbours'
// responders; after 2 s more, step 3: coordinators.
constexpr const char* kFastPolicy = R"({"steps":[
  {"audience":{"roles":["responder"],"areas":"alert"},"channel":"sms","wait":"2s","until":{"going":1}},
  {"audience":{"roles":["responder"],"areas":"neighbours"},"channel":"sms","wait":"2s","until":{"going":1}},
  {"audience":{"roles":["coordinator"]},"channel":"sms"}],
  "stand_down": true})";

struct Fixture {
  TestDatabase db;
  std::unique_ptr<TocsindProcess> server = std::make_unique<TocsindProcess>(
      db, std::string("[twilio]\nauth_token = \"") + kAuthToken + "\"\ndefault_segments_per_second = 100\n");
  HttpClient c = (server->Start(), server->Client(CreateNetworkWithToken(*server, "demo")));
  std::int64_t area_member = 0, area_member2 = 0, neighbour = 0, coordinator = 0;

  void SetUp() {
    REQUIRE(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
    auto add = [&](const std::string& body) {
      auto r = c.Post("/v1/networks/demo/members", body);
      REQUIRE(r.status == 201);
      return r.Json().as_object().at("id").as_int64();
    };
    area_member = add(R"({"phone":"+447700900401","areas":["SE15"]})");
    area_member2 = add(R"({"phone":"+447700900402","areas":["SE15"]})");
    neighbour = add(R"({"phone":"+447700900403","areas":["SE22"]})");
    coordinator = add(R"({"phone":"+447700900404","areas":["E1"],"roles":["coordinator"]})");
    auto put = c.Put("/v1/networks/demo/policies/raid", kFastPolicy);
    INFO(put.body);
    REQUIRE(put.status == 200);
  }
  std::int64_t Raise() {
    auto r = c.Post("/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
    REQUIRE(r.status == 201);
    return r.Json().as_object().at("id").as_int64();
  }
  bool Contacted(std::int64_t alert, std::int64_t member) {
    return db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0 AND alert_id = " + std::to_string(alert) +
                     " AND member_id = " + std::to_string(member)) == "1";
  }
  std::string EscalationState(std::int64_t alert) {
    return db.Scalar("SELECT state || ':' || step FROM escalations WHERE alert_id = " + std::to_string(alert));
  }
  void Reply(const std::string& from, const std::string& body) {
    FormParams params = {{"MessageSid", "SM" + from + body}, {"From", from}, {"To", "+447700900001"}, {"Body", body}};
    auto url = "http://127.0.0.1:" + std::to_string(server->port()) + "/twilio/sms";
    auto r = c.Send("POST", "/twilio/sms", FormUrlEncode(params),
                    {{"X-Twilio-Signature", TwilioSignature(kAuthToken, url, params)}});
    REQUIRE(r.status == 200);
  }
};

}  // namespace

TEST_CASE("policies: stored per network and kind, validated on write", "[pg][escalation]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  auto def = c.Get("/v1/networks/demo/policies/raid");
  REQUIRE(def.status == 200);
  auto d = def.Json().as_object();
  CHECK(d.at("default") == true);
  CHECK(d.at("steps").as_array().size() == 3);  // area responders, neighbours, coordinators
  CHECK(d.at("steps").as_array()[1].as_object().at("audience").as_object().at("areas") == "neighbours");

  REQUIRE(c.Put("/v1/networks/demo/policies/raid", kFastPolicy).status == 200);
  auto stored = c.Get("/v1/networks/demo/policies/raid").Json().as_object();
  CHECK(stored.at("default") == false);
  CHECK(stored.at("steps").as_array()[0].as_object().at("wait") == "2s");

  struct Case { const char* body; const char* field; long status; };
  for (auto bad : {Case{R"({"steps":[]})", "steps", 422},
                   Case{R"({"steps":[{"audience":{},"channel":"sms","wait":"3x"}]})", "steps[0].wait", 422},
                   Case{R"({"steps":[{"audience":{"roles":["boss"]},"channel":"sms"}]})", "steps[0].audience.roles[0]", 422},
                   Case{R"({"steps":[{"audience":{},"channel":"sms","colour":"red"}]})", "steps[0].colour", 422},
                   Case{R"({"steps":[{"audience":{},"channel":"sms"},{"audience":{},"channel":"sms"}]})", "steps[0].wait", 422},
                   Case{R"({"steps":[{"audience":{},"channel":"sms","until":{"going":0}}]})", "steps[0].until.going", 422},
                   Case{R"({"steps":)", "", 400}}) {
    auto r = c.Put("/v1/networks/demo/policies/raid", bad.body);
    INFO(bad.body << " -> " << r.body);
    CHECK(r.status == bad.status);
    if (*bad.field) CHECK(r.ErrorField() == bad.field);
  }
  CHECK(c.Get("/v1/networks/demo/policies/raid").Json().as_object().at("steps").as_array()[0]
            .as_object().at("wait") == "2s");  // unchanged by the bad writes
  CHECK(c.Get("/v1/networks/demo/policies/party").status == 404);
}

TEST_CASE("escalation: nobody answers, the alert widens step by step", "[pg][escalation]") {
  Fixture f;
  f.SetUp();
  auto alert = f.Raise();
  CHECK(f.Contacted(alert, f.area_member));
  CHECK_FALSE(f.Contacted(alert, f.neighbour));
  CHECK_FALSE(f.Contacted(alert, f.coordinator));
  auto started = std::chrono::steady_clock::now();
  Eventually([&] { return f.Contacted(alert, f.neighbour); }, "step 2: neighbours");
  CHECK(std::chrono::steady_clock::now() - started >= 1500ms);  // not before its wait
  CHECK_FALSE(f.Contacted(alert, f.coordinator));
  Eventually([&] { return f.Contacted(alert, f.coordinator); }, "step 3: coordinators");
  CHECK(f.EscalationState(alert) == "exhausted:2");
  auto a = f.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert)).Json().as_object();
  CHECK(a.at("recipients") == 4);
  CHECK(f.db.Scalar("SELECT count(*) FROM escalation_timers WHERE state = 'fired'") == "2");
}

TEST_CASE("escalation: enough going stops it and stands the others down", "[pg][escalation]") {
  Fixture f;
  f.SetUp();
  auto alert = f.Raise();
  Eventually([&] {
    return f.db.Scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered' AND alert_id = " +
                       std::to_string(alert)) == "2";
  }, "both area members reached");
  f.Reply("+447700900401", "1");
  Eventually([&] { return f.EscalationState(alert) == "goal_met:0"; }, "goal met");
  // The member who did not answer is stood down; the one going is not.
  Eventually([&] {
    return f.db.Scalar("SELECT count(*) FROM deliveries d JOIN alert_messages m ON m.alert_id = d.alert_id"
                       " AND m.seq = d.seq AND m.language = d.language WHERE m.kind = 'stand_down'"
                       " AND d.member_id = " + std::to_string(f.area_member2)) == "1";
  }, "stand-down");
  CHECK(f.db.Scalar("SELECT count(*) FROM deliveries WHERE seq > 0 AND member_id = " +
                    std::to_string(f.area_member)) == "0");
  std::this_thread::sleep_for(2500ms);
  CHECK_FALSE(f.Contacted(alert, f.neighbour));  // escalation stopped
  CHECK(f.server->Log().find("enough people are on the way") != std::string::npos);
}

TEST_CASE("escalation: resolve stops every deadline at once", "[pg][escalation]") {
  Fixture f;
  f.SetUp();
  auto alert = f.Raise();
  REQUIRE(f.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/resolve", "{}").status == 200);
  CHECK(f.EscalationState(alert) == "stopped:0");
  CHECK(f.db.Scalar("SELECT count(*) FROM escalation_timers WHERE state = 'pending'") == "0");
  std::this_thread::sleep_for(2500ms);
  CHECK_FALSE(f.Contacted(alert, f.neighbour));
}

TEST_CASE("escalation: deadlines survive a restart and fire once", "[pg][escalation][durability]") {
  Fixture f;
  f.SetUp();
  auto alert = f.Raise();
  CHECK(f.server->Stop(SIGTERM) == 0);
  std::this_thread::sleep_for(2500ms);  // the step deadline passes while the server is down
  CHECK_FALSE(f.Contacted(alert, f.neighbour));
  f.server->Start();
  Eventually([&] { return f.Contacted(alert, f.neighbour); }, "the overdue step fires after restart");
  CHECK(f.server->Log().find("pending deadlines rebuilt") != std::string::npos);
  Eventually([&] { return f.Contacted(alert, f.coordinator); }, "and the next one on schedule");
  CHECK(f.db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0 AND member_id = " +
                    std::to_string(f.neighbour)) == "1");
  CHECK(f.db.Scalar("SELECT count(*) FROM escalation_timers WHERE state = 'fired'") == "2");
}

TEST_CASE("escalation: a member who does not answer gets one reminder", "[pg][escalation]") {
  Fixture f;
  f.SetUp();
  REQUIRE(f.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
      {"audience":{"roles":["responder"],"areas":"alert"},"channel":"sms"}],
      "reminder":{"after":"2s"}})").status == 200);
  auto alert = f.Raise();
  Eventually([&] {
    return f.db.Scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered' AND alert_id = " +
                       std::to_string(alert)) == "2";
  }, "both area members reached");
  f.Reply("+447700900401", "1");  // the first answers; the second stays silent
  auto reminders = [&](std::int64_t member) {
    return f.db.Scalar("SELECT count(*) FROM deliveries d JOIN alert_messages m ON m.alert_id = d.alert_id"
                       " AND m.seq = d.seq AND m.language = d.language WHERE m.kind = 'reminder'"
                       " AND d.member_id = " + std::to_string(member));
  };
  Eventually([&] { return reminders(f.area_member2) == "1"; }, "the silent member's reminder");
  CHECK(reminders(f.area_member) == "0");
  std::this_thread::sleep_for(3s);
  CHECK(reminders(f.area_member2) == "1");  // once
  CHECK(f.server->Log().find("Reminder") != std::string::npos);
}
