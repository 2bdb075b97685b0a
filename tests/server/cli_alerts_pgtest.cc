// The CLI's alert commands: they go through the running server (loopback HTTP, a short-lived
// token of their own, revoked before they exit), and fail clearly when it is not running.
#include <catch2/catch.hpp>

#include "tests/support/alert_network.h"
#include "tests/support/eventually.h"

using namespace tocsin::test;

namespace {

// No token the CLI minted for itself is still valid.
void RequireCliTokensRevoked(const TestDatabase& db) {
  CHECK(db.Scalar("SELECT count(*) FROM api_tokens WHERE label = 'cli' AND revoked_at IS NULL") == "0");
}

}  // namespace

TEST_CASE("cli alerts: raise, show, list and resolve through the running server", "[pg][cli][alerts]") {
  AlertNetwork net;
  auto amira = net.AddMember(R"({"phone":"+447700900101","name":"Amira","areas":["E8"]})");
  net.AddMember(R"({"phone":"+447700900102","name":"Bea","areas":["E8"]})");
  auto& server = *net.server;

  auto raised = server.Cli({"alert", "raise", "--network", "demo", "--kind", "raid", "--area", "E8",
                            "--location", "Mare Street, by the library", "--details", "2 vans"});
  INFO(raised.err);
  REQUIRE(raised.exit_code == 0);
  CHECK(raised.out.find("raised alert 1 (code ") != std::string::npos);
  CHECK(raised.out.find("2 recipients") != std::string::npos);
  CHECK(raised.out.find("warning") == std::string::npos);
  auto alert = net.c.Get("/v1/networks/demo/alerts/1").Json().as_object();
  CHECK(alert.at("recipients") == 2);
  CHECK(alert.at("location") == "Mare Street, by the library");
  CHECK(alert.at("details") == "2 vans");
  CHECK(net.Contacted(1, amira));
  RequireCliTokensRevoked(net.db);

  // Its token is listed as the CLI's, revoked; minting and revoking are audited as "cli".
  auto tokens = server.Cli({"token", "list", "--network", "demo"});
  REQUIRE(tokens.exit_code == 0);
  auto at = tokens.out.find("coordinator  cli ");
  REQUIRE(at != std::string::npos);
  auto cli_line = tokens.out.substr(at, tokens.out.find('\n', at) - at);
  CHECK(cli_line.back() == 'Z');  // revoked at
  CHECK(net.db.Scalar("SELECT count(*) FROM audit_log WHERE actor = 'cli' AND action = 'tokens.revoke'") == "1");
  CHECK(net.db.Scalar("SELECT created_by FROM alerts WHERE id = 1").rfind("token:", 0) == 0);

  net.Reply("+447700900101", "1");
  Eventually([&] { return net.db.Scalar("SELECT count(*) FROM responses") == "1"; }, "the answer");
  auto show = server.Cli({"alert", "show", "--network", "demo", "1"});
  INFO(show.err);
  REQUIRE(show.exit_code == 0);
  CHECK(show.out.find("location:    Mare Street, by the library") != std::string::npos);
  CHECK(show.out.find("recipients:  2") != std::string::npos);
  CHECK(show.out.find("going 1") != std::string::npos);
  CHECK(show.out.find("going:       member " + std::to_string(amira)) != std::string::npos);

  auto json = server.Cli({"alert", "show", "--network", "demo", "1", "--json"});
  REQUIRE(json.exit_code == 0);
  CHECK(boost::json::parse(json.out).as_object().at("code") == alert.at("code"));

  auto list = server.Cli({"alert", "list", "--network", "demo", "--status", "open"});
  REQUIRE(list.exit_code == 0);
  CHECK(list.out.find("ID  CODE") == 0);
  CHECK(list.out.find(std::string(alert.at("code").as_string())) != std::string::npos);

  auto resolved = server.Cli({"alert", "resolve", "--network", "demo", "1", "--message", "They have left"});
  INFO(resolved.err);
  REQUIRE(resolved.exit_code == 0);
  CHECK(resolved.out.find("resolved") != std::string::npos);
  CHECK(net.c.Get("/v1/networks/demo/alerts/1").Json().as_object().at("status") == "resolved");
  auto again = server.Cli({"alert", "cancel", "--network", "demo", "1"});
  CHECK(again.exit_code == 1);  // the server's 409, said plainly
  CHECK(again.err.find("tocsind: ") == 0);
  CHECK(server.Cli({"alert", "list", "--network", "demo", "--status", "open"}).out.find("E8") == std::string::npos);

  // An alert that reaches nobody still stands, and the CLI says why.
  auto nobody = server.Cli({"alert", "raise", "--network", "demo", "--kind", "other", "--area", "SE1",
                            "--location", "x", "--json"});
  REQUIRE(nobody.exit_code == 0);
  auto created = boost::json::parse(nobody.out).as_object();
  CHECK(created.at("recipients") == 0);
  auto cancelled = server.Cli({"alert", "cancel", "--network", "demo", std::to_string(created.at("id").as_int64())});
  CHECK(cancelled.exit_code == 0);
  auto warned = server.Cli({"alert", "raise", "--network", "demo", "--kind", "other", "--area", "SE1",
                            "--location", "x"});
  CHECK(warned.out.find("warning: ") != std::string::npos);
  RequireCliTokensRevoked(net.db);
  CHECK(server.Log().find("+447700900101") == std::string::npos);
}

