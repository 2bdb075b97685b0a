// Webhook benchmark (prints figures; asserts nothing about speed). Run with tests/bench/run.sh.
//
// The real tocsind (manual clock, private http targets allowed) and a loopback receiver in this
// process that answers 200 after 1 ms. 25 organisations, each with one endpoint subscribed to
// alert.raised, and a policy for `other` alerts whose second step, a minute in, reaches every
// organisation. 400 alerts are raised (their first step reaches nobody), then the clock is
// advanced a minute: the escalator starts 400 second steps at once, which queue 10,000 webhook
// deliveries (25 x 400), and the webhook sender sends them, at most 4 in flight per endpoint.
// Measured from the advance to every delivery durably 'delivered' in PostgreSQL:
//   - advance -> first request at the receiver, in ms;
//   - deliveries per second from the first request to the last;
//   - advance -> all durably delivered;
//   - server CPU per delivery (utime + stime from /proc: the escalation steps, the fan-out to
//     endpoints, signing, HTTP and the group commits of the outcomes), peak RSS;
//   - requests, duplicates (requests beyond one per endpoint and webhook-id: an event keeps one
//     webhook-id for all its endpoints) and signatures that verify (checked afterwards with the
//     receiver's own OpenSSL implementation, against each endpoint's secret).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/fakes/webhook_receiver.h"
#include "tests/support/bench_util.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr int kOrganisations = 25;
constexpr int kAlerts = 400;
constexpr int kDeliveries = kOrganisations * kAlerts;

constexpr const char* kConfig =
    "[testing]\nmanual_clock = true\n"
    "[webhooks]\nallow_http = true\nallow_private_targets = true\n"
    "[log]\nlevel = \"info\"\n";

std::string HookPath(int i) { return "/hook/" + std::to_string(i); }

// Creates the organisations and their endpoints; returns each endpoint's secret by path.
std::map<std::string, std::string> AddEndpoints(const HttpClient& c, const WebhookReceiver& rx) {
  std::map<std::string, std::string> secrets;
  for (int i = 0; i < kOrganisations; ++i) {
    const auto n = std::to_string(i);
    auto org = c.Post("/v1/networks/bench/organisations", R"({"name":"Org )" + n + R"(","slug":"org-)" + n + "\"}");
    INFO(org.body);
    REQUIRE(org.status == 201);
    const auto id = std::to_string(org.Json().as_object().at("id").as_int64());
    auto hook = c.Post("/v1/networks/bench/organisations/" + id + "/webhooks",
                       R"({"url":")" + rx.Url(HookPath(i)) + R"(","events":["alert.raised"]})");
    INFO(hook.body);
    REQUIRE(hook.status == 201);
    secrets[HookPath(i)] = std::string(hook.Json().as_object().at("secret").as_string());
  }
  return secrets;
}

void Run() {
  WebhookReceiver rx;
  rx.Answer({200, "", false, 1ms});
  TestDatabase db;
  TocsindProcess server(db, kConfig);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "bench"));
  const auto secrets = AddEndpoints(c, rx);
  auto policy = c.Put("/v1/networks/bench/policies/other", R"({"steps":[
      {"audience":{"areas":"alert"},"wait":"1m"},{"audience":{"organisations":"all"}}]})");
  INFO(policy.body);
  REQUIRE(policy.status == 200);
  for (int i = 0; i < kAlerts; ++i) {
    auto r = c.Post("/v1/networks/bench/alerts", R"({"kind":"other","areas":["SE15"],"location":"Bench"})");
    REQUIRE(r.status == 201);
  }
  REQUIRE(rx.Count() == 0);

  const auto cpu0 = CpuSeconds(server.pid());
  const auto advanced_at = std::chrono::system_clock::now();
  const auto steady0 = std::chrono::steady_clock::now();
  auto advance = server.Admin().Post("/v1/admin/clock", R"({"advance":"1m"})");
  INFO(advance.body);
  REQUIRE(advance.status == 200);
  const std::string delivered_sql =
      "SELECT count(*) FROM deliveries WHERE channel = 'webhook' AND state = 'delivered'";
  std::chrono::steady_clock::time_point durable;
  for (;;) {
    if (db.Scalar(delivered_sql) == std::to_string(kDeliveries)) {
      durable = std::chrono::steady_clock::now();
      break;
    }
    std::this_thread::sleep_for(20ms);
    REQUIRE(std::chrono::steady_clock::now() - steady0 < 600s);
  }
  const double cpu = CpuSeconds(server.pid()) - cpu0;

  // The receiver records each request before answering it: every delivered one is here.
  const auto received = rx.Received();
  REQUIRE(!received.empty());
  std::set<std::string> ids;
  std::size_t verified = 0;
  auto first = received.front().received_at, last = first;
  for (const auto& w : received) {
    ids.insert(w.path + " " + w.id);
    first = std::min(first, w.received_at);
    last = std::max(last, w.received_at);
    const auto secret = secrets.find(w.path);
    if (secret != secrets.end() &&
        ReceiverSignatureMatches({secret->second}, w.id, w.timestamp, w.body, w.signature)) {
      ++verified;
    }
  }
  using ms = std::chrono::duration<double, std::milli>;
  std::printf("webhooks: %d deliveries (%d endpoints x %d alerts), receiver answering 200 after 1 ms\n",
              kDeliveries, kOrganisations, kAlerts);
  std::printf("  requests: %zu (duplicates: %zu), signatures verified: %zu\n", received.size(),
              received.size() - ids.size(), verified);
  std::printf("  advance -> first request:              %.1f ms\n", ms(first - advanced_at).count());
  std::printf("  deliveries/s (first to last request): %.0f\n",
              kDeliveries / std::max(1e-9, std::chrono::duration<double>(last - first).count()));
  std::printf("  advance -> all durably delivered:      %.2f s\n",
              std::chrono::duration<double>(durable - steady0).count());
  std::printf("  server CPU per delivery:               %.3f ms\n", cpu / kDeliveries * 1000);
  std::printf("  server peak RSS:                       %.1f MiB\n", PeakRssKb(server.pid()) / 1024.0);
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("bench: webhooks", "[.bench][webhooks]") { Run(); }

int main(int argc, char* argv[]) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = Catch::Session().run(argc, argv);
  curl_global_cleanup();
  return rc;
}
