// Networks and tokens: admin-only creation, roles, revocation, cross-network isolation.
#include <catch2/catch.hpp>

#include "tests/support/server_process.h"

using namespace tocsin::test;

TEST_CASE("networks: the admin creates one, numbers are normalised", "[pg][networks]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto admin = server.Admin();

  auto r = admin.Post("/v1/networks",
                      R"({"name":"Peckham Rapid Response","slug":"peckham",
                          "numbers":["07700 900001", {"number":"+447700900002","segments_per_second":10}],
                          "default_language":"en","retention_days":14})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto n = r.Json().as_object();
  CHECK(n.at("slug") == "peckham");
  CHECK(n.at("retention_days") == 14);
  auto numbers = n.at("numbers").as_array();
  REQUIRE(numbers.size() == 2);
  CHECK(numbers[0].as_object().at("number") == "+447700900001");
  CHECK(numbers[0].as_object().at("segments_per_second").is_null());
  CHECK(numbers[1].as_object().at("segments_per_second") == 10.0);

  auto got = admin.Get("/v1/networks/peckham");
  CHECK(got.status == 200);
  CHECK(got.Json().as_object().at("name") == "Peckham Rapid Response");

  SECTION("a taken slug or number is 409 and changes nothing") {
    auto dup = admin.Post("/v1/networks", R"({"name":"X","slug":"peckham","numbers":["+447700900009"]})");
    CHECK(dup.status == 409);
    CHECK(dup.ErrorField() == "slug");
    auto num = admin.Post("/v1/networks", R"({"name":"X","slug":"other","numbers":["+447700900002"]})");
    CHECK(num.status == 409);
    CHECK(num.ErrorField() == "numbers[0]");
    CHECK(db.Scalar("SELECT count(*) FROM networks") == "1");
  }
  SECTION("bad inputs name their field") {
    struct Case { const char* body; const char* field; long status; };
    for (auto c : {Case{R"({"slug":"a1","numbers":["+447700900005"]})", "name", 422},
                   Case{R"({"name":"X","slug":"Bad Slug","numbers":["+447700900005"]})", "slug", 422},
                   Case{R"({"name":"X","slug":"ok","numbers":[]})", "numbers", 422},
                   Case{R"({"name":"X","slug":"ok","numbers":["12"]})", "numbers[0]", 422},
                   Case{R"({"name":"X","slug":"ok","numbers":["+447700900005"],"retention_days":0})", "retention_days", 422},
                   Case{R"({"name":"X","slug":"ok","numbers":["+447700900005"],"default_language":"English"})", "default_language", 422},
                   Case{R"({"name":"X","slug":"ok","numbers":["+447700900005"],"colour":"red"})", "colour", 422},
                   Case{R"({"name":"X","slug":"ok","numbers":[{"number":"+447700900005","segments_per_second":-1}]})", "numbers[0].segments_per_second", 422},
                   Case{R"({"name":"X", "slug":)", "body", 400}}) {
      auto bad = admin.Post("/v1/networks", c.body);
      INFO(c.body << " -> " << bad.body);
      CHECK(bad.status == c.status);
      CHECK(bad.ErrorField() == c.field);
    }
    CHECK(db.Scalar("SELECT count(*) FROM networks") == "1");
  }
  SECTION("only the admin token creates networks") {
    auto coord = CreateNetworkWithToken(server, "other", "admin", "+447700900003");
    auto r2 = server.Client(coord).Post("/v1/networks", R"({"name":"X","slug":"x2","numbers":["+447700900004"]})");
    CHECK(r2.status == 403);
    CHECK(server.Client().Post("/v1/networks", "{}").status == 401);
    CHECK(server.Client("tcs_wrong").Get("/v1/networks/peckham").status == 401);
  }
}

