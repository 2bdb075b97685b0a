#include "tests/support/bench_util.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin::test {

std::string SandboxBenchConfig(const std::string& auth_token) {
  return "[twilio]\nauth_token = \"" + auth_token + "\"\ndefault_segments_per_second = 1\n[log]\nlevel = \"warn\"\n";
}

HttpClient CreateSandboxBenchNetwork(const TocsindProcess& server, const std::string& role) {
  auto admin = server.Admin();
  REQUIRE(admin.Post("/v1/networks", R"({"name":"Bench","slug":"bench","numbers":["+447700900001"]})").status == 201);
  auto t = admin.Post("/v1/networks/bench/tokens", R"({"role":")" + role + R"("})");
  REQUIRE(t.status == 201);
  return server.Client(std::string(t.Json().as_object().at("token").as_string()));
}

std::string BenchPhone(int i) { return "+4477" + std::to_string(10000000 + i); }

void LoadMembers(const TestDatabase& db, const std::string& data_key, const std::string& slug, int n) {
  auto cipher = DataCipher::FromHex(data_key);
  REQUIRE(cipher.ok());
  pqxx::connection c(db.url());
  pqxx::work tx(c);
  auto network_id = tx.exec_params1("SELECT id FROM networks WHERE slug = $1", slug)[0].as<std::int64_t>();
  auto network = std::to_string(network_id);
  // Ids first: each sealed phone is bound to its member's id.
  std::vector<std::int64_t> ids;
  for (const auto& r : tx.exec_params("SELECT nextval(pg_get_serial_sequence('members', 'id'))"
                                      " FROM generate_series(1, $1)", n)) {
    ids.push_back(r[0].as<std::int64_t>());
  }
  pqxx::stream_to out(tx, "members", std::vector<std::string>{"id", "network_id", "phone_hash", "phone_enc",
                                                              "language", "areas"});
  for (int i = 0; i < n; ++i) {
    auto phone = BenchPhone(i);
    auto place = places::MemberPhone(network_id, ids[static_cast<std::size_t>(i)]);
    out << std::make_tuple(ids[static_cast<std::size_t>(i)], network, "\\x" + ToHex(cipher->LookupHash(network_id, phone)),
                           "\\x" + ToHex(cipher->Seal(phone, place)), std::string("en"), std::string("{SE15}"));
  }
  out.complete();
  tx.commit();
}

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  std::istringstream fields(s.substr(s.rfind(')') + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) stime = std::stol(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

namespace {

// The kB figure of `field` ("VmHWM:") in /proc/<pid>/status, 0 when absent.
long StatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  }
  return 0;
}

}  // namespace

long PeakRssKb(pid_t pid) { return StatusKb(pid, "VmHWM:"); }
long RssKb(pid_t pid) { return StatusKb(pid, "VmRSS:"); }

}  // namespace tocsin::test
