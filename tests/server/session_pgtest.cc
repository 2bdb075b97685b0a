// The web console's session over real HTTP: a token exchanged for an HttpOnly cookie that acts
// as it, state changes only from the server's own origin, and its end (logout, revocation).
#include <catch2/catch.hpp>

#include "tests/support/server_process.h"

using namespace tocsin::test;

namespace {

// The session id in a Set-Cookie header ("tocsin_session=<id>; Path=/; ...").
std::string SessionId(const HttpResult& r) {
  auto cookie = r.headers.at("set-cookie");
  auto start = cookie.find('=') + 1;
  return cookie.substr(start, cookie.find(';') - start);
}

struct Console {
  HttpClient anon;
  std::string cookie;
  std::string origin;

  HttpResult Get(const std::string& path) const {
    return anon.Send("GET", path, "", {{"Cookie", cookie}});
  }
  // A change from the console's page: the browser adds Origin.
  HttpResult Change(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& from) const {
    std::map<std::string, std::string> h{{"Cookie", cookie}, {"Content-Type", "application/json"}};
    if (!from.empty()) h["Origin"] = from;
    return anon.Send(method, path, body, h);
  }
};

Console LogIn(const TocsindProcess& server, const std::string& token) {
  auto anon = server.Client();
  auto r = anon.Post("/v1/session", R"({"token":")" + token + R"("})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  return {anon, "tocsin_session=" + SessionId(r),
          "http://127.0.0.1:" + std::to_string(server.port())};
}

}  // namespace

