// Case removal schedules benchmark (prints figures; asserts nothing about speed). Run with
// tests/bench/run.sh.
//
// The real tocsind (manual clock, sandbox SMS) and 1,000 open cases, each with one supporter
// (a member contact, role campaign), all served removal directions with the flight 73 hours
// away, under a removal policy of one step and the default schedule (at once; 72h, 24h and 6h
// before; 1h after, to the one coordinator). Printed:
//   - recording the 1,000 removal_directions (each raises a removal alert and sets its
//     schedule): ms per event through the API, and the schedule deadlines pending after
//     (rows of escalation_timers, and in the server's memory: its RSS before and after);
//   - at each firing (the clock advanced to the entry's time, so 1,000 entries come due at
//     once): asks queued, the advance until the escalator has handled them all (wall ms),
//     the server's CPU for it (utime + stime from /proc) and per ask, and until every ask is
//     sent to the sandbox provider.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "dispatch/util/clock.h"
#include "tests/support/bench_util.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr int kCases = 1000;
constexpr std::int64_t kHour = 3600 * 1000;

constexpr const char* kConfig =
    "[testing]\nmanual_clock = true\n[twilio]\ndefault_segments_per_second = 1000\n[log]\nlevel = \"warn\"\n";

std::int64_t Advance(const TocsindProcess& server, const std::string& by) {
  auto r = server.Admin().Post("/v1/admin/clock", R"({"advance":")" + by + R"("})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.Json().as_object().at("now_ms").as_int64();
}

std::int64_t Count(const TestDatabase& db, const std::string& sql) { return std::stoll(db.Scalar(sql)); }

const std::string kAsks =
    "SELECT count(*) FROM deliveries d JOIN alert_messages m ON m.alert_id = d.alert_id AND m.seq = d.seq"
    " AND m.language = d.language WHERE m.kind = 'case_ask'";

// Advances to the next entry and prints what its firing cost.
void Fire(const TestDatabase& db, const TocsindProcess& server, const char* what, const std::string& by) {
  const auto asks0 = Count(db, kAsks);
  const auto cpu0 = CpuSeconds(server.pid());
  const auto t0 = std::chrono::steady_clock::now();
  Advance(server, by);
  const auto handled = std::chrono::steady_clock::now();
  const double cpu = CpuSeconds(server.pid()) - cpu0;
  const auto asks = Count(db, kAsks) - asks0;
  Eventually([&] { return Count(db, kAsks + " AND d.state = 'queued'") == 0; }, "the asks sent", 600s);
  const auto sent = std::chrono::steady_clock::now();
  using ms = std::chrono::duration<double, std::milli>;
  std::printf("  %-22s asks %5lld   advance->handled %8.1f ms   server CPU %7.1f ms (%6.1f us/ask)   ->all sent %8.1f ms\n",
              what, static_cast<long long>(asks), ms(handled - t0).count(), cpu * 1000,
              asks > 0 ? cpu * 1e6 / asks : 0.0, ms(sent - t0).count());
  std::fflush(stdout);
}

void Run() {
  TestDatabase db;
  TocsindProcess server(db, kConfig);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "bench"));
  auto policy = c.Put("/v1/networks/bench/policies/removal", R"({"steps":[{"audience":{"roles":["coordinator"]}}]})");
  INFO(policy.body);
  REQUIRE(policy.status == 200);
  REQUIRE(c.Post("/v1/networks/bench/members", R"({"phone":"+447700800000","roles":["coordinator"]})").status == 201);
  std::vector<std::int64_t> cases;
  for (int i = 0; i < kCases; ++i) {
    auto m = c.Post("/v1/networks/bench/members", R"({"phone":")" + BenchPhone(i) + R"("})");
    REQUIRE(m.status == 201);
    auto k = c.Post("/v1/networks/bench/cases", R"({"name":"Case )" + std::to_string(i) + R"(","areas":["M8"]})");
    REQUIRE(k.status == 201);
    const auto id = k.Json().as_object().at("id").as_int64();
    auto contact = c.Post("/v1/networks/bench/cases/" + std::to_string(id) + "/contacts",
                          R"({"role":"campaign","member":)" + std::to_string(m.Json().as_object().at("id").as_int64()) +
                              "}");
    REQUIRE(contact.status == 201);
    cases.push_back(id);
  }

  const auto now = Advance(server, "1s");
  const auto deadline = Rfc3339Utc(now + 73 * kHour);
  const long rss0 = RssKb(server.pid());
  const auto cpu0 = CpuSeconds(server.pid());
  const auto t0 = std::chrono::steady_clock::now();
  for (auto id : cases) {
    auto r = c.Post("/v1/networks/bench/cases/" + std::to_string(id) + "/events",
                    R"({"type":"removal_directions","deadline":")" + deadline + R"("})");
    REQUIRE(r.status == 201);
  }
  const double record_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const double record_cpu = CpuSeconds(server.pid()) - cpu0;
  // Let the alerts' own messages go out first.
  Eventually([&] { return Count(db, "SELECT count(*) FROM deliveries WHERE state = 'queued' AND member_id IS NOT NULL") == 0; },
             "the alerts' own messages sent", 600s);
  const long rss1 = RssKb(server.pid());
  std::printf("cases: %d open cases, each with a removal schedule (default: at once, 72h/24h/6h before, 1h after)\n",
              kCases);
  std::printf("  recording removal_directions:   %.2f ms each (API round trip), server CPU %.2f ms each\n",
              record_ms / kCases, record_cpu * 1000 / kCases);
  std::printf("  schedule deadlines pending:     %lld (rows); server RSS %.1f MiB before, %.1f MiB after (+%.1f KiB per case)\n",
              static_cast<long long>(
                  Count(db, "SELECT count(*) FROM escalation_timers WHERE kind = 'schedule' AND state = 'pending'")),
              rss0 / 1024.0, rss1 / 1024.0, static_cast<double>(rss1 - rss0) / kCases);
  Fire(db, server, "72h before (1,000):", "1h");
  Fire(db, server, "24h before (1,000):", "48h");
  Fire(db, server, "6h before (1,000):", "18h");
  Fire(db, server, "1h after (1,000):", "7h");
  std::printf("  fired once each: %lld of %d; server peak RSS %.1f MiB\n",
              static_cast<long long>(
                  Count(db, "SELECT count(*) FROM escalation_timers WHERE kind = 'schedule' AND state = 'fired'")),
              4 * kCases, PeakRssKb(server.pid()) / 1024.0);
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("bench: case removal schedules", "[.bench][cases]") { Run(); }

int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
