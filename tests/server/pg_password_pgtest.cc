// deploy/pg.sh with TOCSIN_PG_PASSWORD (the quickstart's cluster): scram-sha-256 for every
// connection, for a new cluster and for one an older quickstart made with trust.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <pqxx/pqxx>

#include "tests/support/paths.h"
#include "tests/support/test_env.h"

using namespace tocsin::test;

namespace {

constexpr const char* kPassword = "0123456789abcdef0123456789abcdef";

int PgSh(const std::string& env, const std::string& args) {
  auto command = env + " " + tocsin::test::SourceDir() + "/deploy/pg.sh " + args;
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool Connects(const std::string& url) {
  try {
    pqxx::connection c(url);
    return c.is_open();
  } catch (const std::exception&) {
    return false;
  }
}

struct Cluster {
  std::string dir = (std::filesystem::temp_directory_path() / ("tocsin_pgpass_" + std::to_string(FreePort()))).string();
  int port = FreePort();
  ~Cluster() { PgSh("", "destroy " + dir + " >/dev/null 2>&1"); std::filesystem::remove_all(dir); }
  std::string Url(const std::string& extra = "") const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port) + "/postgres" + extra;
  }
};

}  // namespace

TEST_CASE("pg.sh: with a password, no connection without it, old trust clusters included", "[pg][pgpass]") {
  const std::string with_password = std::string("TOCSIN_PG_FAST=1 TOCSIN_PG_PASSWORD=") + kPassword;
  const std::string wrong = "?password=wrong";
  const std::string right = std::string("?password=") + kPassword;

  SECTION("a new cluster") {
    Cluster c;
    REQUIRE(PgSh(with_password, "start " + c.dir + " " + std::to_string(c.port)) == 0);
    CHECK_FALSE(Connects(c.Url()));
    CHECK_FALSE(Connects(c.Url(wrong)));
    CHECK(Connects(c.Url(right)));
    // As the quickstart's tocsind connects: a 0600 passfile named in the URL.
    auto passfile = c.dir + ".pgpass";
    std::ofstream(passfile) << "127.0.0.1:" << c.port << ":*:postgres:" << kPassword << "\n";
    std::filesystem::permissions(passfile, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    CHECK(Connects(c.Url("?passfile=" + passfile)));
    CHECK(PgSh(with_password, "createdb " + c.dir + " " + std::to_string(c.port) + " tocsin") == 0);
    std::filesystem::remove(passfile);
  }
  SECTION("a cluster an older quickstart made with trust is given the password on the next start") {
    Cluster c;
    REQUIRE(PgSh("TOCSIN_PG_FAST=1", "start " + c.dir + " " + std::to_string(c.port)) == 0);
    CHECK(Connects(c.Url()));  // trust, as before
    REQUIRE(PgSh(with_password, "start " + c.dir + " " + std::to_string(c.port)) == 0);  // running: converted
    CHECK_FALSE(Connects(c.Url()));
    CHECK(Connects(c.Url(right)));
    REQUIRE(PgSh("", "stop " + c.dir) == 0);
    REQUIRE(PgSh(with_password, "start " + c.dir + " " + std::to_string(c.port)) == 0);  // and stays so
    CHECK_FALSE(Connects(c.Url()));
    CHECK(Connects(c.Url(right)));
  }
}