TEST_CASE("session: a token is exchanged for a cookie that acts as it", "[pg][session]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto token = CreateNetworkWithToken(server, "demo");
  auto anon = server.Client();

  auto r = anon.Post("/v1/session", R"({"token":")" + token + R"("})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto set_cookie = r.headers["set-cookie"];
  CHECK(set_cookie.rfind("tocsin_session=tcss_", 0) == 0);
  CHECK(set_cookie.find("; HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("; SameSite=Strict") != std::string::npos);
  CHECK(set_cookie.find("; Path=/") != std::string::npos);
  CHECK(set_cookie.find("Secure") == std::string::npos);  // public_url is http here
  auto who = r.Json().as_object();
  CHECK(who.at("network").as_string() == "demo");
  CHECK(who.at("role").as_string() == "coordinator");

  // Only a keyed hash is stored: the id appears nowhere in the row.
  auto id = SessionId(r);
  CHECK(db.Scalar("SELECT count(*) FROM console_sessions") == "1");
  CHECK(db.Scalar("SELECT count(*) FROM console_sessions WHERE position(convert_to('" + id +
                  "', 'UTF8') IN session_hash) > 0 OR length(session_hash) <> 32") == "0");

  Console console{anon, "tocsin_session=" + id,
                  "http://127.0.0.1:" + std::to_string(server.port())};
  CHECK(console.Get("/v1/networks/demo/members").status == 200);
  CHECK(console.Get("/v1/session").Json().as_object().at("network").as_string() == "demo");
  // Of another network: as absent as with the token.
  CHECK(console.Get("/v1/networks/other/members").status == 404);

  const std::string member = R"({"phone":"+447700900123","name":"Amira","areas":["SE15"]})";
  // A change without Origin, or from another site, is refused and changes nothing.
  auto bare = console.Change("POST", "/v1/networks/demo/members", member, "");
  CHECK(bare.status == 403);
  CHECK(bare.ErrorCode() == "forbidden");
  CHECK(
      console.Change("POST", "/v1/networks/demo/members", member, "https://evil.example").status ==
      403);
  CHECK(console.Change("POST", "/v1/networks/demo/members", member, "null").status == 403);
  CHECK(db.Scalar("SELECT count(*) FROM members") == "0");
  // From the server's own page it goes through.
  CHECK(console.Change("POST", "/v1/networks/demo/members", member, console.origin).status == 201);
  // On loopback the Host names the origin too (http://localhost:PORT when public_url says
  // 127.0.0.1).
  auto local = "localhost:" + std::to_string(server.port());
  auto by_name = anon.Send("PUT", "/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})",
                           {{"Cookie", console.cookie},
                            {"Host", local},
                            {"Origin", "http://" + local},
                            {"Content-Type", "application/json"}});
  CHECK(by_name.status == 200);
  // A bearer token needs no Origin (curl, the CLI).
  CHECK(server.Client(token)
            .Post("/v1/networks/demo/members", R"({"phone":"+447700900124"})")
            .status == 201);
}

TEST_CASE("session: a bad token opens nothing; revocation and logout end a session",
          "[pg][session]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto token = CreateNetworkWithToken(server, "demo");
  auto anon = server.Client();

  auto bad = anon.Post("/v1/session", R"({"token":"tcs_nothing"})");
  CHECK(bad.status == 401);
  CHECK(bad.headers.count("set-cookie") == 0);
  CHECK(anon.Post("/v1/session", R"({"tok":"x"})").status == 422);
  CHECK(
      anon.Post("/v1/session", R"({"token":")" + std::string(TocsindProcess::kAdminToken) + R"("})")
          .status == 403);
  auto metrics = server.Admin().Post("/v1/networks/demo/tokens", R"({"role":"metrics"})");
  auto metrics_token = std::string(metrics.Json().as_object().at("token").as_string());
  CHECK(anon.Post("/v1/session", R"({"token":")" + metrics_token + R"("})").status == 403);
  // A login posted from another site (a browser adds Origin) is refused too.
  CHECK(anon.Send("POST", "/v1/session", R"({"token":")" + token + R"("})",
                  {{"Origin", "https://evil.example"}, {"Content-Type", "application/json"}})
            .status == 403);
  CHECK(db.Scalar("SELECT count(*) FROM console_sessions") == "0");
  CHECK(anon.Send("GET", "/v1/networks/demo/alerts", "", {{"Cookie", "tocsin_session=tcss_forged"}})
            .status == 401);

  SECTION("revoking the token ends its sessions") {
    auto console = LogIn(server, token);
    REQUIRE(console.Get("/v1/networks/demo/alerts").status == 200);
    auto tokens =
        server.Admin().Get("/v1/networks/demo/tokens").Json().as_object().at("tokens").as_array();
    auto id = tokens[0].as_object().at("id").as_int64();
    REQUIRE(server.Admin().Delete("/v1/networks/demo/tokens/" + std::to_string(id)).status == 204);
    auto after = console.Get("/v1/networks/demo/alerts");
    CHECK(after.status == 401);
  }

  SECTION("logout ends the session and clears the cookie") {
    auto console = LogIn(server, token);
    // Logout is a change: from another origin it is refused and the session stays.
    CHECK(console.Change("DELETE", "/v1/session", "", "https://evil.example").status == 403);
    CHECK(console.Get("/v1/networks/demo/alerts").status == 200);
    auto out = console.Change("DELETE", "/v1/session", "", console.origin);
    CHECK(out.status == 204);
    CHECK(out.headers["set-cookie"].find("tocsin_session=;") == 0);
    CHECK(out.headers["set-cookie"].find("Max-Age=0") != std::string::npos);
    CHECK(console.Get("/v1/networks/demo/alerts").status == 401);
    CHECK(db.Scalar("SELECT count(*) FROM console_sessions") == "0");
    // The token itself still works.
    CHECK(server.Client(token).Get("/v1/networks/demo/alerts").status == 200);
  }

  SECTION("an expired session opens nothing") {
    auto console = LogIn(server, token);
    db.Scalar("UPDATE console_sessions SET expires_at = now() - interval '1 second' RETURNING 1");
    CHECK(console.Get("/v1/networks/demo/alerts").status == 401);
  }
}
