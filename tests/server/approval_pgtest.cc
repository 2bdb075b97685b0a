// Two people for the biggest alerts, through the real binary and the fake Twilio: a network's
// approval rule (PATCH /v1/networks/{slug}), a raise that crosses it held pending_approval with
// nothing sent but the coordinators' notice, and a second coordinator approving or rejecting.
#include <catch2/catch.hpp>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kLocation = "Rye Lane by the bus garage";

struct ApprovalNetwork {
  ApprovalNetwork() : fake(FakeConfig()), server(db, Toml(fake)) {
    server.Start();
    auto admin = server.Admin();
    REQUIRE(admin.Post("/v1/networks", R"({"name":"Demo","slug":"demo","numbers":["+447700900001"]})").status == 201);
    net_admin = Token(R"({"role":"admin","label":"ops"})");
    alice = Token(R"({"role":"coordinator","label":"alice"})");
    alice2 = Token(R"({"role":"coordinator","label":"alice"})");
    bo = Token(R"({"role":"coordinator","label":"bo"})");
    REQUIRE(C(alice).Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
    for (int i = 0; i < 3; ++i) {
      Member(R"({"phone":"+44770090050)" + std::to_string(i) + R"(","areas":["SE15"]})");
    }
    Member(R"({"phone":"+447700900600","areas":["SE22"]})");
    coordinator = Member(R"({"phone":"+447700900700","areas":["E1"],"roles":["coordinator"]})");
  }

  static FakeTwilioConfig FakeConfig() {
    FakeTwilioConfig cfg;
    cfg.numbers = {"+447700900001"};
    return cfg;
  }
  static std::string Toml(const FakeTwilio& fake) {
    return "[testing]\nmanual_clock = true\n[sms]\nprovider = \"twilio\"\n[twilio]\n"
           "account_sid = \"AC00000000000000000000000000000000\"\nauth_token = \"fake-auth-token\"\n"
           "api_base = \"" + fake.BaseUrl() + "\"\n";
  }
  HttpClient C(const std::string& token) const { return server.Client(token); }
  std::string Token(const std::string& body) {
    auto r = server.Admin().Post("/v1/networks/demo/tokens", body);
    REQUIRE(r.status == 201);
    return std::string(r.Json().as_object().at("token").as_string());
  }
  std::int64_t Member(const std::string& body) {
    auto r = C(alice).Post("/v1/networks/demo/members", body);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return r.Json().as_object().at("id").as_int64();
  }
  HttpResult Raise(const std::string& who, const std::string& areas = R"(["SE15"])") {
    return C(who).Post("/v1/networks/demo/alerts",
                    R"({"kind":"raid","areas":)" + areas + R"(,"location":")" + kLocation + R"("})");
  }
  std::string Scalar(const std::string& sql) const { return db.Scalar(sql); }
  std::string AlertMessages(std::int64_t alert) const {
    return Scalar("SELECT count(*) FROM deliveries WHERE seq = 0 AND alert_id = " + std::to_string(alert));
  }
  std::string Audit(const std::string& action) const {
    return Scalar("SELECT count(*) FROM audit_log WHERE action = '" + action + "'");
  }

  FakeTwilio fake;
  TestDatabase db;
  TocsindProcess server;
  std::string net_admin, alice, alice2, bo;  // tokens: alice2 has alice's label
  std::int64_t coordinator = 0;
};

std::int64_t Id(const HttpResult& r) { return r.Json().as_object().at("id").as_int64(); }

}  // namespace

TEST_CASE("approval: the rule is set by the network's admin, shown by GET, checked", "[pg][approval]") {
  ApprovalNetwork n;
  auto get = n.C(n.alice).Get("/v1/networks/demo");
  REQUIRE(get.status == 200);
  CHECK(get.Json().as_object().at("approval").is_null());
  CHECK(n.C(n.alice).Patch("/v1/networks/demo", R"({"approval":{"min_recipients":3}})").status == 403);

  for (const char* bad : {R"({"approval":{"min_recipients":0}})", R"({"approval":{"min_recipients":-1}})",
                          R"({"approval":{"min_recipients":"500"}})", R"({"approval":{"min_recipients":2.5}})",
                          R"({"approval":{"min_recipients":true}})"}) {
    auto r = n.C(n.net_admin).Patch("/v1/networks/demo", bad);
    INFO(bad << " -> " << r.body);
    CHECK(r.status == 422);
    CHECK(r.Json().as_object().at("error").as_object().at("field") == "approval.min_recipients");
  }
  auto typo = n.C(n.net_admin).Patch("/v1/networks/demo", R"({"approval":{"all_area":true}})");
  CHECK(typo.status == 422);
  CHECK(typo.Json().as_object().at("error").as_object().at("field") == "approval.all_area");
  CHECK(n.Scalar("SELECT count(*) FROM networks WHERE approval_min_recipients IS NOT NULL OR approval_all_areas") ==
        "0");

  auto set = n.C(n.net_admin).Patch("/v1/networks/demo", R"({"approval":{"min_recipients":500}})");
  INFO(set.body);
  REQUIRE(set.status == 200);
  CHECK(set.Json().as_object().at("approval").as_object().at("min_recipients") == 500);
  auto both = n.C(n.net_admin).Patch("/v1/networks/demo", R"({"approval":{"all_areas":true}})");
  REQUIRE(both.status == 200);
  auto shown = n.C(n.alice).Get("/v1/networks/demo").Json().as_object().at("approval").as_object();
  CHECK(shown.at("min_recipients") == 500);  // a PATCH changes only what it names
  CHECK(shown.at("all_areas") == true);
  auto off = n.C(n.net_admin).Patch("/v1/networks/demo", R"({"approval":null})");
  REQUIRE(off.status == 200);
  CHECK(off.Json().as_object().at("approval").is_null());
  CHECK(n.Audit("networks.update") == "3");
}

