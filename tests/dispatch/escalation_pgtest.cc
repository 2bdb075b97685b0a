// Escalation through the real binary: policies API, steps on schedule, goals, stand-down,
// resolve stopping deadlines, and deadlines surviving a restart. The server runs on a manual
// clock: each test moves time itself (AlertNetwork::Advance), nothing sleeps for a deadline.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <vector>

#include "dispatch/channels/twilio_signature.h"
#include "tests/support/eventually.h"
#include "tests/support/alert_network.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

// Step 1: responders in the alert's area; after 2 s without one going, step 2: neighbours'
// responders; after 2 s more, step 3: coordinators.
constexpr const char* kFastPolicy = R"({"steps":[
  {"audience":{"roles":["responder"],"areas":"alert"},"channel":"sms","wait":"2s","until":{"going":1}},
  {"audience":{"roles":["responder"],"areas":"neighbours"},"channel":"sms","wait":"2s","until":{"going":1}},
  {"audience":{"roles":["coordinator"]},"channel":"sms"}],
  "stand_down": true})";

struct Fixture : AlertNetwork {
  std::int64_t area_member = 0, area_member2 = 0, neighbour = 0, coordinator = 0;

  void SetUp() {
    REQUIRE(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
    area_member = AddMember(R"({"phone":"+447700900401","areas":["SE15"]})");
    area_member2 = AddMember(R"({"phone":"+447700900402","areas":["SE15"]})");
    neighbour = AddMember(R"({"phone":"+447700900403","areas":["SE22"]})");
    coordinator = AddMember(R"({"phone":"+447700900404","areas":["E1"],"roles":["coordinator"]})");
    auto put = c.Put("/v1/networks/demo/policies/raid", kFastPolicy);
    INFO(put.body);
    REQUIRE(put.status == 200);
  }
  // The raid policy: one step to the area's responders, with `extra` (reminder, backup keys).
  void UseOneStepPolicy(const std::string& extra) {
    REQUIRE(c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
        {"audience":{"roles":["responder"],"areas":"alert"},"channel":"sms"}], )" + extra + "}").status == 200);
  }
  // Both members in the alert's area have the alert message delivered (the sandbox says so).
  void WaitBothReached(std::int64_t alert) {
    Eventually([&] {
      return db.Scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered' AND alert_id = " +
                       std::to_string(alert)) == "2";
    }, "both area members reached");
  }
  std::string EscalationState(std::int64_t alert) {
    return db.Scalar("SELECT state || ':' || step FROM escalations WHERE alert_id = " + std::to_string(alert));
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
  f.Advance("1s");
  CHECK_FALSE(f.Contacted(alert, f.neighbour));  // not before its wait
  f.Advance("1s");
  CHECK(f.Contacted(alert, f.neighbour));  // step 2: neighbours
  CHECK_FALSE(f.Contacted(alert, f.coordinator));
  f.Advance("2s");
  CHECK(f.Contacted(alert, f.coordinator));  // step 3: coordinators
  CHECK(f.EscalationState(alert) == "exhausted:2");
  auto a = f.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert)).Json().as_object();
  CHECK(a.at("recipients") == 4);
  CHECK(f.db.Scalar("SELECT count(*) FROM escalation_timers WHERE state = 'fired'") == "2");
}

// The alert's timeline as "what:n" (with `n`) or "what", checking each time is ISO with ms.
static std::vector<std::string> Timeline(Fixture& f, std::int64_t alert, bool with_n) {
  auto r = f.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert) + "/timeline");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.body.find("Vans") == std::string::npos);  // kinds, times and counts only, no text
  std::vector<std::string> seen;
  const auto body = r.Json();  // kept alive: the loop below walks into it
  for (const auto& e : body.as_object().at("timeline").as_array()) {
    const auto& o = e.as_object();
    CHECK(o.at("at").as_string().size() == 24);  // 2026-12-02T00:10:00.000Z
    seen.push_back(std::string(o.at("what").as_string()) +
                   (with_n ? ":" + std::to_string(o.at("n").as_int64()) : ""));
  }
  return seen;
}

