// Answers benchmark (prints figures; asserts nothing about speed). Run with tests/bench/run.sh.
//
// The real tocsind, an alert to 100,000 members (sandbox provider, sending slowly so the
// dispatcher stays out of the way), then a load generator on loopback: kClients threads, each
// with a keep-alive connection, posting signed inbound replies ("1" or "2") from random members.
// The server answers only once the reply is durable (group commit), so the request's latency is
// request -> durable record. Prints answers/s and latency p50/p99/max.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "dispatch/twilio/signature.h"
#include "tests/support/bench_util.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kAuthToken = "bench_auth_token_0123456789";
constexpr int kMembers = 100000;
constexpr int kAnswers = 60000;
constexpr int kClients = 192;

struct Prepared {
  std::string body;
  std::string signature;
};

std::size_t Discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

}  // namespace

TEST_CASE("bench: answers", "[.bench][answers]") {
  TestDatabase db;
  TocsindProcess server(db, std::string("[twilio]\nauth_token = \"") + kAuthToken +
                                "\"\ndefault_segments_per_second = 1\n[log]\nlevel = \"warn\"\n");
  server.Start();
  auto admin = server.Admin();
  REQUIRE(admin.Post("/v1/networks", R"({"name":"Bench","slug":"bench","numbers":["+447700900001"]})").status == 201);
  auto t = admin.Post("/v1/networks/bench/tokens", R"({"role":"coordinator"})");
  auto c = server.Client(std::string(t.Json().as_object().at("token").as_string()));
  LoadMembers(db, server.data_key(), "bench", kMembers);
  auto raised = c.Post("/v1/networks/bench/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  REQUIRE(raised.status == 201);
  REQUIRE(raised.Json().as_object().at("recipients") == kMembers);

  // Signed requests, prepared up front so the generator only sends.
  auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/twilio/sms";
  std::mt19937 rng(42);
  std::vector<Prepared> requests;
  for (int i = 0; i < kAnswers; ++i) {
    FormParams p = {{"MessageSid", "SMbench" + std::to_string(i)},
                    {"From", BenchPhone(static_cast<int>(rng() % kMembers))},
                    {"To", "+447700900001"},
                    {"Body", i % 3 ? "1" : "2"},
                    {"AccountSid", "AC00000000000000000000000000000000"}};
    requests.push_back({FormUrlEncode(p), TwilioSignature(kAuthToken, url, p)});
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
  auto cpu0 = CpuSeconds(server.pid());
  auto machine0 = machine_busy();
  std::atomic<int> next{0}, errors{0};
  std::vector<std::vector<double>> latencies(kClients);
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int k = 0; k < kClients; ++k) {
    clients.emplace_back([&, k] {
      CURL* curl = curl_easy_init();
      curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
      curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
      for (int i = next++; i < kAnswers; i = next++) {
        curl_slist* headers = curl_slist_append(nullptr, ("X-Twilio-Signature: " + requests[i].signature).c_str());
        headers = curl_slist_append(headers, "Expect:");
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, requests[i].body.c_str());
        auto t0 = std::chrono::steady_clock::now();
        auto rc = curl_easy_perform(curl);
        long status = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        latencies[k].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (rc != CURLE_OK || status != 200) ++errors;
        curl_slist_free_all(headers);
      }
      curl_easy_cleanup(curl);
    });
  }
  for (auto& th : clients) th.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto server_cpu = CpuSeconds(server.pid()) - cpu0;
  auto machine1 = machine_busy();
  double machine_util = double(machine1.first - machine0.first) / double(machine1.second - machine0.second);
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all[static_cast<std::size_t>(p * (all.size() - 1))]; };
  auto stored = db.Scalar("SELECT count(*) FROM responses");
  std::printf("answers: %d signed replies from %d clients, alert of %d members\n", kAnswers, kClients, kMembers);
  std::printf("  answers/s:                      %.0f\n", kAnswers / seconds);
  std::printf("  latency request -> durable:     p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", pct(0.5), pct(0.99),
              all.back());
  std::printf("  server CPU per answer:          %.3f ms (machine busy %.0f%% of 2 cores: server,"
              " PostgreSQL and the load generator share them)\n", server_cpu / kAnswers * 1000, machine_util * 100);
  std::printf("  errors: %d, responses stored: %s\n", errors.load(), stored.c_str());
  std::fflush(stdout);
  CHECK(errors == 0);
  CHECK(stored == std::to_string(kAnswers));
}

int main(int argc, char* argv[]) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = Catch::Session().run(argc, argv);
  curl_global_cleanup();
  return rc;
}
