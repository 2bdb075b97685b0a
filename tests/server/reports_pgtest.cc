// Reports from the street (issue 12) through the API: the network's report settings, the
// kind's verification in its policy, reports posted by coordinators and integrations, listed
// and read with their timeline; the reporter is never shown.
#include <catch2/catch.hpp>

#include "tests/support/http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/test_env.h"

using namespace tocsin::test;

namespace {

std::string TokenOf(HttpClient& admin, const std::string& role) {
  auto r = admin.Post("/v1/networks/demo/tokens", R"({"role":")" + role + R"("})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  return std::string(r.Json().as_object().at("token").as_string());
}

}  // namespace

TEST_CASE("reports: settings on the network, defaults and validation", "[pg][reports]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto admin = server.Client(CreateNetworkWithToken(server, "demo", "admin"));
  auto got = admin.Get("/v1/networks/demo");
  REQUIRE(got.status == 200);
  auto reports = got.Json().as_object().at("reports").as_object();
  CHECK(reports.at("from") == "reporters");
  CHECK(reports.at("public_check") == false);
  CHECK(reports.at("max_per_hour_per_number") == 3);
  CHECK(reports.at("merge_window") == "30m");

  // A PATCH changes the keys it names and keeps the others.
  auto patched = admin.Patch("/v1/networks/demo", R"({"reports":{"from":"anyone","merge_window":"1h"}})");
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  reports = admin.Get("/v1/networks/demo").Json().as_object().at("reports").as_object();
  CHECK(reports.at("from") == "anyone");
  CHECK(reports.at("merge_window") == "1h");
  CHECK(reports.at("max_per_hour_per_number") == 3);

  struct Bad { const char* body; const char* field; };
  for (auto bad : {Bad{R"({"reports":{"from":"everyone"}})", "reports.from"},
                   Bad{R"({"reports":{"from":3}})", "reports.from"},
                   Bad{R"({"reports":{"public_check":"yes"}})", "reports.public_check"},
                   Bad{R"({"reports":{"max_per_hour_per_number":0}})", "reports.max_per_hour_per_number"},
                   Bad{R"({"reports":{"max_per_hour_per_number":1001}})", "reports.max_per_hour_per_number"},
                   Bad{R"({"reports":{"merge_window":"forever"}})", "reports.merge_window"},
                   Bad{R"({"reports":{"merge_windows":"5m"}})", "reports.merge_windows"},
                   Bad{R"({"reports":[]})", "reports"}}) {
    auto r = admin.Patch("/v1/networks/demo", bad.body);
    INFO(bad.body << " -> " << r.body);
    CHECK(r.status == 422);
    CHECK(r.ErrorField() == bad.field);
  }
  // Nothing changed by the refusals; null restores the defaults.
  CHECK(admin.Get("/v1/networks/demo").Json().as_object().at("reports").as_object().at("from") == "anyone");
  REQUIRE(admin.Patch("/v1/networks/demo", R"({"reports":null})").status == 200);
  CHECK(admin.Get("/v1/networks/demo").Json().as_object().at("reports").as_object().at("from") == "reporters");

  // A coordinator may not change them.
  auto coordinator = server.Client(TokenOf(admin, "coordinator"));
  CHECK(coordinator.Patch("/v1/networks/demo", R"({"reports":{"public_check":true}})").status == 403);
}

TEST_CASE("reports: the verification of each kind's policy", "[pg][reports]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  auto raid = c.Get("/v1/networks/demo/policies/raid").Json().as_object().at("verification").as_object();
  CHECK(raid.at("required") == true);
  CHECK(raid.at("confirmations") == 1);
  CHECK(raid.at("wait") == "5m");
  CHECK(raid.at("on_timeout") == "coordinators");
  CHECK(c.Get("/v1/networks/demo/policies/detention").Json().as_object().at("verification").as_object().at(
            "required") == false);

  auto put = c.Put("/v1/networks/demo/policies/detention",
                   R"({"steps":[{"audience":{},"channel":"sms"}],"verification":{"wait":"2m","on_timeout":"send"}})");
  INFO(put.body);
  REQUIRE(put.status == 200);
  auto v = c.Get("/v1/networks/demo/policies/detention").Json().as_object().at("verification").as_object();
  CHECK(v.at("required") == true);
  CHECK(v.at("wait") == "2m");
  CHECK(v.at("on_timeout") == "send");
  auto bad = c.Put("/v1/networks/demo/policies/raid",
                   R"({"steps":[{"audience":{},"channel":"sms"}],"verification":{"on_timeout":"later"}})");
  CHECK(bad.status == 422);
  CHECK(bad.ErrorField() == "verification.on_timeout");
}

TEST_CASE("reports: posted by the API, listed and read with their timeline", "[pg][reports]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto admin = server.Client(CreateNetworkWithToken(server, "demo", "admin"));
  auto coordinator = server.Client(TokenOf(admin, "coordinator"));
  auto integration = server.Client(TokenOf(admin, "integration"));
  auto viewer = server.Client(TokenOf(admin, "viewer"));

  auto posted = coordinator.Post("/v1/networks/demo/reports",
                                 R"({"kind":"raid","areas":["SE15","se15"],"location":"Rye Lane","details":"3 vans"})");
  INFO(posted.body);
  REQUIRE(posted.status == 201);
  auto r = posted.Json().as_object();
  const auto id = r.at("id").as_int64();
  const std::string code(r.at("code").as_string());
  CHECK(code.size() == 4);
  CHECK(code[0] == 'R');
  CHECK(r.at("status") == "pending");
  CHECK(r.at("kind") == "raid");
  CHECK(r.at("location") == "Rye Lane");
  CHECK(r.at("details") == "3 vans");
  CHECK(r.at("source") == "api");
  CHECK(r.at("reporters") == 1);
  CHECK(r.at("alert_id").is_int64());  // a raid is verified first: its alert waits, verifying

  auto by_integration = integration.Post("/v1/networks/demo/reports",
                                         R"({"kind":"detention","areas":["E8"],"location":"Mare Street"})");
  REQUIRE(by_integration.status == 201);
  CHECK(viewer.Post("/v1/networks/demo/reports", R"({"areas":["E8"],"location":"x"})").status == 403);

  struct Bad { const char* body; const char* field; };
  for (auto bad : {Bad{R"({"kind":"party","areas":["E8"],"location":"x"})", "kind"},
                   Bad{R"({"areas":[],"location":"x"})", "areas"},
                   Bad{R"({"areas":["E8"]})", "location"},
                   Bad{R"({"areas":["E8"],"location":"x","reporter":"+447700900123"})", "reporter"}}) {
    auto res = coordinator.Post("/v1/networks/demo/reports", bad.body);
    INFO(bad.body << " -> " << res.body);
    CHECK(res.status == 422);
    CHECK(res.ErrorField() == bad.field);
  }

  auto list = viewer.Get("/v1/networks/demo/reports").Json().as_object().at("reports").as_array();
  REQUIRE(list.size() == 2);
  CHECK(list[0].as_object().at("kind") == "detention");  // newest first
  CHECK(viewer.Get("/v1/networks/demo/reports?status=pending").Json().as_object().at("reports").as_array().size() == 2);
  CHECK(viewer.Get("/v1/networks/demo/reports?status=confirmed").Json().as_object().at("reports").as_array().empty());
  auto bad_filter = viewer.Get("/v1/networks/demo/reports?status=open");
  CHECK(bad_filter.status == 422);
  CHECK(bad_filter.ErrorField() == "status");

  auto one = viewer.Get("/v1/networks/demo/reports/" + std::to_string(id)).Json().as_object();
  CHECK(one.at("code").as_string() == code);
  auto timeline = one.at("timeline").as_array();
  REQUIRE(timeline.size() == 2);
  CHECK(timeline[0].as_object().at("what") == "received");
  CHECK(timeline[1].as_object().at("what") == "asked");  // the verifiers of SE15: none here
  CHECK(timeline[1].as_object().at("count") == 0);
  CHECK(viewer.Get("/v1/networks/demo/reports/999999").status == 404);

  // Sealed at rest: the location is not in the table in clear.
  CHECK(db.Scalar("SELECT count(*) FROM reports WHERE position('Rye Lane' in encode(location_enc, 'escape')) > 0") == "0");
}

TEST_CASE("reports: a coordinator confirms (the alert is raised) or dismisses", "[pg][reports]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto admin = server.Client(CreateNetworkWithToken(server, "demo", "admin"));
  auto coordinator = server.Client(TokenOf(admin, "coordinator"));
  auto viewer = server.Client(TokenOf(admin, "viewer"));
  REQUIRE(coordinator.Post("/v1/networks/demo/members", R"({"phone":"+447700900601","areas":["SE15"]})").status == 201);
  auto post = [&](const char* body) {
    auto r = coordinator.Post("/v1/networks/demo/reports", body);
    REQUIRE(r.status == 201);
    return std::to_string(r.Json().as_object().at("id").as_int64());
  };
  auto first = post(R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  // Elsewhere: a raid in SE15 again would merge into the first.
  auto second = post(R"({"kind":"raid","areas":["E8"],"location":"Bellenden Road"})");

  CHECK(viewer.Post("/v1/networks/demo/reports/" + first + "/confirm", "").status == 403);
  auto confirmed = coordinator.Post("/v1/networks/demo/reports/" + first + "/confirm", "");
  INFO(confirmed.body);
  REQUIRE(confirmed.status == 200);
  auto c = confirmed.Json().as_object();
  CHECK(c.at("status") == "confirmed");
  const auto alert_id = c.at("alert_id").as_int64();
  CHECK(c.at("alert").as_object().at("recipients") == 1);
  auto alert = coordinator.Get("/v1/networks/demo/alerts/" + std::to_string(alert_id)).Json().as_object();
  CHECK(alert.at("location") == "Rye Lane");
  CHECK(alert.at("kind") == "raid");
  CHECK(db.Scalar("SELECT created_by FROM alerts WHERE id = " + std::to_string(alert_id)) == "report:" + first);
  auto timeline = coordinator.Get("/v1/networks/demo/reports/" + first).Json().as_object().at("timeline").as_array();
  REQUIRE(timeline.size() == 4);  // received, asked (its verifiers), confirmed, raised
  CHECK(timeline[2].as_object().at("what") == "confirmed");
  CHECK(timeline[3].as_object().at("what") == "raised");
  // Decided once: a second confirm or a dismiss is 409 and raises nothing more.
  auto again = coordinator.Post("/v1/networks/demo/reports/" + first + "/confirm", "");
  CHECK(again.status == 409);
  CHECK(coordinator.Post("/v1/networks/demo/reports/" + first + "/dismiss", "").status == 409);
  CHECK(db.Scalar("SELECT count(*) FROM alerts WHERE status = 'open'") == "1");

  auto dismissed = coordinator.Post("/v1/networks/demo/reports/" + second + "/dismiss", "");
  REQUIRE(dismissed.status == 200);
  CHECK(dismissed.Json().as_object().at("status") == "dismissed");
  // Its alert, held while verifiers were asked, ends cancelled: nobody was sent it.
  const auto held = dismissed.Json().as_object().at("alert_id").as_int64();
  CHECK(db.Scalar("SELECT status FROM alerts WHERE id = " + std::to_string(held)) == "cancelled");
  CHECK(db.Scalar("SELECT count(*) FROM alerts WHERE status = 'open'") == "1");
  CHECK(coordinator.Post("/v1/networks/demo/reports/999999/dismiss", "").status == 404);
  CHECK(coordinator.Get("/v1/networks/demo/reports?status=confirmed").Json().as_object().at("reports").as_array().size() == 1);
  CHECK(coordinator.Get("/v1/networks/demo/reports?status=dismissed").Json().as_object().at("reports").as_array().size() == 1);
}
