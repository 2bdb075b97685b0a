// The console's cookie and origin rules (server/http/cookies.h), without a server.
#include "server/http/cookies.h"

#include <catch2/catch.hpp>

using namespace tocsin::http;

namespace {

Request Req(const std::string& host, const std::string& origin, const std::string& cookie = "") {
  Request r{bhttp::verb::post, "/v1/networks/demo/alerts", 11};
  if (!host.empty()) r.set(bhttp::field::host, host);
  if (!origin.empty()) r.set(bhttp::field::origin, origin);
  if (!cookie.empty()) r.set(bhttp::field::cookie, cookie);
  return r;
}

}  // namespace

TEST_CASE("cookies: the session cookie is read from among others", "[cookies]") {
  CHECK(CookieValue(Req("", "", "a=1; tocsin_session=tcss_abc; b=2"), "tocsin_session") ==
        "tcss_abc");
  CHECK(CookieValue(Req("", "", "tocsin_session_x=1"), "tocsin_session") == std::nullopt);
  CHECK(CookieValue(Req("", "", "xtocsin_session=1"), "tocsin_session") == std::nullopt);
  CHECK(CookieValue(Req("", ""), "tocsin_session") == std::nullopt);
  CHECK(CookieValue(Req("", "", "tocsin_session=\"q\""), "tocsin_session") == "q");
}

TEST_CASE("cookies: the session cookie is HttpOnly, SameSite=Strict, Secure behind https",
          "[cookies]") {
  auto plain = SessionCookie("tocsin_session", "v", 60, false);
  CHECK(plain == "tocsin_session=v; Path=/; Max-Age=60; HttpOnly; SameSite=Strict");
  CHECK(SessionCookie("tocsin_session", "", 0, true) ==
        "tocsin_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
}

TEST_CASE("cookies: a change must come from the server's own origin", "[cookies]") {
  CHECK(OriginOf("https://Alerts.Example.org/") == "https://alerts.example.org");
  CHECK(OriginOf("https://alerts.example.org:443") == "https://alerts.example.org");
  CHECK(OriginOf("http://127.0.0.1:8080") == "http://127.0.0.1:8080");

  const std::string pub = "https://alerts.example.org";
  CHECK(FromOwnOrigin(Req("alerts.example.org", "https://alerts.example.org"), pub));
  CHECK_FALSE(FromOwnOrigin(Req("alerts.example.org", "https://evil.example"), pub));
  CHECK_FALSE(FromOwnOrigin(Req("alerts.example.org", "http://alerts.example.org"), pub));
  CHECK_FALSE(FromOwnOrigin(Req("alerts.example.org", ""), pub));
  CHECK_FALSE(FromOwnOrigin(Req("alerts.example.org", "null"), pub));
  // On loopback the Host names the origin (http://localhost:8080 when public_url says 127.0.0.1).
  CHECK(FromOwnOrigin(Req("localhost:8080", "http://localhost:8080"), "http://127.0.0.1:8080"));
  CHECK(FromOwnOrigin(Req("[::1]:8080", "http://[::1]:8080"), pub));
  CHECK_FALSE(FromOwnOrigin(Req("localhost:8080", "http://localhost:9999"), pub));
  // A public Host never stands in for public_url.
  CHECK_FALSE(FromOwnOrigin(Req("evil.example", "http://evil.example"), pub));
}