TEST_CASE("tokens: roles, hashing, revocation and isolation", "[pg][tokens]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto coord_a = CreateNetworkWithToken(server, "net-a", "coordinator", "+447700900001");
  auto coord_b = CreateNetworkWithToken(server, "net-b", "coordinator", "+447700900002");
  auto a = server.Client(coord_a);

  // Tokens are stored only as hashes.
  CHECK(db.Scalar("SELECT count(*) FROM api_tokens WHERE position(convert_to('" + coord_a +
                  "', 'UTF8') in token_hash) > 0") == "0");
  CHECK(db.Scalar("SELECT count(*) FROM api_tokens") == "2");

  SECTION("a token of network A gets 404 for everything of network B") {
    CHECK(a.Get("/v1/networks/net-b").status == 404);
    CHECK(a.Get("/v1/networks/net-b/members").status == 404);
    CHECK(a.Post("/v1/networks/net-b/members", R"({"phone":"+447700900100"})").status == 404);
    CHECK(a.Get("/v1/networks/net-b/areas").status == 404);
    CHECK(a.Get("/v1/networks/does-not-exist").status == 404);
    auto b_member = server.Client(coord_b).Post("/v1/networks/net-b/members", R"({"phone":"+447700900100"})");
    REQUIRE(b_member.status == 201);
    auto id = std::to_string(b_member.Json().as_object().at("id").as_int64());
    CHECK(a.Get("/v1/networks/net-a/members/" + id).status == 404);  // B's member under A's slug
    CHECK(a.Delete("/v1/networks/net-a/members/" + id).status == 404);
    CHECK(db.Scalar("SELECT count(*) FROM members") == "1");
  }
  SECTION("roles limit what a token may do") {
    CHECK(a.Post("/v1/networks/net-a/tokens", R"({"role":"viewer"})").status == 403);
    auto admin = server.Admin();
    auto viewer = admin.Post("/v1/networks/net-a/tokens", R"({"role":"viewer","label":"dashboard"})");
    REQUIRE(viewer.status == 201);
    auto v = server.Client(std::string(viewer.Json().as_object().at("token").as_string()));
    CHECK(v.Get("/v1/networks/net-a/members").status == 200);
    // A viewer sees members' phones masked, in the list and one by one.
    auto member = a.Post("/v1/networks/net-a/members", R"({"phone":"+447700900123"})");
    REQUIRE(member.status == 201);
    CHECK(member.Json().as_object().at("phone").as_string() == "+447700900123");
    auto id = std::to_string(member.Json().as_object().at("id").as_int64());
    auto listed = v.Get("/v1/networks/net-a/members");
    REQUIRE(listed.status == 200);
    CHECK(listed.Json().as_object().at("members").as_array().at(0).as_object().at("phone").as_string() ==
          "+44******0123");
    CHECK(v.Get("/v1/networks/net-a/members/" + id).Json().as_object().at("phone").as_string() == "+44******0123");
    CHECK(a.Get("/v1/networks/net-a/members/" + id).Json().as_object().at("phone").as_string() == "+447700900123");
    CHECK(v.Post("/v1/networks/net-a/members", R"({"phone":"+447700900100"})").status == 403);
    auto integ = admin.Post("/v1/networks/net-a/tokens", R"({"role":"integration"})");
    auto i = server.Client(std::string(integ.Json().as_object().at("token").as_string()));
    CHECK(i.Get("/v1/networks/net-a/members").status == 403);
    CHECK(admin.Get("/v1/networks/net-a/members").status == 403);  // least privilege
    CHECK(admin.Post("/v1/networks/net-a/tokens", R"({"role":"root"})").status == 422);
  }
  SECTION("a revoked token stops working at once") {
    auto admin = server.Admin();
    auto t = admin.Post("/v1/networks/net-a/tokens", R"({"role":"coordinator"})");
    auto obj = t.Json().as_object();
    auto c = server.Client(std::string(obj.at("token").as_string()));
    CHECK(c.Get("/v1/networks/net-a/members").status == 200);
    auto id = std::to_string(obj.at("id").as_int64());
    CHECK(admin.Delete("/v1/networks/net-b/tokens/" + id).status == 404);  // wrong network
    CHECK(admin.Delete("/v1/networks/net-a/tokens/" + id).status == 204);
    CHECK(c.Get("/v1/networks/net-a/members").status == 401);
    CHECK(admin.Delete("/v1/networks/net-a/tokens/" + id).status == 404);
    CHECK(db.Scalar("SELECT count(*) FROM audit_log WHERE action = 'tokens.revoke'") == "1");
  }
}
