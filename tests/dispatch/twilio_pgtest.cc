// The dispatcher through the real binary against the fake Twilio (tests/fakes): rates, status
// callbacks, throttling, server errors, timeouts, permanent errors, SIGKILL and SIGTERM.
#include <catch2/catch.hpp>

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> kSenders = {"+447700900001", "+447700900002"};

FakeTwilio StartFake(double rate) {
  FakeTwilioConfig cfg;
  cfg.numbers = kSenders;
  cfg.threads = 2;
  cfg.segments_per_second = rate;
  return FakeTwilio(cfg);
}

std::string TwilioToml(const FakeTwilio& fake, int max_in_flight = 20, int timeout_ms = 15000) {
  return "[sms]\nprovider = \"twilio\"\n[twilio]\naccount_sid = \"AC00000000000000000000000000000000\"\n"
         "auth_token = \"fake-auth-token\"\napi_base = \"" + fake.BaseUrl() + "\"\n"
         "max_in_flight = " + std::to_string(max_in_flight) + "\n"
         "request_timeout_ms = " + std::to_string(timeout_ms) + "\n";
}

// A network with both senders at `rate` segments/s each and `members` responders in SE15.
HttpClient SetUpNetwork(const TocsindProcess& server, double rate, int members) {
  auto admin = server.Admin();
  auto net = admin.Post("/v1/networks", R"({"name":"Demo","slug":"demo","numbers":[
      {"number":"+447700900001","segments_per_second":)" + std::to_string(rate) + R"(},
      {"number":"+447700900002","segments_per_second":)" + std::to_string(rate) + R"(}]})");
  INFO(net.body);
  REQUIRE(net.status == 201);
  auto t = admin.Post("/v1/networks/demo/tokens", R"({"role":"coordinator"})");
  auto c = server.Client(std::string(t.Json().as_object().at("token").as_string()));
  std::string csv = "phone,areas,language\n";
  for (int i = 0; i < members; ++i) {
    csv += "+4477009" + std::to_string(10000 + i) + ",SE15," + (i % 3 == 0 ? "fa" : "en") + "\n";
  }
  auto imp = c.Post("/v1/networks/demo/members/import", csv, "text/csv");
  REQUIRE(imp.status == 200);
  REQUIRE(imp.Json().as_object().at("created") == members);
  return c;
}

std::int64_t Raise(const HttpClient& c) {
  auto r = c.Post("/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("id").as_int64();
}

std::string Count(const TestDatabase& db, const std::string& where) {
  return db.Scalar("SELECT count(*) FROM deliveries WHERE " + where);
}

}  // namespace

TEST_CASE("twilio: every member gets one SMS, senders share the load, rates hold", "[pg][twilio]") {
  auto fake = StartFake(5);  // Twilio's rate per From: 5 segments/s
  TestDatabase db;
  TocsindProcess server(db, TwilioToml(fake));
  server.Start();
  auto c = SetUpNetwork(server, 5, 30);
  fake.SetAutoCallbacks(true, 5ms, 10ms);
  auto id = Raise(c);

  Eventually([&] { return Count(db, "state = 'delivered'") == "30"; }, "30 delivered via signed callbacks");
  auto stats = fake.Stats();
  CHECK(stats.accepted == 30);
  CHECK(stats.violations() == 0);
  CHECK(stats.accepted_by_from["+447700900001"] > 0);
  CHECK(stats.accepted_by_from["+447700900002"] > 0);
  std::set<std::string> recipients;
  for (const auto& m : fake.Messages()) {
    recipients.insert(m.to);
    CHECK(m.validity_period == 900);  // raid
    CHECK(m.status_callback == "http://127.0.0.1:" + std::to_string(server.port()) + "/twilio/status");
    CHECK(m.body.find("Rye Lane") != std::string::npos);
  }
  CHECK(recipients.size() == 30);
  // Every delivery stored its provider id, sender and segment count.
  CHECK(Count(db, "alert_id = " + std::to_string(id) + " AND provider_id LIKE 'SM%' AND sender IS NOT NULL") == "30");
  // The segments we counted (and rate-limited by) are those the provider counted.
  std::uint64_t provider_segments = 0;
  for (const auto& [from, n] : stats.segments_by_from) provider_segments += n;
  CHECK(db.Scalar("SELECT sum(segments) FROM deliveries") == std::to_string(provider_segments));
}

