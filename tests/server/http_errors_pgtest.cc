// The HTTP edges: unknown routes, wrong methods, oversized bodies, malformed requests.
#include <catch2/catch.hpp>

#include "tests/support/server_process.h"

using namespace tocsin::test;

TEST_CASE("http: every error is a JSON error with a fitting status", "[pg][http]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));

  auto unknown = c.Get("/v1/nothing-here");
  CHECK(unknown.status == 404);
  CHECK(unknown.ErrorCode() == "not_found");

  auto wrong = c.Send("PUT", "/v1/networks/demo/members", "{}", {});
  CHECK(wrong.status == 405);
  CHECK(wrong.ErrorCode() == "method_not_allowed");
  CHECK(wrong.headers["allow"].find("GET") != std::string::npos);

  std::string big(1100 * 1024, ' ');
  big[0] = '{';
  big.back() = '}';
  auto huge = c.Post("/v1/networks/demo/members", big);
  CHECK(huge.status == 413);
  CHECK(huge.ErrorCode() == "too_large");

  // The import route takes more than the default 1 MiB.
  std::string csv = "phone,name\n";
  while (csv.size() < 1200 * 1024) csv += "+447700900100," + std::string(100, 'x') + "\n";
  auto import = c.Post("/v1/networks/demo/members/import", csv, "text/csv");
  CHECK(import.status == 200);

  auto malformed = c.Post("/v1/networks/demo/members", "{\"phone\": ");
  CHECK(malformed.status == 400);
  CHECK(malformed.ErrorCode() == "malformed");

  auto no_auth = server.Client().Get("/v1/networks/demo/members");
  CHECK(no_auth.status == 401);
  CHECK(no_auth.headers["www-authenticate"] == "Bearer");
  CHECK(no_auth.headers["content-type"] == "application/json");
}
