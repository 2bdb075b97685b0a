#include "tests/support/alert_network.h"

#include <catch2/catch.hpp>

#include "dispatch/channels/twilio_signature.h"

namespace tocsin::test {

AlertNetwork::AlertNetwork(const std::string& extra_toml, const std::string& twilio_keys)
    : server(std::make_unique<TocsindProcess>(
          db, std::string("[testing]\nmanual_clock = true\n[twilio]\nauth_token = \"") + kAuthToken +
                  "\"\ndefault_segments_per_second = 100\n" + twilio_keys + extra_toml)),
      c((server->Start(), server->Client(CreateNetworkWithToken(*server, "demo", "coordinator", kNumber)))) {}

std::int64_t AlertNetwork::AddMember(const std::string& json) {
  auto r = c.Post("/v1/networks/demo/members", json);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("id").as_int64();
}

std::int64_t AlertNetwork::Raise(const std::string& json) {
  auto r = c.Post("/v1/networks/demo/alerts", json);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("id").as_int64();
}

HttpResult AlertNetwork::Reply(const std::string& from, const std::string& body) {
  FormParams params = {{"MessageSid", "SMtest" + std::to_string(++sid_)}, {"From", from}, {"To", kNumber},
                       {"Body", body}};
  auto url = "http://127.0.0.1:" + std::to_string(server->port()) + "/twilio/sms";
  auto r = c.Send("POST", "/twilio/sms", FormUrlEncode(params),
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"X-Twilio-Signature", TwilioSignature(kAuthToken, url, params)}});
  REQUIRE(r.status == 200);
  return r;
}

std::int64_t AlertNetwork::Advance(const std::string& duration) {
  auto r = server->Admin().Post("/v1/admin/clock", R"({"advance":")" + duration + R"("})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.Json().as_object().at("now_ms").as_int64();
}

bool AlertNetwork::Contacted(std::int64_t alert, std::int64_t member) {
  return db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0 AND alert_id = " + std::to_string(alert) +
                   " AND member_id = " + std::to_string(member)) == "1";
}

std::int64_t AlertNetwork::Messages(std::int64_t alert, std::int64_t member, const std::string& kind) {
  return std::stoll(db.Scalar(
      "SELECT count(*) FROM deliveries d JOIN alert_messages m ON m.alert_id = d.alert_id AND m.seq = d.seq"
      " AND m.language = d.language WHERE d.alert_id = " + std::to_string(alert) +
      " AND d.member_id = " + std::to_string(member) + " AND m.kind = '" + kind + "'"));
}

}  // namespace tocsin::test