TEST_CASE("twilio: 429, 500 and timeouts are retried; permanent errors fail", "[pg][twilio]") {
  auto fake = StartFake(0);
  TestDatabase db;
  TocsindProcess server(db, TwilioToml(fake, 20, 500));
  server.Start();
  auto c = SetUpNetwork(server, 50, 8);
  fake.SetPermanentError("+447700910000", 21211);  // member 0: invalid number
  fake.SetPermanentError("+447700910001", 21610);  // member 1: replied STOP
  fake.FailNextWith429(1, 1);
  fake.FailNextWith500(2);
  fake.HangNext(1, 2000ms);
  Raise(c);

  Eventually([&] { return Count(db, "state IN ('sent', 'failed')") == "8"; }, "all settled");
  CHECK(Count(db, "state = 'sent'") == "6");
  CHECK(db.Scalar("SELECT error_code FROM deliveries WHERE member_id = 1") == "21211");
  CHECK(db.Scalar("SELECT error_message FROM deliveries WHERE member_id = 1").find("7700") == std::string::npos);
  CHECK(db.Scalar("SELECT error_code FROM deliveries WHERE member_id = 2") == "21610");
  CHECK(db.Scalar("SELECT status FROM members WHERE id = 2") == "opted_out");
  // The throttled, failed and hung requests were retried: more attempts than deliveries.
  CHECK(db.Scalar("SELECT sum(attempts) FROM deliveries") >= "12");
  auto stats = fake.Stats();
  CHECK(stats.hung == 1);
  CHECK(stats.accepted == 6);
  CHECK(server.Log().find("7700910001") == std::string::npos);
}

TEST_CASE("twilio: SIGKILL mid fan-out, then restart: no member is left out or sent twice "
          "beyond the requests in flight", "[pg][twilio][durability]") {
  auto fake = StartFake(0);
  fake.SetLatency(20ms);
  TestDatabase db;
  const int members = 400, in_flight = 8;
  TocsindProcess server(db, TwilioToml(fake, in_flight));
  server.Start();
  auto c = SetUpNetwork(server, 50, members);  // 100 segments/s in all: about 5 s of sending
  Raise(c);
  Eventually([&] { return fake.Stats().accepted >= 100; }, "a quarter sent");
  server.Stop(SIGKILL);
  auto before = fake.Stats().accepted;
  CHECK(before < static_cast<std::uint64_t>(members));

  server.Start();
  Eventually([&] { return Count(db, "state = 'sent'") == std::to_string(members); }, "all sent after restart");
  std::map<std::string, int> per_member;
  for (const auto& m : fake.Messages()) ++per_member[m.to];
  CHECK(per_member.size() == static_cast<std::size_t>(members));
  int duplicates = 0;
  for (const auto& [to, n] : per_member) duplicates += n - 1;
  INFO("duplicates after SIGKILL: " << duplicates);
  // Only what was in flight (or accepted but not yet written) at the kill can go twice.
  CHECK(duplicates <= in_flight + 64);
  CHECK(server.Log().find("queued again") != std::string::npos);
}

