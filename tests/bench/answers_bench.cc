// Answers benchmark (prints figures; asserts nothing about speed). Run with tests/bench/run.sh.
//
// The real tocsind, an alert to 100,000 members (sandbox provider, sending slowly so the
// dispatcher stays out of the way), then a load generator on loopback: kClients keep-alive
// connections driven by kGenerators threads (plain sockets and epoll), posting signed inbound replies ("1" or "2")
// from random members.
// The server answers only once the reply is durable (group commit), so the request's latency is
// request -> durable record. Two runs, each printing answers/s and latency p50/p99/max:
//   - closed loop: each connection sends its next reply when its last one is answered (the most
//     the server takes; with N connections the mean latency is N / throughput, by Little's law);
//   - open loop: replies offered at kOfferedPerSecond whatever the answers, the latency counted
//     from when each was due (the question "does it take 10,000/s, and how fast?").
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include "tests/support/bench_util.h"
#include "tests/support/load_generator.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kAuthToken = "bench_auth_token_0123456789";
constexpr int kMembers = 100000;
constexpr int kAnswers = 60000;
constexpr int kClients = 192;
constexpr int kGenerators = 2;  // threads of the load generator
constexpr double kOfferedPerSecond = 10000;  // the open-loop run's offered load

}  // namespace

TEST_CASE("bench: answers", "[.bench][answers]") {
  TestDatabase db;
  TocsindProcess server(db, SandboxBenchConfig(kAuthToken));
  server.Start();
  auto c = CreateSandboxBenchNetwork(server, "coordinator");
  LoadMembers(db, server.data_key(), "bench", kMembers);
  auto raised = c.Post("/v1/networks/bench/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  REQUIRE(raised.status == 201);
  REQUIRE(raised.Json().as_object().at("recipients") == kMembers);

  // Signed requests, prepared up front so the generator only sends.
  auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/twilio/sms";
  std::mt19937 rng(42);
  std::vector<Prepared> requests;
  for (int i = 0; i < 2 * kAnswers; ++i) {
    requests.push_back(SignedSms(url, kAuthToken, "SMbench" + std::to_string(i),
                                 BenchPhone(static_cast<int>(rng() % kMembers)), "+447700900001", i % 3 ? "1" : "2"));
  }

  auto machine_busy = [] {  // jiffies busy and total, all cores, from /proc/stat
    std::ifstream in("/proc/stat");
    std::string cpu;
    long long v, busy = 0, total = 0;
    in >> cpu;
    for (int i = 0; i < 8 && in >> v; ++i) {
      total += v;
      if (i != 3 && i != 4) busy += v;
    }
    return std::make_pair(busy, total);
  };
  // One run of the load: closed loop (as fast as the answers come back), or open loop at
  // `per_second` offered; `first` is the index of its first request.
  struct Run {
    double seconds = 0, server_cpu = 0, machine_util = 0;
    int errors = 0;
    std::vector<double> latencies;
  };
  auto run = [&](int first, int count, double per_second) {
    auto cpu0 = CpuSeconds(server.pid());
    auto machine0 = machine_busy();
    std::vector<Prepared> slice(requests.begin() + first, requests.begin() + first + count);
    std::atomic<int> next{0};
    std::vector<GeneratorResult> results(kGenerators);
    auto started = std::chrono::steady_clock::now();
    {
      // kGenerators threads drive the connections (support/load_generator.h): the generator
      // spends as little of the shared CPU as it can.
      std::vector<std::thread> generators;
      for (int g = 0; g < kGenerators; ++g) {
        generators.emplace_back([&, g] {
          results[g] = per_second > 0 ? Generate(url, slice, next, kClients / kGenerators, started, per_second)
                                      : Generate(url, slice, next, kClients / kGenerators);
        });
      }
      for (auto& t : generators) t.join();
    }
    Run r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    r.server_cpu = CpuSeconds(server.pid()) - cpu0;
    auto machine1 = machine_busy();
    r.machine_util = double(machine1.first - machine0.first) / double(machine1.second - machine0.second);
    for (auto& g : results) {
      r.errors += g.errors;
      r.latencies.insert(r.latencies.end(), g.latencies_ms.begin(), g.latencies_ms.end());
    }
    std::sort(r.latencies.begin(), r.latencies.end());
    return r;
  };
  auto report = [](const Run& r, int count) {
    auto pct = [&](double p) { return Percentile(r.latencies, p); };
    std::printf("  answers/s:                      %.0f\n", count / r.seconds);
    std::printf("  latency request -> durable:     p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", pct(0.5), pct(0.99),
                r.latencies.back());
    std::printf("  server CPU per answer:          %.3f ms (machine busy %.0f%% of 2 cores: server,"
                " PostgreSQL and the load generator share them)\n", r.server_cpu / count * 1000, r.machine_util * 100);
    std::printf("  errors: %d\n", r.errors);
  };
  auto closed = run(0, kAnswers, 0);
  std::printf("answers: %d signed replies from %d clients, alert of %d members\n", kAnswers, kClients, kMembers);
  std::printf("  (closed loop: each client sends its next reply when the last one is durable)\n");
  report(closed, kAnswers);
  std::fflush(stdout);
  auto open = run(kAnswers, kAnswers, kOfferedPerSecond);
  std::printf("answers offered at %.0f/s (open loop over %d connections; latency from when each was due)\n",
              kOfferedPerSecond, kClients);
  report(open, kAnswers);
  auto stored = db.Scalar("SELECT count(*) FROM responses");
  std::printf("  responses stored (both runs): %s\n", stored.c_str());
  std::fflush(stdout);
  CHECK(closed.errors + open.errors == 0);
  CHECK(stored == std::to_string(2 * kAnswers));
}

int main(int argc, char* argv[]) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = Catch::Session().run(argc, argv);
  curl_global_cleanup();
  return rc;
}
