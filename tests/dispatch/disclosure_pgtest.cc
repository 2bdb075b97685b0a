// Tiered disclosure through the real binary and the fake Twilio, which records every message it
// is sent: with a raid tiered, no text to a member who has not answered going carries the
// location or the details (alert, reminder, wider steps, coordinators, updates, in every
// language); the going confirmation does. A kind left full is unchanged.
#include <catch2/catch.hpp>

#include <set>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"
#include "tests/support/signed_sms.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kNumber = "+447700900001";
constexpr const char* kAuthToken = "fake-auth-token";
constexpr const char* kPlace = "Rye Lane by the bus garage";
constexpr const char* kDetails = "three vans outside Peckham Library";

FakeTwilioConfig FakeConfig() {
  FakeTwilioConfig cfg;
  cfg.numbers = {kNumber};
  return cfg;
}

std::string Toml(const FakeTwilio& fake) {
  return std::string("[testing]\nmanual_clock = true\n[sms]\nprovider = \"twilio\"\n[twilio]\n"
                     "account_sid = \"AC00000000000000000000000000000000\"\nauth_token = \"") +
         kAuthToken + "\"\napi_base = \"" + fake.BaseUrl() + "\"\ndefault_segments_per_second = 100\n";
}

// A member's SMS as Twilio would post it (signed); the TwiML answer.
std::string Reply(const TocsindProcess& server, const std::string& from, const std::string& body, int n) {
  auto r = PostSignedSms(server, kAuthToken, {"SMreply" + std::to_string(n), from, kNumber, body});
  REQUIRE(r.status == 200);
  return r.body;
}

// A client with a token of role admin in network demo (it may PATCH the network).
HttpClient NetworkAdmin(const TocsindProcess& server) {
  auto t = server.Admin().Post("/v1/networks/demo/tokens", R"({"role":"admin"})");
  REQUIRE(t.status == 201);
  return server.Client(std::string(t.Json().as_object().at("token").as_string()));
}

bool Reveals(const std::string& text) {
  return text.find("Rye Lane") != std::string::npos || text.find("Peckham Library") != std::string::npos;
}

}  // namespace

TEST_CASE("disclosure: the setting is the network admin's, shown by GET, checked", "[pg][disclosure]") {
  FakeTwilio fake(FakeConfig());
  TestDatabase db;
  TocsindProcess server(db, Toml(fake));
  server.Start();
  auto coordinator = server.Client(CreateNetworkWithToken(server, "demo", "coordinator", kNumber));
  auto admin = NetworkAdmin(server);

  auto shown = coordinator.Get("/v1/networks/demo").Json().as_object().at("disclosure").as_object();
  CHECK(shown.at("default") == "full");
  CHECK(shown.at("kinds").as_object().empty());
  CHECK(coordinator.Patch("/v1/networks/demo", R"({"disclosure":"tiered"})").status == 403);
  const std::pair<const char*, const char*> bad[] = {
      {R"({"disclosure":{"default":"partial"}})", "disclosure.default"},
      {R"({"disclosure":{"kinds":{"flood":"tiered"}}})", "disclosure.kinds.flood"},
      {R"({"disclosure":{"kinds":{"raid":"secret"}}})", "disclosure.kinds.raid"},
      {R"({"disclosure":{"kinds":["raid"]}})", "disclosure.kinds"},
      {R"({"disclosure":{"level":"tiered"}})", "disclosure.level"},
      {R"({"disclosure":5})", "disclosure"}};
  for (const auto& [body, field] : bad) {
    auto r = admin.Patch("/v1/networks/demo", body);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 422);
    CHECK(r.ErrorField() == field);
  }
  CHECK(db.Scalar("SELECT disclosure_default || disclosure_kinds::text FROM networks") == "full{}");

  auto set = admin.Patch("/v1/networks/demo", R"({"disclosure":{"kinds":{"raid":"tiered"}}})");
  INFO(set.body);
  REQUIRE(set.status == 200);
  auto d = set.Json().as_object().at("disclosure").as_object();
  CHECK(d.at("default") == "full");
  CHECK(d.at("kinds").as_object().at("raid") == "tiered");
  auto all = admin.Patch("/v1/networks/demo", R"({"disclosure":"tiered"})");
  REQUIRE(all.status == 200);
  CHECK(all.Json().as_object().at("disclosure").as_object().at("default") == "tiered");
  CHECK(all.Json().as_object().at("disclosure").as_object().at("kinds").as_object().empty());
}