TEST_CASE("timeline: an alert's steps, messages and end read back after the fact", "[pg][escalation][timeline]") {
  Fixture f;
  f.SetUp();
  auto alert = f.Raise();
  auto path = "/v1/networks/demo/alerts/" + std::to_string(alert);
  f.WaitBothReached(alert);
  f.Advance("2s");  // step 1: neighbours
  f.Advance("2s");  // step 2: coordinators
  // An update goes to whoever the alert has reached: wait until all four have it delivered (a
  // delivery only queued when the update is posted would not get the update).
  Eventually([&] {
    return f.db.Scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered' AND alert_id = " +
                       std::to_string(alert)) == "4";
  }, "steps 1 and 2 reached the neighbour and the coordinator");
  REQUIRE(f.c.Post(path + "/updates", R"({"message":"Vans gone"})").status == 202);
  Eventually([&] {  // the update is queued after its 202: resolve only once all 4 have it
    return f.db.Scalar("SELECT count(DISTINCT d.member_id) FROM deliveries d JOIN alert_messages m"
                       " ON m.alert_id = d.alert_id AND m.seq = d.seq WHERE m.kind = 'update'"
                       " AND d.alert_id = " + std::to_string(alert)) == "4";
  }, "the update queued to all four");
  REQUIRE(f.c.Post(path + "/resolve", "{}").status == 200);
  // Sorted: on the manual clock, deadlines' times are the engine's, the update's the database's.
  auto seen = Timeline(f, alert, true);
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"raised:0", "resolved:0", "step:1", "step:2", "update:4"});
  CHECK(f.c.Get("/v1/networks/demo/alerts/999999/timeline").status == 404);
}

TEST_CASE("timeline: a goal met and the stand-down are in it", "[pg][escalation][timeline]") {
  Fixture f;
  f.SetUp();
  auto alert = f.Raise();
  f.WaitBothReached(alert);
  f.Reply("+447700900401", "1");
  Eventually([&] { return f.Messages(alert, f.area_member2, "stand_down") == 1; }, "stand-down");
  auto seen = Timeline(f, alert, false);
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"goal_met", "raised", "stand_down"});
}

TEST_CASE("escalation: enough going stops it and stands the others down", "[pg][escalation]") {
  Fixture f;
  f.SetUp();
  auto alert = f.Raise();
  f.WaitBothReached(alert);
  f.Reply("+447700900401", "1");
  Eventually([&] { return f.EscalationState(alert) == "goal_met:0"; }, "goal met");
  // The member who did not answer is stood down; the one going is not.
  Eventually([&] {
    return f.Messages(alert, f.area_member2, "stand_down") == 1;
  }, "stand-down");
  CHECK(f.db.Scalar("SELECT count(*) FROM deliveries WHERE seq > 0 AND member_id = " +
                    std::to_string(f.area_member)) == "0");
  f.Advance("10s");
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
  f.Advance("10s");
  CHECK_FALSE(f.Contacted(alert, f.neighbour));
}

TEST_CASE("escalation: deadlines survive a restart and fire once", "[pg][escalation][durability]") {
  Fixture f;
  f.SetUp();
  auto alert = f.Raise();
  CHECK(f.server->Stop(SIGTERM) == 0);
  CHECK_FALSE(f.Contacted(alert, f.neighbour));
  // The restarted server's clock starts where the wall clock is; the step deadline passes.
  f.server->Start();
  f.Advance("3s");
  CHECK(f.Contacted(alert, f.neighbour));  // the overdue step fired after the restart
  CHECK(f.server->Log().find("pending deadlines rebuilt") != std::string::npos);
  f.Advance("2s");
  CHECK(f.Contacted(alert, f.coordinator));  // and the next one on schedule
  CHECK(f.db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0 AND member_id = " +
                    std::to_string(f.neighbour)) == "1");
  CHECK(f.db.Scalar("SELECT count(*) FROM escalation_timers WHERE state = 'fired'") == "2");
}

