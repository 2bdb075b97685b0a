// twilio.redact_after_send through the real binary and the fake Twilio: once a message's status
// is final, Tocsin redacts its body at Twilio (one redaction per message); with the setting
// false it never asks.
#include <catch2/catch.hpp>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kNumber = "+447700900001";

std::string Toml(const FakeTwilio& fake, const std::string& extra) {
  return "[sms]\nprovider = \"twilio\"\n[twilio]\naccount_sid = \"AC00000000000000000000000000000000\"\n"
         "auth_token = \"fake-auth-token\"\napi_base = \"" + fake.BaseUrl() + "\"\n"
         "default_segments_per_second = 100\n" + extra;
}

// A network with `members` responders in SE15; returns a coordinator's client.
HttpClient SetUp(const TocsindProcess& server, int members) {
  auto c = server.Client(CreateNetworkWithToken(server, "demo", "coordinator", kNumber));
  for (int i = 0; i < members; ++i) {
    auto r = c.Post("/v1/networks/demo/members", R"({"phone":"+4477009006)" + std::to_string(10 + i) +
                                                     R"(","areas":["SE15"]})");
    REQUIRE(r.status == 201);
  }
  return c;
}

void Raise(const HttpClient& c, const std::string& areas = "SE15") {
  auto r = c.Post("/v1/networks/demo/alerts", R"({"kind":"raid","areas":[")" + areas + R"("],"location":"Rye Lane"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
}

}  // namespace

TEST_CASE("redaction: every message is redacted at Twilio once final, by default", "[pg][redaction][twilio]") {
  FakeTwilioConfig cfg;
  cfg.numbers = {kNumber};
  FakeTwilio fake(cfg);
  fake.SetAutoCallbacks(true, 1ms, 1ms);
  fake.SetDeliveryFailure("+447700900612", 30003);  // undelivered is final too
  TestDatabase db;
  TocsindProcess server(db, Toml(fake, ""));
  server.Start();
  auto c = SetUp(server, 3);
  Raise(c);

  Eventually([&] { return fake.Stats().redacted == 3; }, "three redactions");
  auto messages = fake.Messages();
  REQUIRE(messages.size() == 3);
  for (const auto& m : messages) {
    CHECK(m.redacted);
    CHECK((m.status == "delivered" || m.status == "undelivered"));
  }
  CHECK(db.Scalar("SELECT count(*) FROM deliveries WHERE state IN ('delivered', 'undelivered')") == "3");
  // Nothing was redacted early (Twilio refuses that; the fake answers 400 and counts it).
  CHECK(fake.Stats().rejected == 0);
}

TEST_CASE("redaction: with redact_after_send = false, Twilio is never asked", "[pg][redaction][twilio]") {
  FakeTwilioConfig cfg;
  cfg.numbers = {kNumber};
  FakeTwilio fake(cfg);
  fake.SetAutoCallbacks(true, 1ms, 1ms);
  TestDatabase db;
  TocsindProcess server(db, Toml(fake, "redact_after_send = false\n"));
  server.Start();
  auto c = SetUp(server, 3);
  Raise(c);
  Eventually([&] { return db.Scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered'") == "3"; },
             "three delivered");
  // Anything the final callbacks set off would go out on the same client before a later alert's
  // message: once that one is at Twilio, every request of the first has been seen.
  REQUIRE(c.Post("/v1/networks/demo/members", R"({"phone":"+447700900699","areas":["E1"]})").status == 201);
  Raise(c, "E1");
  Eventually([&] { return fake.Messages().size() == 4; }, "the later alert at Twilio");
  Eventually([&] { return db.Scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered'") == "4"; },
             "four delivered");
  CHECK(fake.Stats().redacted == 0);
  CHECK(fake.Stats().requests == 4);  // the sends, and nothing else
  for (const auto& m : fake.Messages()) CHECK_FALSE(m.redacted);
}