TEST_CASE("approval: a raise over the rule waits; a second coordinator approves it", "[pg][approval]") {
  ApprovalNetwork n;
  REQUIRE(n.C(n.net_admin).Patch("/v1/networks/demo", R"({"approval":{"min_recipients":3}})").status == 200);

  auto raised = n.Raise(n.alice);
  INFO(raised.body);
  REQUIRE(raised.status == 202);
  auto body = raised.Json().as_object();
  CHECK(body.at("status") == "pending_approval");
  CHECK(body.at("recipients") == 3);
  CHECK(body.at("code").as_string().size() == 4);
  auto id = Id(raised);
  CHECK(n.AlertMessages(id) == "0");
  CHECK(n.Scalar("SELECT count(*) FROM escalations WHERE alert_id = " + std::to_string(id)) == "0");
  CHECK(n.Audit("alerts.raise_pending") == "1");

  // The coordinators hear of it, without the location; members hear nothing, even later.
  Eventually([&] { return n.fake.Messages().size() == 1; }, "the coordinator's notice sent");
  auto notice = n.fake.Messages().front();
  CHECK(notice.to == "+447700900700");
  CHECK(notice.body.find("second coordinator") != std::string::npos);
  CHECK(notice.body.find(std::string(body.at("code").as_string())) != std::string::npos);
  CHECK(notice.body.find("Rye Lane") == std::string::npos);
  auto advanced = n.server.Admin().Post("/v1/admin/clock", R"({"advance":"30m"})");
  REQUIRE(advanced.status == 200);
  CHECK(n.AlertMessages(id) == "0");
  CHECK(n.fake.Messages().size() == 1);

  // It reads and lists as pending; updates and ends wait for the decision.
  auto got = n.C(n.bo).Get("/v1/networks/demo/alerts/" + std::to_string(id));
  REQUIRE(got.status == 200);
  CHECK(got.Json().as_object().at("status") == "pending_approval");
  auto listed = n.C(n.bo).Get("/v1/networks/demo/alerts?status=pending_approval");
  REQUIRE(listed.status == 200);
  CHECK(listed.Json().as_object().at("alerts").as_array().size() == 1);
  CHECK(n.C(n.bo).Post("/v1/networks/demo/alerts/" + std::to_string(id) + "/updates", R"({"message":"hi"})").status ==
        409);
  CHECK(n.C(n.bo).Post("/v1/networks/demo/alerts/" + std::to_string(id) + "/resolve", "").status == 409);

  // Not the raiser's token, nor one of the same label.
  auto approve = "/v1/networks/demo/alerts/" + std::to_string(id) + "/approve";
  auto self = n.C(n.alice).Post(approve, "");
  CHECK(self.status == 403);
  CHECK(self.body.find("second coordinator") != std::string::npos);
  CHECK(n.C(n.alice2).Post(approve, "").status == 403);
  CHECK(n.AlertMessages(id) == "0");

  auto ok = n.C(n.bo).Post(approve, "");
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  CHECK(ok.Json().as_object().at("status") == "open");
  CHECK(ok.Json().as_object().at("recipients") == 3);
  CHECK(n.AlertMessages(id) == "3");
  CHECK(n.Scalar("SELECT count(*) FROM escalations WHERE alert_id = " + std::to_string(id)) == "1");
  Eventually([&] { return n.fake.Messages().size() == 4; }, "the alert sent to its audience");
  for (const auto& m : n.fake.Messages()) {
    if (m.to != "+447700900700") CHECK(m.body.find("Rye Lane") != std::string::npos);
  }
  CHECK(n.Audit("alerts.approve") == "1");
  CHECK(n.C(n.bo).Post(approve, "").status == 409);  // not pending any more
  CHECK(n.Audit("alerts.approve") == "1");
}

TEST_CASE("approval: rejected, it ends cancelled with nothing sent; below the rule, nothing waits",
          "[pg][approval]") {
  ApprovalNetwork n;
  REQUIRE(n.C(n.net_admin).Patch("/v1/networks/demo", R"({"approval":{"min_recipients":5,"all_areas":true}})").status ==
          200);

  auto small = n.Raise(n.alice);  // 3 members: under 5, one area of three
  INFO(small.body);
  REQUIRE(small.status == 201);
  CHECK(small.Json().as_object().at("status") == "open");
  CHECK(n.AlertMessages(Id(small)) == "3");

  auto wide = n.Raise(n.alice, R"(["SE15","SE22","E1"])");  // 4 members, but every area of the network
  INFO(wide.body);
  REQUIRE(wide.status == 202);
  auto id = Id(wide);
  auto reject = "/v1/networks/demo/alerts/" + std::to_string(id) + "/reject";
  CHECK(n.C(n.alice).Post(reject, R"({"reason":"no"})").status == 403);
  auto bad = n.C(n.bo).Post(reject, R"({"why":"no"})");
  CHECK(bad.status == 422);
  auto rejected = n.C(n.bo).Post(reject, R"({"reason":"Not confirmed yet"})");
  INFO(rejected.body);
  REQUIRE(rejected.status == 200);
  CHECK(rejected.Json().as_object().at("status") == "cancelled");
  CHECK(n.AlertMessages(id) == "0");
  CHECK(n.C(n.bo).Post("/v1/networks/demo/alerts/" + std::to_string(id) + "/approve", "").status == 409);
  CHECK(n.Audit("alerts.reject") == "1");
  CHECK(n.Scalar("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%Not confirmed%'") == "0");
}
