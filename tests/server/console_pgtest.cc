// GET / and its assets: the console compiled into the binary, with its caching and security
// headers, over real HTTP.
#include <catch2/catch.hpp>
#include <regex>

#include "tests/support/server_process.h"

using namespace tocsin::test;

namespace {

std::string Match(const std::string& text, const std::string& pattern) {
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex(pattern)));
  return m[1];
}

void CheckSecurityHeaders(HttpResult& r) {
  auto csp = r.headers["content-security-policy"];
  CHECK(csp.find("default-src 'self'") != std::string::npos);
  CHECK(csp.find("script-src 'self';") != std::string::npos);
  CHECK(csp.find("unsafe") == std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(r.headers["x-content-type-options"] == "nosniff");
  CHECK(r.headers["referrer-policy"] == "no-referrer");
}

}  // namespace

TEST_CASE("console: served from the binary, hashed assets cached for ever", "[pg][console]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client();

  auto index = c.Get("/");
  REQUIRE(index.status == 200);
  CHECK(index.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(index.headers["cache-control"] == "no-cache");
  CheckSecurityHeaders(index);
  // No inline script or style: every script has a src, no style attribute or element.
  CHECK(!std::regex_search(index.body, std::regex("<script(?![^>]*\\bsrc=)[^>]*>")));
  CHECK(index.body.find("style=") == std::string::npos);
  CHECK(index.body.find("<style") == std::string::npos);

  auto app = Match(index.body, "src=\"(assets/app\\.[0-9a-f]{10}\\.js)\"");
  auto css = Match(index.body, "href=\"(assets/console\\.[0-9a-f]{10}\\.css)\"");
  auto js = c.Get("/" + app);
  REQUIRE(js.status == 200);
  CHECK(js.headers["content-type"] == "text/javascript; charset=utf-8");
  CHECK(js.headers["cache-control"] == "public, max-age=31536000, immutable");
  CheckSecurityHeaders(js);
  CHECK(js.body.find("eval(") == std::string::npos);
  CHECK(c.Get("/" + css).headers["content-type"] == "text/css; charset=utf-8");
  // Its imports name hashed files too, which are served.
  auto dom = c.Get("/assets/" + Match(js.body, "\"\\./(dom\\.[0-9a-f]{10}\\.js)\""));
  REQUIRE(dom.status == 200);
  auto i18n = c.Get("/assets/" + Match(dom.body, "\"\\./(i18n\\.[0-9a-f]{10}\\.js)\""));
  REQUIRE(i18n.status == 200);
  auto strings = Match(i18n.body, "\"\\./(strings\\.en\\.[0-9a-f]{10}\\.js)\"");
  CHECK(c.Get("/assets/" + strings).status == 200);

  // A browser gets gzip.
  auto gz = c.Send("GET", "/" + app, "", {{"Accept-Encoding", "gzip"}});
  CHECK(gz.headers["content-encoding"] == "gzip");
  REQUIRE(gz.body.size() > 2);
  CHECK(static_cast<unsigned char>(gz.body[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(gz.body[1]) == 0x8b);
  CHECK(gz.body.size() < js.body.size());
  // A revalidation of the page is answered without the body.
  auto again = c.Send("GET", "/", "", {{"If-None-Match", index.headers["etag"]}});
  CHECK(again.status == 304);

  CHECK(c.Get("/assets/app.js").status == 404);  // only the hashed names exist
  CHECK(c.Get("/assets/nothing.0000000000.js").status == 404);
}