TEST_CASE("twilio: SIGTERM drains: no new sends, in-flight finish and are recorded", "[pg][twilio][durability]") {
  auto fake = StartFake(0);
  fake.SetLatency(50ms);
  TestDatabase db;
  TocsindProcess server(db, TwilioToml(fake, 5));
  server.Start();
  auto c = SetUpNetwork(server, 20, 200);
  Raise(c);
  Eventually([&] { return fake.Stats().accepted >= 20; }, "some sent");
  CHECK(server.Stop(SIGTERM) == 0);
  auto accepted = fake.Stats().accepted;
  // Everything the provider accepted is recorded, nothing is left claimed.
  CHECK(Count(db, "state = 'sent'") == std::to_string(accepted));
  CHECK(Count(db, "state = 'sending'") == "0");
  CHECK(Count(db, "state = 'queued'") == std::to_string(200 - accepted));
  std::this_thread::sleep_for(200ms);
  CHECK(fake.Stats().accepted == accepted);  // nothing sent after exit
}

TEST_CASE("twilio: PostgreSQL restarts mid fan-out: readyz reports it, sending carries on",
          "[pg][twilio][durability][pgrestart]") {
  auto fake = StartFake(0);
  fake.SetLatency(2ms);
  TestDatabase db;
  const int members = 600;
  TocsindProcess server(db, TwilioToml(fake, 10));
  server.Start();
  auto c = SetUpNetwork(server, 100, members);  // 200 segments/s: about 3 s of sending
  Raise(c);
  Eventually([&] { return fake.Stats().accepted >= 100; }, "some sent");

  TestClusterCtl("stop");
  auto anon = server.Client();
  Eventually([&] { return anon.Get("/readyz").status == 503; }, "readyz to report the outage");
  CHECK(anon.Get("/healthz").status == 200);  // the process itself is fine
  std::this_thread::sleep_for(1s);
  TestClusterCtl("start");
  Eventually([&] { return anon.Get("/readyz").status == 200; }, "readyz to recover");

  Eventually([&] { return Count(db, "state = 'sent'") == std::to_string(members); }, "all sent");
  std::map<std::string, int> per_member;
  for (const auto& m : fake.Messages()) ++per_member[m.to];
  CHECK(per_member.size() == static_cast<std::size_t>(members));
  int duplicates = 0;
  for (const auto& [to, n] : per_member) duplicates += n - 1;
  CHECK(duplicates == 0);  // the process lived: nothing it recorded was lost or resent
}

TEST_CASE("twilio: nothing of a cancelled alert leaves after the cancel's 200 but what was on the wire",
          "[pg][twilio][cancel]") {
  auto fake = StartFake(0);
  fake.SetLatency(20ms);  // each request stays on the wire a while
  TestDatabase db;
  const int max_in_flight = 20;
  const int members = 2000;
  TocsindProcess server(db, TwilioToml(fake, max_in_flight));
  server.Start();
  auto c = SetUpNetwork(server, 50, members);  // 100 segments/s in all: 20 s or more for everyone
  auto id = Raise(c);
  Eventually([&] { return fake.Stats().accepted >= 150; }, "the fan-out under way");
  auto r = c.Post("/v1/networks/demo/alerts/" + std::to_string(id) + "/cancel", R"({"message":"False alarm."})");
  REQUIRE(r.status == 200);
  auto answered = std::chrono::system_clock::now();
  // The cancellation goes to everyone the alert reached; once it has, nothing else is pending.
  auto settled = [&] {
    return Count(db, "state IN ('queued', 'sending')") == "0" &&
           Count(db, "seq > 0 AND state = 'sent'") == Count(db, "seq = 0 AND state = 'sent'");
  };
  Eventually(settled, "the cancellation sent to everyone reached");
  int alert_after = 0, alert_total = 0, cancels = 0;
  for (const auto& m : fake.Messages()) {
    bool alert_message = m.body.find("Rye Lane") != std::string::npos;
    alert_total += alert_message;
    cancels += !alert_message;
    if (alert_message && m.received_at > answered) ++alert_after;
  }
  INFO("alert messages " << alert_total << ", after the 200: " << alert_after << ", cancellations " << cancels);
  CHECK(alert_after <= max_in_flight);  // only requests already on the wire
  CHECK(alert_total < members);
  CHECK(std::to_string(alert_total) == Count(db, "seq = 0 AND state = 'sent'"));  // each one recorded
  CHECK(cancels == alert_total);
  CHECK(Count(db, "seq = 0 AND state = 'cancelled'") == std::to_string(members - alert_total));
}

