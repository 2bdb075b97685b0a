// Alerts end to end with the sandbox provider: targeting, language, segments, the dispatcher
// delivering, status callbacks (signed, unsigned, out of order), resolve and cancel.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "dispatch/channels/twilio_signature.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin::test;

namespace {

constexpr const char* kAuthToken = "test_auth_token_0123456789";
const std::string kTwilioToml = std::string("[twilio]\nauth_token = \"") + kAuthToken + "\"\n";

std::int64_t AddMember(const HttpClient& c, const std::string& body) {
  auto r = c.Post("/v1/networks/demo/members", body);
  INFO(body << " -> " << r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("id").as_int64();
}

boost::json::object GetAlert(const HttpClient& c, std::int64_t id) {
  auto r = c.Get("/v1/networks/demo/alerts/" + std::to_string(id));
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.Json().as_object();
}

std::map<std::int64_t, boost::json::object> DeliveriesByMember(const HttpClient& c, std::int64_t alert) {
  auto r = c.Get("/v1/networks/demo/alerts/" + std::to_string(alert) + "/deliveries?limit=1000");
  REQUIRE(r.status == 200);
  std::map<std::int64_t, boost::json::object> out;
  auto body = r.Json();
  for (auto& d : body.as_object().at("deliveries").as_array()) {
    if (d.as_object().at("seq") == 0) out[d.as_object().at("member_id").as_int64()] = d.as_object();
  }
  return out;
}

}  // namespace

TEST_CASE("alerts: the audience, languages and segments", "[pg][alerts]") {
  TestDatabase db;
  TocsindProcess server(db, "[twilio]\ndefault_segments_per_second = 100\n");
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  REQUIRE(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
  auto en = AddMember(c, R"({"phone":"+447700900401","language":"en","areas":["SE15"]})");
  auto ar = AddMember(c, R"({"phone":"+447700900402","language":"ar","areas":["SE15"]})");
  auto de = AddMember(c, R"({"phone":"+447700900403","language":"de","areas":["SE15"]})");  // no template
  auto neighbour = AddMember(c, R"({"phone":"+447700900404","areas":["SE22"]})");
  auto far = AddMember(c, R"({"phone":"+447700900405","areas":["E1"]})");
  auto paused = AddMember(c, R"({"phone":"+447700900406","areas":["SE15"],"status":"paused"})");
  auto out = AddMember(c, R"({"phone":"+447700900407","areas":["SE15"],"status":"opted_out"})");
  auto verifier = AddMember(c, R"({"phone":"+447700900408","areas":["SE15"],"roles":["verifier"]})");
  auto voice = AddMember(c, R"({"phone":"+447700900409","areas":["SE15"],"channels":["voice"]})");  // called

  auto r = c.Post("/v1/networks/demo/alerts",
                  R"({"kind":"raid","areas":["SE15"],"location":"Peckham Rye estate","details":"3 vans"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto created = r.Json().as_object();
  auto id = created.at("id").as_int64();
  CHECK(created.at("recipients") == 4);
  auto code = std::string(created.at("code").as_string());
  CHECK(code.size() == 4);
  CHECK(code.find_first_of("01OILZS58BG") == std::string::npos);

  auto deliveries = DeliveriesByMember(c, id);
  CHECK(deliveries.size() == 4);
  CHECK(deliveries.count(voice));
  CHECK(db.Scalar("SELECT channel FROM deliveries WHERE member_id = " + std::to_string(voice)) == "voice");
  CHECK(db.Scalar("SELECT channel FROM deliveries WHERE member_id = " + std::to_string(en)) == "sms");
  CHECK(deliveries.count(en));
  CHECK(deliveries.count(ar));
  CHECK(deliveries.count(de));
  for (auto excluded : {neighbour, far, paused, out, verifier}) CHECK_FALSE(deliveries.count(excluded));
  CHECK(deliveries[ar].at("language") == "ar");
  CHECK(deliveries[de].at("language") == "en");  // falls back to the network's default
  // Arabic is UCS-2: more segments than the same alert in English.
  CHECK(deliveries[ar].at("segments").as_int64() > deliveries[en].at("segments").as_int64());

  Eventually([&] { return GetAlert(c, id).at("counts").as_object().at("delivered") == 4; },
             "four deliveries (one a sandbox call)");
  auto log = server.Log();
  CHECK(log.find("Peckham Rye estate") != std::string::npos);
  CHECK(log.find(code) != std::string::npos);
  CHECK(log.find("Reply 1") != std::string::npos);
  CHECK(log.find("7700900401") == std::string::npos);  // numbers are redacted in the log

  SECTION("neighbours and roles widen the audience") {
    auto wide = c.Post("/v1/networks/demo/alerts",
                       R"({"kind":"detention","areas":["SE15"],"location":"Becket House",
                           "audience":{"roles":["responder","verifier"],"include_neighbours":true}})");
    INFO(wide.body);
    REQUIRE(wide.status == 201);
    CHECK(wide.Json().as_object().at("recipients") == 6);
  }
  SECTION("an update reaches those already reached") {
    auto u = c.Post("/v1/networks/demo/alerts/" + std::to_string(id) + "/updates",
                    R"({"message":"Vans moved to Rye Lane"})");
    INFO(u.body);
    CHECK(u.status == 202);
    CHECK(u.Json().as_object().at("recipients") == 4);  // the one called too (by SMS)
    Eventually([&] { return server.Log().find("Vans moved to Rye Lane") != std::string::npos; }, "update");
  }
  SECTION("bad alerts get their error and change nothing") {
    struct Case { const char* body; const char* field; };
    for (auto bad : {Case{R"({"kind":"party","areas":["SE15"],"location":"x"})", "kind"},
                     Case{R"({"kind":"raid","areas":[],"location":"x"})", "areas"},
                     Case{R"({"kind":"raid","areas":["SE15"]})", "location"},
                     Case{R"({"kind":"removal","areas":["SE15"],"location":"x"})", "deadline"},
                     Case{R"({"kind":"removal","areas":["SE15"],"location":"x","deadline":"tomorrow"})", "deadline"},
                     Case{R"({"kind":"removal","areas":["SE15"],"location":"x","deadline":"2001-01-01T00:00:00Z"})", "deadline"},
                     Case{R"({"kind":"raid","areas":["SE15"],"location":"x","audience":{"roles":["king"]}})", "audience.roles"},
                     Case{R"({"kind":"raid","areas":["SE15"],"location":"x","audience":{"everyone":true}})", "audience.everyone"}}) {
      auto e = c.Post("/v1/networks/demo/alerts", bad.body);
      INFO(bad.body << " -> " << e.body);
      CHECK(e.status == 422);
      CHECK(e.ErrorField() == bad.field);
    }
    CHECK(db.Scalar("SELECT count(*) FROM alerts") == "1");
    auto ok = c.Post("/v1/networks/demo/alerts",
                     R"({"kind":"removal","areas":["SE15"],"location":"Flight to X","deadline":"2099-01-01T06:40:00Z"})");
    CHECK(ok.status == 201);
  }
  SECTION("another network's token sees nothing of it") {
    auto other = server.Client(CreateNetworkWithToken(server, "other", "coordinator", "+447700900002"));
    CHECK(other.Get("/v1/networks/demo/alerts/" + std::to_string(id)).status == 404);
    CHECK(other.Get("/v1/networks/other/alerts/" + std::to_string(id)).status == 404);
    CHECK(other.Post("/v1/networks/other/alerts/" + std::to_string(id) + "/resolve", "{}").status == 404);
  }
}

TEST_CASE("alerts: status callbacks are signed and only move forward", "[pg][alerts][twilio]") {
  TestDatabase db;
  TocsindProcess server(db, kTwilioToml);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  AddMember(c, R"({"phone":"+447700900401","areas":["SE15"]})");
  auto r = c.Post("/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"X"})");
  REQUIRE(r.status == 201);
  auto id = r.Json().as_object().at("id").as_int64();
  Eventually([&] { return GetAlert(c, id).at("counts").as_object().at("delivered") == 1; }, "delivery");
  // Pretend the provider had only accepted it, then replay callbacks.
  db.Scalar("UPDATE deliveries SET state = 'sent', provider_id = 'SM0123' WHERE alert_id = " + std::to_string(id));

  auto post = [&](const tocsin::FormParams& params, bool sign) {
    auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/twilio/status";
    std::map<std::string, std::string> headers{{"Content-Type", "application/x-www-form-urlencoded"}};
    if (sign) headers["X-Twilio-Signature"] = tocsin::TwilioSignature(kAuthToken, url, params);
    return c.Send("POST", "/twilio/status", tocsin::FormUrlEncode(params), headers);
  };
  auto state = [&] { return db.Scalar("SELECT state FROM deliveries WHERE provider_id = 'SM0123'"); };
  tocsin::FormParams delivered = {{"MessageSid", "SM0123"}, {"MessageStatus", "delivered"},
                                  {"AccountSid", "AC00000000000000000000000000000000"}};
  CHECK(post(delivered, false).status == 403);
  auto forged = delivered;
  CHECK(c.Send("POST", "/twilio/status", tocsin::FormUrlEncode(forged),
               {{"X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl"}}).status == 403);
  CHECK(state() == "sent");  // nothing changed

  CHECK(post(delivered, true).status == 204);
  CHECK(state() == "delivered");
  CHECK(post({{"MessageSid", "SM0123"}, {"MessageStatus", "sent"}}, true).status == 204);
  CHECK(state() == "delivered");  // a late 'sent' does not move it back
  CHECK(post(delivered, true).status == 204);  // a repeat changes nothing
  CHECK(state() == "delivered");
}

TEST_CASE("alerts: resolve stops what is still queued and tells those reached", "[pg][alerts]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto admin = server.Admin();
  // One slow number: the first message goes at once, the rest wait in the queue.
  REQUIRE(admin.Post("/v1/networks", R"({"name":"Demo","slug":"demo",
      "numbers":[{"number":"+447700900001","segments_per_second":0.05}]})").status == 201);
  auto t = admin.Post("/v1/networks/demo/tokens", R"({"role":"coordinator"})");
  auto c = server.Client(std::string(t.Json().as_object().at("token").as_string()));
  for (int i = 0; i < 5; ++i) AddMember(c, R"({"phone":"+44770090050)" + std::to_string(i) + R"(","areas":["SE15"]})");
  auto r = c.Post("/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"X"})");
  REQUIRE(r.status == 201);
  auto id = r.Json().as_object().at("id").as_int64();
  Eventually([&] { return GetAlert(c, id).at("counts").as_object().at("delivered") == 1; }, "first delivery");

  auto end = c.Post("/v1/networks/demo/alerts/" + std::to_string(id) + "/resolve",
                    R"({"message":"Officers have left"})");
  INFO(end.body);
  REQUIRE(end.status == 200);
  auto a = end.Json().as_object();
  CHECK(a.at("status") == "resolved");
  // Queued or claimed-but-unsent: none of the other four is ever sent.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(db.Scalar("SELECT count(*) FROM deliveries WHERE alert_id = " + std::to_string(id) +
                  " AND seq = 0 AND state IN ('sent', 'delivered')") == "1");
  CHECK(db.Scalar("SELECT count(*) FROM deliveries WHERE alert_id = " + std::to_string(id) +
                  " AND seq = 0 AND state = 'cancelled'") != "0");
  CHECK(c.Post("/v1/networks/demo/alerts/" + std::to_string(id) + "/cancel", "{}").status == 409);
  auto open = c.Get("/v1/networks/demo/alerts?status=open").Json();
  CHECK(open.as_object().at("alerts").as_array().empty());
  // The closing message is queued for the one member reached.
  CHECK(db.Scalar("SELECT count(*) FROM deliveries WHERE alert_id = " + std::to_string(id) + " AND seq > 0") == "1");
}