TEST_CASE("disclosure: tiered, the place reaches only those going; full is unchanged", "[pg][disclosure]") {
  FakeTwilio fake(FakeConfig());
  fake.SetAutoCallbacks(true);  // sent, then delivered: reminders go to those reached
  TestDatabase db;
  TocsindProcess server(db, Toml(fake));
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo", "coordinator", kNumber));
  auto admin = NetworkAdmin(server);
  REQUIRE(admin.Patch("/v1/networks/demo", R"({"disclosure":{"kinds":{"raid":"tiered"}}})").status == 200);
  REQUIRE(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
  const std::vector<std::pair<std::string, std::string>> members = {
      {"+447700900501", R"("language":"en","areas":["SE15"])"},  // answers going
      {"+447700900502", R"("language":"fa","areas":["SE15"])"},  // never answers: reminded
      {"+447700900503", R"("language":"ar","areas":["SE22"])"},  // the wider step, reminded too
      {"+447700900504", R"("language":"fr","areas":["E1"],"roles":["coordinator"])"}};  // last step
  for (const auto& [phone, rest] : members) {
    auto r = c.Post("/v1/networks/demo/members", R"({"phone":")" + phone + R"(",)" + rest + "}");
    INFO(r.body);
    REQUIRE(r.status == 201);
  }

  auto raised = c.Post("/v1/networks/demo/alerts", std::string(R"({"kind":"raid","areas":["SE15"],"location":")") +
                                                       kPlace + R"(","details":")" + kDetails + R"("})");
  INFO(raised.body);
  REQUIRE(raised.status == 201);
  auto id = std::to_string(raised.Json().as_object().at("id").as_int64());
  auto code = std::string(raised.Json().as_object().at("code").as_string());
  auto count = [&](const std::string& where) {
    return db.Scalar("SELECT count(*) FROM deliveries WHERE alert_id = " + id + " AND " + where);
  };
  Eventually([&] { return count("seq = 0 AND state = 'delivered'") == "2"; }, "the alert delivered to SE15");

  auto confirmation = Reply(server, "+447700900501", "1", 1);
  CHECK(confirmation.find(kPlace) != std::string::npos);
  CHECK(confirmation.find(kDetails) != std::string::npos);
  CHECK(confirmation.find(code) != std::string::npos);

  auto advance = [&](const char* by) {
    REQUIRE(server.Admin().Post("/v1/admin/clock", std::string(R"({"advance":")") + by + R"("})").status == 200);
  };
  advance("2m");  // the reminder, to the one who has not answered
  advance("1m");  // step 2: the neighbouring area
  Eventually([&] { return count("seq = 0 AND state = 'delivered'") == "3"; }, "the wider step delivered");
  advance("5m");  // step 3: the coordinators (a minute more each try, should its deadline be late)
  Eventually(
      [&] {
        if (count("seq = 0") == "4") return true;  // queued: the step has fired
        advance("1m");
        return false;
      },
      "the coordinators' step");
  Eventually([&] { return count("seq = 0 AND state = 'delivered'") == "4"; }, "the coordinators' step delivered");
  REQUIRE(c.Post("/v1/networks/demo/alerts/" + id + "/updates", R"({"message":"Officers are leaving"})").status == 202);
  Eventually([&] { return count("state = 'delivered'") == count("true"); }, "everything queued delivered");

  auto sent = fake.Messages();
  std::set<std::string> kinds;
  for (const auto& m : sent) {
    INFO(m.to << ": " << m.body);
    CHECK_FALSE(Reveals(m.body));
    CHECK(m.body.find(code) != std::string::npos);
  }
  CHECK(sent.size() >= 10);  // 4 alerts, 2 reminders, 4 updates
  CHECK(db.Scalar("SELECT count(*) FROM deliveries d JOIN alert_messages m ON m.alert_id = d.alert_id"
                  " AND m.seq = d.seq AND m.language = d.language WHERE m.kind = 'reminder' AND d.alert_id = " +
                  id) == "2");  // the silent one of SE15, then the neighbour
  bool areas_named = false;
  for (const auto& m : sent) areas_named = areas_named || m.body.find("SE15") != std::string::npos;
  CHECK(areas_named);

  // Full disclosure for another kind: the place is in the alert itself.
  fake.Reset();
  auto detention = c.Post("/v1/networks/demo/alerts", std::string(R"({"kind":"detention","areas":["SE15"],"location":")") +
                                                          kPlace + R"("})");
  REQUIRE(detention.status == 201);
  Eventually([&] { return fake.Messages().size() == 2; }, "the detention alert sent");
  for (const auto& m : fake.Messages()) CHECK(m.body.find(kPlace) != std::string::npos);
}
