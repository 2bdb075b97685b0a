// Reports benchmark (issue 12; prints figures, asserts nothing about speed). Run with
// tests/bench/run.sh.
//
// 1. Verified -> sent: the real tocsind on the fake Twilio (in this process, no rate limit, 1 ms
//    latency) and a network of kAreas areas, each with one verifier and one responder. For each
//    of kAreas reports (POST .../reports, one per area, so none merges), once the verifier's
//    question has reached the fake, the verifier's signed "1 <code>" is posted; measured: from
//    just before that post to the fake's receipt of the alert's first SMS (the responder's).
//    p50 / p99 / max, in ms.
// 2. Intake with merging: kIntake signed SMS reports ("RAID SE<k> ...", each from its own
//    number; reports.from "anyone") in kIntakeAreas areas, offered at kOfferedPerSecond (open
//    loop, latency from when each was due). The answer comes once the report is stored and
//    merged or its verification begun, so the first report of each area starts a verification
//    and the rest merge into it. Reports/s, latency p50 / p99 / max, server CPU per report, and
//    the reports stored by status.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

#include "tests/support/bench_util.h"
#include "tests/support/eventually.h"
#include "tests/support/load_generator.h"
#include "tests/support/report_network.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr int kAreas = 200;
constexpr int kIntake = 5000;
constexpr int kIntakeAreas = 50;
constexpr double kOfferedPerSecond = 1000;
constexpr int kConnections = 64;
constexpr const char* kAuthToken = "bench_auth_token_0123456789";

// When the fake received its first message to `to`, if it has.
std::optional<std::chrono::system_clock::time_point> FirstTo(const FakeTwilio& fake, const std::string& to) {
  for (const auto& m : fake.Messages()) {
    if (m.to == to) return m.received_at;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("bench: a verifier's 1 -> the alert's first provider request", "[.bench][reports]") {
  ReportNetwork n("", "[log]\nlevel = \"warn\"\n");
  n.fake.SetLatency(1ms);
  for (int i = 0; i < kAreas; ++i) {
    const auto area = "B" + std::to_string(i);
    REQUIRE(n.c.Put("/v1/networks/demo/areas/" + area, R"({"neighbours":[]})").status == 200);
    n.Add(BenchPhone(i), R"("roles":["verifier"],"areas":[")" + area + R"("])");
    n.Add(BenchPhone(kAreas + i), R"("roles":["responder"],"areas":[")" + area + R"("])");
  }
  std::vector<double> ms;
  for (int i = 0; i < kAreas; ++i) {
    auto posted = n.c.Post("/v1/networks/demo/reports",
                           R"({"kind":"raid","areas":["B)" + std::to_string(i) + R"("],"location":"Rye Lane"})");
    REQUIRE(posted.status == 201);
    const std::string code(posted.Json().as_object().at("code").as_string());
    const auto verifier = BenchPhone(i), responder = BenchPhone(kAreas + i);
    n.WaitFor(verifier, 1, "the verifier asked");
    const auto t0 = std::chrono::system_clock::now();
    n.Sms(verifier, "1 " + code);
    std::optional<std::chrono::system_clock::time_point> first;
    Eventually([&] { return (first = FirstTo(n.fake, responder)).has_value(); }, "the alert's first SMS");
    ms.push_back(std::chrono::duration<double, std::milli>(*first - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("reports: a verifier's 1 -> the alert's first provider request (%d reports, one per area)\n", kAreas);
  std::printf("  p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", Percentile(ms, 0.5), Percentile(ms, 0.99), ms.back());
  std::fflush(stdout);
  CHECK(n.db.Scalar("SELECT count(*) FROM alerts WHERE status = 'open'") == std::to_string(kAreas));
}

TEST_CASE("bench: report intake with merging", "[.bench][reports]") {
  TestDatabase db;
  TocsindProcess server(db, SandboxBenchConfig(kAuthToken));
  server.Start();
  auto c = CreateSandboxBenchNetwork(server, "admin");
  REQUIRE(c.Patch("/v1/networks/bench", R"({"reports":{"from":"anyone"}})").status == 200);
  for (int k = 1; k <= kIntakeAreas; ++k) {
    REQUIRE(c.Put("/v1/networks/bench/areas/SE" + std::to_string(k), R"({"neighbours":[]})").status == 200);
  }
  const auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/twilio/sms";
  std::vector<Prepared> requests;
  for (int i = 0; i < kIntake; ++i) {
    requests.push_back(SignedSms(url, kAuthToken, "SMreport" + std::to_string(i), BenchPhone(i), "+447700900001",
                                 "RAID SE" + std::to_string(i % kIntakeAreas + 1) + " vans on the high street"));
  }
  const auto cpu0 = CpuSeconds(server.pid());
  std::atomic<int> next{0};
  const auto started = std::chrono::steady_clock::now();
  auto result = Generate(url, requests, next, kConnections, started, kOfferedPerSecond);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double cpu = CpuSeconds(server.pid()) - cpu0;
  auto& lat = result.latencies_ms;
  std::sort(lat.begin(), lat.end());
  std::printf("reports: %d SMS reports offered at %.0f/s in %d areas (open loop over %d connections)\n", kIntake,
              kOfferedPerSecond, kIntakeAreas, kConnections);
  std::printf("  reports/s:                      %.0f\n", kIntake / seconds);
  std::printf("  latency request -> stored:      p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", Percentile(lat, 0.5),
              Percentile(lat, 0.99), lat.back());
  std::printf("  server CPU per report:          %.3f ms\n", cpu / kIntake * 1000);
  const auto pending = db.Scalar("SELECT count(*) FROM reports WHERE status = 'pending'");
  const auto merged = db.Scalar("SELECT count(*) FROM reports WHERE status = 'merged'");
  // Figures only: an overloaded server answers late, and a request the generator gave up on
  // (an error) may still be stored.
  std::printf("  stored: %s pending (%d areas), %s merged; errors (no answer or not 200): %d\n", pending.c_str(),
              kIntakeAreas, merged.c_str(), result.errors);
  std::fflush(stdout);
}

int main(int argc, char* argv[]) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = Catch::Session().run(argc, argv);
  curl_global_cleanup();
  return rc;
}
