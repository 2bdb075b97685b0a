// Fan-out benchmark (prints figures; asserts nothing about speed). Run with tests/bench/run.sh.
//
// Starts the fake Twilio in this process (no rate limit, 1 ms latency), the real tocsind with the
// twilio provider pointed at it, loads N members straight into PostgreSQL (COPY, sealed with the
// server's key), raises one alert and measures:
//   - alert accepted (201 received) -> first provider request, in ms;
//   - deliveries per second from the first provider request to the last;
//   - end to end: 201 -> every delivery durably 'sent' in PostgreSQL;
//   - server CPU seconds per 1,000 deliveries (utime + stime from /proc), peak RSS (VmHWM);
//   - database transactions per delivery (pg_stat_database; each is BEGIN, 1-3 statements,
//     COMMIT on one connection).
// Then two networks at once: a 10-member alert raised in a second network while the first
// network's 100,000-member alert is sending: 201 -> the small network's first provider request.
// Then the rate scenario: 5 sender numbers at 10 segments/s each against a fake that enforces
// the same rate per From: the measured rate and the fake's count of violations.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <curl/curl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <pqxx/pqxx>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/bench_util.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kNumbers = {"+447700900001", "+447700900002", "+447700900003",
                                           "+447700900004", "+447700900005"};

long long Transactions(const TestDatabase& db) {
  return std::stoll(db.Scalar("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '" +
                              db.name() + "'"));
}

HttpClient CreateBenchNetwork(const TocsindProcess& server, double rate_per_number) {
  std::string numbers;
  for (const auto& n : kNumbers) {
    numbers += std::string(numbers.empty() ? "" : ",") + R"({"number":")" + n +
               R"(","segments_per_second":)" + std::to_string(rate_per_number) + "}";
  }
  auto admin = server.Admin();
  auto r = admin.Post("/v1/networks", R"({"name":"Bench","slug":"bench","numbers":[)" + numbers + "]}");
  REQUIRE(r.status == 201);
  auto t = admin.Post("/v1/networks/bench/tokens", R"({"role":"coordinator"})");
  return server.Client(std::string(t.Json().as_object().at("token").as_string()));
}

std::string Config(const FakeTwilio& fake) {
  return "[sms]\nprovider = \"twilio\"\n[twilio]\naccount_sid = \"AC00000000000000000000000000000000\"\n"
         "auth_token = \"fake-auth-token\"\napi_base = \"" + fake.BaseUrl() + "\"\nmax_in_flight = 100\n"
         "[log]\nlevel = \"info\"\n";
}

// The fake for fan-out: the bench network's numbers and `more`, no rate limit, 1 ms latency.
FakeTwilioConfig UnlimitedFake(std::vector<std::string> more = {}) {
  FakeTwilioConfig fc;
  fc.numbers = kNumbers;
  fc.numbers.insert(fc.numbers.end(), more.begin(), more.end());
  fc.threads = 1;
  fc.segments_per_second = 0;
  return fc;
}

void FanOut(int members) {
  FakeTwilio fake(UnlimitedFake());
  fake.SetLatency(1ms);
  TestDatabase db;
  TocsindProcess server(db, Config(fake));
  // The benchmark process's logs stay quiet: debug logging would measure the logger.
  server.Start();
  auto c = CreateBenchNetwork(server, 10000);
  LoadMembers(db, server.data_key(), "bench", members);

  auto cpu0 = CpuSeconds(server.pid());
  auto tx0 = Transactions(db);
  auto r = c.Post("/v1/networks/bench/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  auto accepted_at = std::chrono::system_clock::now();
  auto steady_accepted = std::chrono::steady_clock::now();
  REQUIRE(r.status == 201);
  REQUIRE(r.Json().as_object().at("recipients") == members);
  auto alert = std::to_string(r.Json().as_object().at("id").as_int64());

  // The fake's count first (no database): polling PostgreSQL for a count of 100,000 rows while
  // the alert sends would take a large share of the machine from what is measured.
  REQUIRE(fake.WaitForMessages(static_cast<std::size_t>(members), 600s));
  Eventually([&] {
    return db.Scalar("SELECT count(*) FROM deliveries WHERE alert_id = " + alert + " AND state = 'sent'") ==
           std::to_string(members);
  }, "every delivery durably sent");
  const auto durable = std::chrono::steady_clock::now();
  auto cpu = CpuSeconds(server.pid()) - cpu0;
  auto transactions = Transactions(db) - tx0;
  auto messages = fake.Messages();
  auto first = messages.front().received_at, last = messages.front().received_at;
  for (const auto& m : messages) {
    first = std::min(first, m.received_at);
    last = std::max(last, m.received_at);
  }
  using ms = std::chrono::duration<double, std::milli>;
  std::printf("fan-out %d members\n", members);
  std::printf("  alert accepted -> first provider request: %.1f ms\n", ms(first - accepted_at).count());
  std::printf("  deliveries/s (first to last request):     %.0f\n",
              members / std::max(1e-9, std::chrono::duration<double>(last - first).count()));
  std::printf("  201 -> all %d durably sent:            %.2f s\n", members,
              std::chrono::duration<double>(durable - steady_accepted).count());
  std::printf("  server CPU per 1,000 deliveries:          %.4f s (%.4f ms per delivery)\n",
              cpu / members * 1000, cpu / members * 1000);
  std::printf("  server peak RSS:                          %.1f MiB\n", PeakRssKb(server.pid()) / 1024.0);
  std::printf("  db transactions per delivery:             %.4f\n", double(transactions) / members);
  std::printf("  provider requests: %zu (duplicates: %zu)\n", messages.size(), messages.size() - members);
  std::fflush(stdout);
}

// A second network (one number of its own) with `members` members, and a coordinator's client.
HttpClient CreateSmallNetwork(const TocsindProcess& server, const TestDatabase& db, const std::string& number,
                              int members) {
  auto admin = server.Admin();
  auto r = admin.Post("/v1/networks", R"({"name":"Small","slug":"small","numbers":[{"number":")" + number +
                                          R"(","segments_per_second":10000}]})");
  REQUIRE(r.status == 201);
  auto t = admin.Post("/v1/networks/small/tokens", R"({"role":"coordinator"})");
  LoadMembers(db, server.data_key(), "small", members);
  return server.Client(std::string(t.Json().as_object().at("token").as_string()));
}