TEST_CASE("cli alerts: bad values name their option and change nothing", "[pg][cli][alerts]") {
  AlertNetwork net;
  auto& server = *net.server;
  auto tokens = net.db.Scalar("SELECT count(*) FROM api_tokens");
  struct Case {
    std::vector<std::string> args;
    const char* option;
  };
  for (const auto& c : {Case{{"--kind", "flood", "--area", "E8", "--location", "x"}, "--kind"},
                        Case{{"--kind", "raid", "--location", "x"}, "--area"},
                        Case{{"--kind", "raid", "--area", "E8;E9", "--location", "x"}, "--area"},
                        Case{{"--kind", "raid", "--area", "E8"}, "--location"},
                        Case{{"--kind", "removal", "--area", "E8", "--location", "x"}, "--deadline"},
                        Case{{"--kind", "removal", "--area", "E8", "--location", "x", "--deadline", "tomorrow"}, "--deadline"},
                        Case{{"--kind", "raid", "--area", "E8", "--location", "x", "--colour", "red"}, "--colour"}}) {
    std::vector<std::string> args = {"alert", "raise", "--network", "demo"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = server.Cli(args);
    INFO(c.option << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.option) != std::string::npos);
  }
  CHECK(server.Cli({"alert", "list", "--network", "demo", "--status", "done"}).err.find("--status") != std::string::npos);
  CHECK(server.Cli({"alert", "show", "--network", "demo", "first"}).exit_code == 2);
  CHECK(server.Cli({"alert", "show", "--network", "nowhere", "1"}).exit_code == 1);
  CHECK(net.db.Scalar("SELECT count(*) FROM alerts") == "0");
  CHECK(net.db.Scalar("SELECT count(*) FROM api_tokens") == tokens);
}

TEST_CASE("cli alerts: with the server stopped the CLI says so and leaves no token", "[pg][cli][alerts]") {
  TestDatabase db;
  TocsindProcess server(db);
  REQUIRE(server.Cli({"network", "create", "--name", "Demo", "--slug", "demo", "--number", "+447700900001"}).exit_code == 0);
  auto r = server.Cli({"alert", "raise", "--network", "demo", "--kind", "raid", "--area", "E8", "--location", "x"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot reach tocsind at http://127.0.0.1:" + std::to_string(server.port()) +
                   " (is `tocsind serve` running?)") != std::string::npos);
  CHECK(server.Cli({"alert", "list", "--network", "demo"}).err.find("cannot reach tocsind") != std::string::npos);
  CHECK(db.Scalar("SELECT count(*) FROM api_tokens") == "0");
  CHECK(db.Scalar("SELECT count(*) FROM alerts") == "0");
}
