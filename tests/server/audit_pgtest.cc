// What an operator reads back: the network's tokens (never a secret) and its audit log (admin
// only, newest first, paged), including the audited reads of the member list.
#include <catch2/catch.hpp>

#include <set>

#include "tests/support/server_process.h"

using namespace tocsin::test;

namespace {

std::string TokenOf(const HttpResult& r) {
  INFO(r.body);
  REQUIRE(r.status == 201);
  return std::string(r.Json().as_object().at("token").as_string());
}

boost::json::array Entries(const HttpResult& r) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.Json().as_object().at("entries").as_array();
}

}  // namespace

TEST_CASE("tokens: the list shows labels, roles, use and revocation, never a secret", "[pg][networks][tokens]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto coord = CreateNetworkWithToken(server, "net-a", "coordinator", "+447700900001");
  CreateNetworkWithToken(server, "net-b", "coordinator", "+447700900002");
  auto admin = server.Admin();
  auto net_admin = TokenOf(admin.Post("/v1/networks/net-a/tokens", R"({"role":"admin","label":"Sam's laptop"})"));
  auto viewer = admin.Post("/v1/networks/net-a/tokens", R"({"role":"viewer","label":"wall screen"})");
  auto viewer_id = std::to_string(viewer.Json().as_object().at("id").as_int64());
  REQUIRE(admin.Delete("/v1/networks/net-a/tokens/" + viewer_id).status == 204);
  REQUIRE(server.Client(coord).Get("/v1/networks/net-a/members").status == 200);  // used once

  auto r = server.Client(net_admin).Get("/v1/networks/net-a/tokens");
  INFO(r.body);
  REQUIRE(r.status == 200);
  for (const auto& secret : {coord, net_admin, TokenOf(viewer)}) CHECK(r.body.find(secret) == std::string::npos);
  CHECK(r.body.find("tcs_") == std::string::npos);
  CHECK(r.body.find("hash") == std::string::npos);
  auto tokens = r.Json().as_object().at("tokens").as_array();
  REQUIRE(tokens.size() == 3);  // net-b's token is not listed
  auto first = tokens[0].as_object();
  CHECK(first.at("role") == "coordinator");
  CHECK(first.at("last_used_at").is_string());  // the members read above
  CHECK(first.at("revoked_at").is_null());
  CHECK(first.at("created_at").is_string());
  CHECK(tokens[1].as_object().at("label") == "Sam's laptop");
  auto revoked = tokens[2].as_object();
  CHECK(revoked.at("label") == "wall screen");
  CHECK(revoked.at("role") == "viewer");
  CHECK(revoked.at("revoked_at").is_string());
  CHECK(revoked.at("last_used_at").is_null());

  CHECK(admin.Get("/v1/networks/net-a/tokens").status == 200);             // the server admin
  CHECK(server.Client(coord).Get("/v1/networks/net-a/tokens").status == 403);
  CHECK(server.Client(net_admin).Get("/v1/networks/net-b/tokens").status == 404);

  // Use is recorded at most once a minute: a second request writes nothing.
  auto used = db.Scalar("SELECT last_used_at FROM api_tokens WHERE role = 'coordinator' AND network_id ="
                        " (SELECT id FROM networks WHERE slug = 'net-a')");
  REQUIRE(server.Client(coord).Get("/v1/networks/net-a").status == 200);
  CHECK(db.Scalar("SELECT last_used_at FROM api_tokens WHERE role = 'coordinator' AND network_id ="
                  " (SELECT id FROM networks WHERE slug = 'net-a')") == used);
}

TEST_CASE("audit: admins read it; member reads are in it, ids only; pages go back in time", "[pg][networks][audit]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto coord = CreateNetworkWithToken(server, "net-a", "coordinator", "+447700900001");
  auto admin = server.Admin();
  auto net_admin = TokenOf(admin.Post("/v1/networks/net-a/tokens", R"({"role":"admin"})"));
  auto c = server.Client(coord);
  auto m = c.Post("/v1/networks/net-a/members", R"({"phone":"+447700900123","name":"Amira","areas":["SE15"]})");
  REQUIRE(m.status == 201);
  auto member_id = m.Json().as_object().at("id").as_int64();

  CHECK(c.Get("/v1/networks/net-a/audit").status == 403);
  CHECK(server.Client().Get("/v1/networks/net-a/audit").status == 401);
  auto before = Entries(server.Client(net_admin).Get("/v1/networks/net-a/audit"));

  REQUIRE(c.Get("/v1/networks/net-a/members?area=SE15").status == 200);
  REQUIRE(c.Get("/v1/networks/net-a/members/" + std::to_string(member_id)).status == 200);
  auto entries = Entries(server.Client(net_admin).Get("/v1/networks/net-a/audit"));
  REQUIRE(entries.size() == before.size() + 2);
  auto one = entries[0].as_object();  // newest first
  auto list = entries[1].as_object();
  CHECK(one.at("action") == "members.read");
  CHECK(std::string(one.at("target").as_string()) == "member:" + std::to_string(member_id));
  CHECK(list.at("action") == "members.read");
  CHECK(list.at("target") == "members");
  CHECK(std::string(list.at("actor").as_string()).rfind("token:", 0) == 0);
  CHECK(list.at("detail").as_object().at("ids").as_array().at(0).as_int64() == member_id);
  CHECK(std::string(list.at("at").as_string()).back() == 'Z');
  auto all = server.Client(net_admin).Get("/v1/networks/net-a/audit?limit=500").body;
  CHECK(all.find("Amira") == std::string::npos);
  CHECK(all.find("900123") == std::string::npos);
  CHECK(db.Scalar("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%900123%'"
                  " OR detail::text LIKE '%Amira%'") == "0");

  SECTION("cursor pages back through every entry once, newest first") {
    auto a = server.Client(net_admin);
    std::vector<std::int64_t> ids;
    std::string cursor;
    for (int page = 0; page < 20; ++page) {
      auto r = a.Get("/v1/networks/net-a/audit?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
      auto body = r.Json().as_object();
      for (const auto& e : Entries(r)) ids.push_back(e.as_object().at("id").as_int64());
      if (body.at("next_cursor").is_null()) break;
      cursor = std::string(body.at("next_cursor").as_string());
    }
    REQUIRE(ids.size() == entries.size());
    CHECK(std::set<std::int64_t>(ids.begin(), ids.end()).size() == ids.size());
    CHECK(std::is_sorted(ids.rbegin(), ids.rend()));
  }
  SECTION("since keeps the newer entries; bad values name their parameter") {
    auto a = server.Client(net_admin);
    CHECK(Entries(a.Get("/v1/networks/net-a/audit?since=2999-01-01T00:00:00Z")).empty());
    CHECK(Entries(a.Get("/v1/networks/net-a/audit?since=2000-01-01T00:00:00Z")).size() == entries.size());
    auto bad = a.Get("/v1/networks/net-a/audit?since=yesterday");
    CHECK(bad.status == 422);
    CHECK(bad.ErrorField() == "since");
    CHECK(a.Get("/v1/networks/net-a/audit?since=2026-13-01T00:00:00Z").ErrorField() == "since");
    CHECK(a.Get("/v1/networks/net-a/audit?limit=501").ErrorField() == "limit");
    CHECK(admin.Get("/v1/networks/net-a/audit").status == 200);  // the server admin
  }
}
