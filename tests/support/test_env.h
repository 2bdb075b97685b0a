// Test environment: a fresh PostgreSQL database per test (from TOCSIN_TEST_DATABASE_URL, which
// deploy/test.sh sets to its throwaway cluster), and small helpers.
#pragma once

#include <string>

namespace tocsin::test {

// Creates a uniquely named database on construction and drops it on destruction.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // Runs one SQL statement and returns the first column of the first row ("" if none).
  std::string Scalar(const std::string& sql) const;

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// The server-level URL of the test cluster; fails the test with a clear message if unset.
std::string ClusterUrl();
// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// A fresh 64-hex data key.
std::string TestDataKey();

// Stops ("stop") or starts ("start") the test cluster itself (deploy/pg.sh on
// TOCSIN_TEST_PG_DIR/PORT, which deploy/test.sh sets), for tests of a database outage.
void TestClusterCtl(const std::string& verb);

}  // namespace tocsin::test
