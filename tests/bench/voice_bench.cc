// Voice benchmark (prints figures; asserts nothing about speed). Run with tests/bench/run.sh.
//
// The real tocsind placing 1,000 calls through the fake Twilio (Calls.json on loopback) at the
// account's rate of 50 calls per second (twilio.calls_per_second = 50; the fake counts calls
// over that rate as violations). One alert whose policy calls the 1,000 responders of its area;
// every callee answers at once and presses 1, so each call is: Calls.json, the status
// callbacks, the signed fetch of its TwiML (the answer webhook), the <Gather> action with the
// key, the final status. Measured until every delivery is durably 'delivered' and every answer
// recorded:
//   - calls/s held (from the first call placed to the last) and calls over the rate;
//   - answer webhook -> TwiML served: each TwiML fetch's round trip as the fake sees it, p50/p99
//     (the prompt, then the key's confirmation);
//   - server CPU per call (utime + stime from /proc: fan-out, placing, TwiML, status callbacks,
//     answers and their group commits), peak RSS.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/bench_util.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr int kCalls = 1000;
constexpr double kRate = 50;
constexpr const char* kNumber = "+447700900001";

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

void Run() {
  FakeTwilioConfig fc;
  fc.numbers = {kNumber};
  fc.threads = 2;
  fc.calls_per_second = kRate;
  FakeTwilio fake(fc);
  TestDatabase db;
  TocsindProcess server(db, "[sms]\nprovider = \"twilio\"\n[twilio]\naccount_sid = \"" + fc.account_sid +
                                "\"\nauth_token = \"" + fc.auth_token + "\"\napi_base = \"" + fake.BaseUrl() +
                                "\"\ncalls_per_second = 50\nmax_calls_in_flight = 200\n"
                                "[testing]\nmanual_clock = true\n[log]\nlevel = \"warn\"\n");
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "bench", "coordinator", kNumber));
  LoadMembers(db, server.data_key(), "bench", kCalls);
  for (int i = 0; i < kCalls; ++i) fake.SetCallee(BenchPhone(i), {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1"});
  auto policy = c.Put("/v1/networks/bench/policies/raid", R"({"steps":[
      {"audience":{"roles":["responder"],"areas":"alert"},"channel":"voice"}]})");
  INFO(policy.body);
  REQUIRE(policy.status == 200);

  const auto cpu0 = CpuSeconds(server.pid());
  const auto t0 = std::chrono::steady_clock::now();
  auto raised = c.Post("/v1/networks/bench/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  INFO(raised.body);
  REQUIRE(raised.status == 201);
  REQUIRE(fake.WaitForFinishedCalls(kCalls, 600s));
  Eventually([&] {
    return db.Scalar("SELECT count(*) FROM deliveries WHERE channel = 'voice' AND state = 'delivered'") ==
               std::to_string(kCalls) &&
           db.Scalar("SELECT count(*) FROM responses WHERE answer = 'going'") == std::to_string(kCalls);
  }, "every call delivered and answered", 600s);
  const auto done = std::chrono::steady_clock::now();
  const double cpu = CpuSeconds(server.pid()) - cpu0;

  const auto calls = fake.Calls();
  std::vector<double> prompt_ms, confirm_ms;
  auto first = calls.front().placed_at, last = first;
  int over_rate = 0, failed_fetches = 0;
  for (const auto& call : calls) {
    first = std::min(first, call.placed_at);
    last = std::max(last, call.placed_at);
    over_rate += call.over_rate ? 1 : 0;
    for (std::size_t i = 0; i < call.twiml_ms.size(); ++i) (i == 0 ? prompt_ms : confirm_ms).push_back(call.twiml_ms[i]);
    for (int status : call.twiml_replies) failed_fetches += status == 200 ? 0 : 1;
  }
  std::printf("voice: %d calls through the fake Twilio at %.0f calls/s (each answered at once, 1 pressed)\n",
              kCalls, kRate);
  std::printf("  calls placed: %zu, over the rate: %d, TwiML fetches not 200: %d\n", calls.size(), over_rate,
              failed_fetches);
  std::printf("  calls/s held (first to last placed):  %.1f\n",
              (static_cast<double>(calls.size()) - 1) / std::max(1e-9, std::chrono::duration<double>(last - first).count()));
  std::printf("  raise -> all delivered and answered:  %.1f s\n", std::chrono::duration<double>(done - t0).count());
  std::printf("  answer webhook -> TwiML served:       p50 %.2f ms, p99 %.2f ms (prompt, %zu fetches)\n",
              Percentile(prompt_ms, 0.5), Percentile(prompt_ms, 0.99), prompt_ms.size());
  std::printf("  key pressed -> confirmation served:   p50 %.2f ms, p99 %.2f ms (%zu fetches)\n",
              Percentile(confirm_ms, 0.5), Percentile(confirm_ms, 0.99), confirm_ms.size());
  std::printf("  server CPU per call:                  %.3f ms\n", cpu / kCalls * 1000);
  std::printf("  server peak RSS:                      %.1f MiB\n", PeakRssKb(server.pid()) / 1024.0);
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("bench: voice", "[.bench][voice]") { Run(); }

int main(int argc, char* argv[]) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = Catch::Session().run(argc, argv);
  curl_global_cleanup();
  return rc;
}