TEST_CASE("twilio: one network's large alert does not hold back another network's first messages",
          "[pg][twilio][fairness]") {
  const std::string other_number = "+447700900003";
  FakeTwilioConfig cfg;
  cfg.numbers = kSenders;
  cfg.numbers.push_back(other_number);
  cfg.threads = 2;
  cfg.segments_per_second = 0;
  FakeTwilio fake(cfg);
  fake.SetLatency(5ms);
  TestDatabase db;
  TocsindProcess server(db, TwilioToml(fake, 2));  // the account's cap: 2 requests in flight
  server.Start();
  auto c = SetUpNetwork(server, 1000, 600);  // claimed whole within a few claims: a deep queue
  auto admin = server.Admin();
  REQUIRE(admin.Post("/v1/networks", R"({"name":"Other","slug":"other","numbers":[")" + other_number + R"("]})")
              .status == 201);
  auto t = admin.Post("/v1/networks/other/tokens", R"({"role":"coordinator"})");
  auto other = server.Client(std::string(t.Json().as_object().at("token").as_string()));
  REQUIRE(other.Post("/v1/networks/other/members/import", "phone,areas\n+447700910001,SE15\n+447700910002,SE15\n",
                     "text/csv")
              .status == 200);

  Raise(c);
  Eventually([&] { return fake.Stats().accepted >= 20; }, "the large fan-out under way");
  auto r = other.Post("/v1/networks/other/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  REQUIRE(r.status == 201);
  auto raised = std::chrono::system_clock::now();
  Eventually([&] { return fake.Stats().accepted_by_from[other_number] == 2; }, "the other network's alert sent");
  auto messages = fake.Messages();
  auto first_other = std::chrono::system_clock::time_point::max();
  for (const auto& m : messages) {
    if (m.from == other_number) first_other = std::min(first_other, m.received_at);
  }
  int large_before = 0, large_total = 0;
  for (const auto& m : messages) {
    if (m.from == other_number) continue;
    ++large_total;
    large_before += m.received_at >= raised && m.received_at < first_other;
  }
  INFO("the large alert's requests between the small alert's 201 and its first request: " << large_before);
  // Taking turns, the small network waits for its claim and a turn or two, not for the backlog
  // the large one had claimed (hundreds of messages at 2 in flight).
  CHECK(large_before < 100);
  CHECK(large_total < 600);  // the large alert was still sending when the small one went
}

TEST_CASE("twilio: a status callback that races the recording of its message is not lost",
          "[pg][twilio][callbacks]") {
  auto fake = StartFake(0);
  // Callbacks at once: many arrive while the writer's batch recording their ids still commits.
  fake.SetAutoCallbacks(true, std::chrono::milliseconds(0), std::chrono::milliseconds(1));
  TestDatabase db;
  TocsindProcess server(db, TwilioToml(fake, 50) + "[http]\nmax_connections_per_address = 1000\n");
  server.Start();
  auto c = SetUpNetwork(server, 1000, 40);
  for (int i = 0; i < 10; ++i) Raise(c);
  Eventually([&] { return Count(db, "state IN ('queued', 'sending')") == "0"; }, "every alert sent");
  auto settle = std::chrono::steady_clock::now() + 30s;
  while (Count(db, "state = 'delivered'") != "400" && std::chrono::steady_clock::now() < settle) {
    std::this_thread::sleep_for(20ms);
  }
  INFO(db.Scalar("SELECT string_agg(state || ':' || n, ' ') FROM (SELECT state, count(*) n FROM deliveries"
                 " GROUP BY state) s") << "; fake: " << fake.StatsJson());
  CHECK(Count(db, "state = 'delivered'") == "400");  // every delivery's callbacks applied
  CHECK(db.Scalar("SELECT count(*) FROM early_status") == "0");  // none left waiting for its id
}
