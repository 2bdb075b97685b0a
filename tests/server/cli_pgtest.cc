// The operator CLI: network create, token create, members import, keygen.
#include <catch2/catch.hpp>

#include <fstream>

#include "tests/support/server_process.h"

using namespace tocsin::test;

TEST_CASE("cli: create a network, a token and import members without curl", "[pg][cli]") {
  TestDatabase db;
  TocsindProcess server(db);

  auto keygen = server.Cli({"keygen"});
  CHECK(keygen.exit_code == 0);
  CHECK(keygen.out.size() == 65);  // 64 hex + newline

  auto net = server.Cli({"network", "create", "--name", "Demo", "--slug", "demo", "--number", "07700900001"});
  INFO(net.err);
  REQUIRE(net.exit_code == 0);
  CHECK(server.Cli({"network", "create", "--name", "Demo", "--slug", "demo", "--number", "07700900001"}).exit_code == 1);
  CHECK(server.Cli({"network", "create", "--name", "Demo", "--slug", "demo", "--number", "07700900001",
                    "--if-not-exists"}).exit_code == 0);
  auto bad = server.Cli({"network", "create", "--name", "X", "--slug", "xx", "--number", "123"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("numbers[0]") != std::string::npos);
  CHECK(server.Cli({"network", "create", "--slug", "y"}).exit_code == 2);

  auto token = server.Cli({"token", "create", "--network", "demo", "--role", "coordinator"});
  REQUIRE(token.exit_code == 0);
  auto t = token.out.substr(0, token.out.find('\n'));
  CHECK(t.rfind("tcs_", 0) == 0);

  auto path = server.config_path() + ".members.csv";
  std::ofstream(path) << "phone,name,language,areas,roles,channels\n07700900111,A,en,SE15,responder,sms\nbad,B,en,,,\n";
  auto imp = server.Cli({"members", "import", "--network", "demo", path});
  CHECK(imp.exit_code == 3);
  CHECK(imp.err.find("created 1") != std::string::npos);
  CHECK(imp.err.find("line 3") != std::string::npos);
  CHECK(imp.err.find("07700900111") == std::string::npos);

  server.Start();
  auto list = server.Client(t).Get("/v1/networks/demo/members");
  REQUIRE(list.status == 200);
  CHECK(list.Json().as_object().at("members").as_array().size() == 1);
  CHECK(server.Cli({"frobnicate"}).exit_code == 2);
}