TEST_CASE("escalation: a member who does not answer gets one reminder", "[pg][escalation]") {
  Fixture f;
  f.SetUp();
  f.UseOneStepPolicy(R"("reminder":{"after":"2s"})");
  auto alert = f.Raise();
  f.WaitBothReached(alert);
  f.Reply("+447700900401", "1");  // the first answers; the second stays silent
  f.Advance("1s");
  CHECK(f.Messages(alert, f.area_member2, "reminder") == 0);  // not before reminder.after
  f.Advance("1s");
  CHECK(f.Messages(alert, f.area_member2, "reminder") == 1);  // the silent member's reminder
  CHECK(f.Messages(alert, f.area_member, "reminder") == 0);
  f.Advance("10s");
  CHECK(f.Messages(alert, f.area_member2, "reminder") == 1);  // once
  // Reminders do not spin: the deadline is not re-armed for those who answered or were reminded.
  CHECK(f.db.Scalar("SELECT count(*) FROM escalation_timers WHERE kind = 'reminder' AND alert_id = " +
                    std::to_string(alert)) == "1");
  CHECK(f.server->Log().find("Reminder") != std::string::npos);
}

TEST_CASE("escalation: a silent member's backup is sent the alert, an answering one's is not",
          "[pg][escalation]") {
  Fixture f;
  f.SetUp();
  auto set_backup = [&](std::int64_t member, std::int64_t backup) {
    auto r = f.c.Patch("/v1/networks/demo/members/" + std::to_string(member),
                       R"({"backup":)" + std::to_string(backup) + "}");
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(r.Json().as_object().at("backup") == backup);
  };
  set_backup(f.area_member, f.coordinator);
  set_backup(f.area_member2, f.neighbour);
  // A backup must be another member of this network.
  CHECK(f.c.Patch("/v1/networks/demo/members/" + std::to_string(f.area_member), R"({"backup":999999})").status == 422);
  CHECK(f.c.Patch("/v1/networks/demo/members/" + std::to_string(f.area_member),
                  R"({"backup":)" + std::to_string(f.area_member) + "}").status == 422);
  f.UseOneStepPolicy(R"("reminder":{"after":"1s"}, "backup":{"after":"2s"})");
  auto alert = f.Raise();
  f.Reply("+447700900402", "2");  // area_member2 answers (can't go): their backup is not needed
  f.WaitBothReached(alert);
  f.Advance("1s");
  CHECK(f.Messages(alert, f.area_member, "reminder") == 1);  // reminded first
  CHECK_FALSE(f.Contacted(alert, f.coordinator));
  f.Advance("1s");
  CHECK(f.Contacted(alert, f.coordinator));  // the silent member's backup
  f.Advance("10s");
  CHECK_FALSE(f.Contacted(alert, f.neighbour));
  // Clearing the backup.
  auto r = f.c.Patch("/v1/networks/demo/members/" + std::to_string(f.area_member), R"({"backup":null})");
  CHECK(r.Json().as_object().at("backup").is_null());
}

