#include "tests/support/test_env.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"
#include "tests/support/paths.h"

namespace tocsin::test {

std::string ClusterUrl() {
  const char* url = std::getenv("TOCSIN_TEST_DATABASE_URL");
  if (!url || !*url) {
    FAIL("TOCSIN_TEST_DATABASE_URL is not set: run the tests through deploy/test.sh");
  }
  return url;
}

namespace {

// Replaces the database name (the path) of a postgresql:// URL.
std::string WithDatabase(const std::string& url, const std::string& db) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  auto query = url.find('?');
  std::string base = slash == std::string::npos ? url.substr(0, query) : url.substr(0, slash);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + db + rest;
}

}  // namespace

TestDatabase::TestDatabase() {
  static std::atomic<int> counter{0};
  admin_url_ = ClusterUrl();
  name_ = "tocsin_t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  pqxx::connection c(admin_url_);
  pqxx::nontransaction tx(c);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_));
  tx.exec("CREATE DATABASE " + tx.quote_name(name_));
  url_ = WithDatabase(admin_url_, name_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection c(admin_url_);
    pqxx::nontransaction tx(c);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (...) {
    // Best effort: the throwaway cluster goes away with the run anyway.
  }
}

std::string TestDatabase::Scalar(const std::string& sql) const {
  pqxx::connection c(url_);
  pqxx::nontransaction tx(c);
  auto r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].as<std::string>();
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a free port");
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string TestDataKey() {
  InitCrypto();
  return GenerateDataKeyHex();
}

void TestClusterCtl(const std::string& verb) {
  const char* dir = std::getenv("TOCSIN_TEST_PG_DIR");
  const char* port = std::getenv("TOCSIN_TEST_PG_PORT");
  if (!dir || !port) FAIL("TOCSIN_TEST_PG_DIR/PORT are not set: run the tests through deploy/test.sh");
  auto cmd = tocsin::test::SourceDir() + "/deploy/pg.sh " + verb + " " + dir +
             (verb == "start" ? std::string(" ") + port : "") + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
}

}  // namespace tocsin::test