void TwoNetworks() {
  const std::string small_number = "+447700900099";
  constexpr int kLarge = 100000, kSmall = 10;
  FakeTwilio fake(UnlimitedFake({small_number}));
  fake.SetLatency(1ms);
  TestDatabase db;
  TocsindProcess server(db, Config(fake));
  server.Start();
  auto large = CreateBenchNetwork(server, 10000);
  LoadMembers(db, server.data_key(), "bench", kLarge);
  auto small = CreateSmallNetwork(server, db, small_number, kSmall);

  REQUIRE(large.Post("/v1/networks/bench/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})")
              .status == 201);
  auto began = std::chrono::steady_clock::now();
  while (fake.Stats().accepted < 5000) {  // the large alert is sending at full speed
    std::this_thread::sleep_for(5ms);
    REQUIRE(std::chrono::steady_clock::now() - began < 120s);
  }
  auto r = small.Post("/v1/networks/small/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  auto accepted_at = std::chrono::system_clock::now();
  REQUIRE(r.status == 201);
  auto small_sent = [&] {
    auto by_from = fake.Stats().accepted_by_from;
    auto it = by_from.find(small_number);
    return it == by_from.end() ? 0ULL : static_cast<unsigned long long>(it->second);
  };
  while (small_sent() < kSmall) {
    std::this_thread::sleep_for(1ms);
    REQUIRE(std::chrono::steady_clock::now() - began < 300s);
  }
  auto messages = fake.Messages();
  auto first = std::chrono::system_clock::time_point::max(), last = std::chrono::system_clock::time_point::min();
  for (const auto& m : messages) {
    if (m.from != small_number) continue;
    first = std::min(first, m.received_at);
    last = std::max(last, m.received_at);
  }
  std::size_t large_meanwhile = 0;
  for (const auto& m : messages) large_meanwhile += m.from != small_number && m.received_at >= accepted_at && m.received_at < first;
  using ms = std::chrono::duration<double, std::milli>;
  std::printf("two networks: a %d-member alert raised while a %d-member alert of another network sends\n", kSmall,
              kLarge);
  std::printf("  small alert accepted -> its first provider request: %.1f ms (all %d: %.1f ms)\n",
              ms(first - accepted_at).count(), kSmall, ms(last - accepted_at).count());
  std::printf("  the large alert's requests meanwhile:              %zu\n", large_meanwhile);
  std::fflush(stdout);
}

void Rate() {
  FakeTwilioConfig fc;
  fc.numbers = kNumbers;
  fc.segments_per_second = 10;
  FakeTwilio fake(fc);
  TestDatabase db;
  TocsindProcess server(db, Config(fake));
  server.Start();
  auto c = CreateBenchNetwork(server, 10);
  const int members = 1000;  // 20 s at 50 segments/s
  LoadMembers(db, server.data_key(), "bench", members);
  auto r = c.Post("/v1/networks/bench/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  REQUIRE(r.status == 201);
  while (fake.Stats().accepted < static_cast<std::uint64_t>(members)) std::this_thread::sleep_for(50ms);
  auto messages = fake.Messages();
  auto first = messages.front().received_at, last = messages.front().received_at;
  long segments = 0;
  for (const auto& m : messages) {
    first = std::min(first, m.received_at);
    last = std::max(last, m.received_at);
    segments += m.segments;
  }
  // The first second's burst aside, the steady rate: segments after the first second / time.
  long steady = 0;
  for (const auto& m : messages) {
    if (m.received_at >= first + 1s) steady += m.segments;
  }
  double span = std::chrono::duration<double>(last - (first + 1s)).count();
  auto stats = fake.Stats();
  std::printf("rate: 5 numbers x 10 segments/s, %d one-segment messages\n", members);
  std::printf("  measured steady rate: %.2f segments/s (target 50, %.2f%% off)\n", steady / span,
              (steady / span - 50.0) / 50.0 * 100.0);
  std::printf("  overall: %ld segments in %.2f s\n", segments,
              std::chrono::duration<double>(last - first).count());
  std::printf("  rate violations counted by the fake: %llu\n",
              static_cast<unsigned long long>(stats.violations()));
  for (const auto& [from, n] : stats.accepted_by_from) std::printf("    %s: %llu\n", from.c_str(), (unsigned long long)n);
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("bench: fan-out", "[.bench][fanout]") {
  FanOut(10000);
  FanOut(100000);
}

TEST_CASE("bench: two networks", "[.bench][fanout][fairness]") { TwoNetworks(); }

TEST_CASE("bench: rate", "[.bench][rate]") { Rate(); }

int main(int argc, char* argv[]) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = Catch::Session().run(argc, argv);
  curl_global_cleanup();
  return rc;
}