TEST_CASE("escalation: the default raid policy widens to neighbours after its 3 minutes",
          "[pg][escalation]") {
  AlertNetwork f;
  REQUIRE(f.c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
  auto area = f.AddMember(R"({"phone":"+447700900401","areas":["SE15"]})");
  auto neighbour = f.AddMember(R"({"phone":"+447700900403","areas":["SE22"]})");
  CHECK(f.c.Get("/v1/networks/demo/policies/raid").Json().as_object().at("default") == true);
  auto alert = f.Raise();
  CHECK(f.Contacted(alert, area));
  f.Advance("2m");
  CHECK_FALSE(f.Contacted(alert, neighbour));  // not before 3 minutes
  f.Advance("1m");
  CHECK(f.Contacted(alert, neighbour));  // the neighbours' responders
}

TEST_CASE("escalation: a member who texts STOP leaves no reminder deadline behind", "[pg][escalation]") {
  // Issue 9, defect 1: the reminder deadline re-armed every ~50 ms for an opted-out member.
  Fixture f;
  f.SetUp();
  f.UseOneStepPolicy(R"("reminder":{"after":"2s"})");
  auto alert = f.Raise();
  f.WaitBothReached(alert);
  f.Reply("+447700900401", "1");
  f.Reply("+447700900402", "STOP");
  auto timers = [&](const char* state) {
    return f.db.Scalar("SELECT count(*) FROM escalation_timers WHERE kind = 'reminder' AND state = '" +
                       std::string(state) + "' AND alert_id = " + std::to_string(alert));
  };
  f.Advance("2s");
  for (int i = 0; i < 5; ++i) f.Advance("1s");
  CHECK(timers("fired") == "1");  // the first deadline found nobody due and set no other
  CHECK(timers("pending") == "0");
  CHECK(f.Messages(alert, f.area_member2, "reminder") == 0);
}

TEST_CASE("engine: SIGTERM under load (sends, answers, deadlines) exits 0 and keeps every acknowledged answer",
          "[pg][escalation][durability]") {
  Fixture f;
  f.SetUp();
  REQUIRE(f.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
      {"audience":{"roles":["responder"],"areas":"alert"},"channel":"sms","wait":"1s"},
      {"audience":{"roles":["responder"],"areas":"neighbours"},"channel":"sms"}],
      "reminder":{"after":"1s"}})").status == 200);
  std::string csv = "phone,areas\n";
  for (int i = 0; i < 300; ++i) csv += "+4477009" + std::to_string(20000 + i) + ",SE15\n";
  REQUIRE(f.c.Post("/v1/networks/demo/members/import", csv, "text/csv").status == 200);
  for (int i = 0; i < 3; ++i) f.Raise();
  // Members answer from another thread while deadlines fire and the server is stopped; an
  // answer acknowledged (200) must be stored.
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::thread answering([&] {
    HttpClient client("http://127.0.0.1:" + std::to_string(f.server->port()));
    auto url = "http://127.0.0.1:" + std::to_string(f.server->port()) + "/twilio/sms";
    for (int i = 0; !stop; ++i) {
      FormParams p = {{"MessageSid", "SMload" + std::to_string(i)},
                      {"From", "+4477009" + std::to_string(20000 + i % 300)},
                      {"To", AlertNetwork::kNumber},
                      {"Body", i % 2 ? "1" : "2"}};
      auto r = client.Send("POST", "/twilio/sms", FormUrlEncode(p),
                           {{"Content-Type", "application/x-www-form-urlencoded"},
                            {"X-Twilio-Signature", TwilioSignature(AlertNetwork::kAuthToken, url, p)}});
      if (r.status == 200) ++acknowledged;
      if (r.status == 0) break;  // the server is gone
    }
  });
  f.Advance("1s");  // the next step and the reminders fire while answers arrive
  Eventually([&] { return acknowledged > 50; }, "answers flowing");
  CHECK(f.server->Stop(SIGTERM) == 0);
  stop = true;
  answering.join();
  CHECK(f.server->Log().find("engine drained") != std::string::npos);
  auto stored = std::stoi(f.db.Scalar("SELECT count(*) FROM responses WHERE provider_id LIKE 'SMload%'"));
  CHECK(stored >= acknowledged.load());
  CHECK(f.db.Scalar("SELECT count(*) FROM deliveries WHERE state = 'sending'") == "0");
}

TEST_CASE("alerts: the listing pages with a cursor, newest first (issue 9, defect 8)", "[pg][alerts]") {
  Fixture f;
  f.SetUp();
  std::vector<std::int64_t> raised;
  for (int i = 0; i < 5; ++i) raised.push_back(f.Raise());
  std::vector<std::int64_t> seen;
  std::string cursor;
  for (int page = 0; page < 5; ++page) {
    auto r = f.c.Get("/v1/networks/demo/alerts?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE(r.status == 200);
    auto o = r.Json().as_object();
    for (const auto& a : o.at("alerts").as_array()) seen.push_back(a.as_object().at("id").as_int64());
    if (o.at("next_cursor").is_null()) break;
    cursor = std::string(o.at("next_cursor").as_string());  // an opaque string
  }
  CHECK(seen == std::vector<std::int64_t>(raised.rbegin(), raised.rend()));
}

TEST_CASE("members: only the member's own START ends an opt-out (issue 9, defect 10)", "[pg][members]") {
  Fixture f;
  f.SetUp();
  auto path = "/v1/networks/demo/members/" + std::to_string(f.area_member);
  f.Reply("+447700900401", "STOP");
  auto r = f.c.Patch(path, R"({"status":"active"})");
  CHECK(r.status == 409);
  CHECK(r.ErrorField() == "status");
  CHECK(f.c.Get(path).Json().as_object().at("status") == "opted_out");
  CHECK(f.c.Patch(path, R"({"status":"paused"})").status == 409);
  f.Reply("+447700900401", "START");
  CHECK(f.c.Get(path).Json().as_object().at("status") == "active");
  CHECK(f.c.Patch(path, R"({"status":"paused"})").status == 200);  // a coordinator may pause
  CHECK(f.c.Patch(path, R"({"status":"active"})").status == 200);  // and resume
}
