// Migrations from an empty database, idempotence, and serve refusing an unmigrated database.
#include <catch2/catch.hpp>

#include "tests/support/server_process.h"

using namespace tocsin::test;

TEST_CASE("migrate applies every migration once, then is a no-op", "[pg][migrate]") {
  TestDatabase db;
  TocsindProcess server(db, "", /*migrate=*/false);
  CHECK(db.Scalar("SELECT to_regclass('members') IS NULL") == "t");

  auto first = server.Cli({"migrate"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.find("applied migration 1") != std::string::npos);
  CHECK(db.Scalar("SELECT count(*) FROM schema_migrations") != "0");
  for (const char* table : {"networks", "network_numbers", "areas", "members", "api_tokens", "audit_log"}) {
    INFO(table);
    CHECK(db.Scalar(std::string("SELECT to_regclass('") + table + "') IS NOT NULL") == "t");
  }
  auto applied = db.Scalar("SELECT count(*) FROM schema_migrations");

  auto second = server.Cli({"migrate"});
  REQUIRE(second.exit_code == 0);
  CHECK(second.err.find("up to date") != std::string::npos);
  CHECK(db.Scalar("SELECT count(*) FROM schema_migrations") == applied);
}

TEST_CASE("serve refuses to start on an unmigrated database", "[pg][migrate]") {
  TestDatabase db;
  TocsindProcess server(db, "", /*migrate=*/false);
  auto r = server.Cli({"serve"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("tocsind migrate") != std::string::npos);
}

TEST_CASE("serve refuses to start without [sms]: no server sends nothing by accident (issue 15)",
          "[pg][config]") {
  TestDatabase db;
  TocsindProcess server(db, "[sms]\n");  // the section, but no provider in it
  auto r = server.Cli({"serve"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("sms.provider") != std::string::npos);
  // The operator commands need no provider.
  CHECK(server.Cli({"token", "list", "--network", "nowhere"}).err.find("sms.provider") == std::string::npos);
}

TEST_CASE("a bad config stops start-up with one line naming the key", "[pg][config]") {
  TestDatabase db;
  TocsindProcess server(db);
  auto r = server.Cli({"serve"}, {{"TOCSIN_DATA_KEY", "not-hex"}});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("security.data_key") != std::string::npos);
  CHECK(r.err.find("not-hex") == std::string::npos);  // never echo a secret
}

TEST_CASE("readyz says only ready or not, and why not goes to the log", "[pg][health]") {
  TestDatabase db;
  TocsindProcess server(db, "", /*migrate=*/true);
  server.Start();
  db.Scalar("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)");
  auto r = server.Client().Get("/readyz");
  CHECK(r.status == 503);
  CHECK(r.body.find("not ready") != std::string::npos);
  CHECK(r.body.find("migrat") == std::string::npos);
  CHECK(server.Log().find("tocsind migrate") != std::string::npos);
}

TEST_CASE("readyz reports the database and healthz the process", "[pg][health]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client();
  CHECK(c.Get("/healthz").status == 200);
  CHECK(c.Get("/readyz").status == 200);
  // Metrics say how busy networks are: not for anyone (issue 15).
  CHECK(c.Get("/metrics").status == 401);
  auto network_admin = CreateNetworkWithToken(server, "demo", "admin");
  CHECK(server.Client(network_admin).Get("/metrics").status == 403);
  auto t = server.Admin().Post("/v1/networks/demo/tokens", R"({"role":"metrics","label":"prometheus"})");
  REQUIRE(t.status == 201);
  auto scraper = server.Client(std::string(t.Json().as_object().at("token").as_string()));
  CHECK(scraper.Get("/v1/networks/demo").status == 403);  // a metrics token reads nothing else
  auto metrics = scraper.Get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(server.Admin().Get("/metrics").status == 200);
  CHECK(metrics.body.find("tocsin_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("tocsin_http_request_duration_seconds_bucket") != std::string::npos);
  // Two pools: the API's (database.api_pool_size) and the engine's (database.pool_size).
  CHECK(metrics.body.find("tocsin_db_pool_size 2") != std::string::npos);
  CHECK(metrics.body.find("tocsin_engine_db_pool_size 4") != std::string::npos);
  CHECK(server.Stop() == 0);  // SIGTERM drains and exits cleanly
}

TEST_CASE("a data key other than the database's is refused", "[pg][config]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();  // records the key's fingerprint
  CHECK(server.Stop() == 0);
  auto other_key = TestDataKey();
  auto serve = server.Cli({"serve"}, {{"TOCSIN_DATA_KEY", other_key}});
  CHECK(serve.exit_code == 1);
  CHECK(serve.err.find("not the key this database was written with") != std::string::npos);
  auto cli = server.Cli({"network", "create", "--name", "X", "--slug", "xx", "--number", "+447700900009"},
                        {{"TOCSIN_DATA_KEY", other_key}});
  CHECK(cli.exit_code == 1);
  CHECK(db.Scalar("SELECT count(*) FROM networks") == "0");
}
