// Webhooks in: a partner's system raises an alert by a signed POST (Standard Webhooks). Signed
// here with the test's own implementation (tests/fakes/webhook_receiver.h's ReceiverSign).
#include <catch2/catch.hpp>

#include <chrono>

#include "tests/fakes/webhook_receiver.h"
#include "tests/support/alert_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kBody = R"({"kind":"detention","areas":["E8"],"location":"Colnbrook","details":"from legal-app"})";

std::string Now(long long offset_s = 0) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
      offset_s);
}

struct Fixture : AlertNetwork {
  std::string secret;

  Fixture() {
    auto r = c.Post("/v1/networks/demo/inbound-sources", R"({"name":"legal-app","maps_to":"alert"})");
    INFO(r.body);
    REQUIRE(r.status == 201);
    auto o = r.Json().as_object();
    secret = std::string(o.at("secret").as_string());
    CHECK(std::string(o.at("url").as_string()).find("/v1/networks/demo/inbound/legal-app") != std::string::npos);
  }
  HttpResult Post(const std::string& id, const std::string& ts, const std::string& body,
                  const std::optional<std::string>& signature = std::nullopt) {
    std::map<std::string, std::string> h{{"Content-Type", "application/json"}};
    if (!id.empty()) h["webhook-id"] = id;
    if (!ts.empty()) h["webhook-timestamp"] = ts;
    h["webhook-signature"] = signature.value_or(ReceiverSign(secret, id, ts, body));
    return server->Client().Send("POST", "/v1/networks/demo/inbound/legal-app", body, h);
  }
  std::string Alerts() { return db.Scalar("SELECT count(*) FROM alerts"); }
};

}  // namespace

TEST_CASE("Webhooks in: a signed POST raises an alert through the engine, once per webhook-id",
          "[pg][webhooks][inbound]") {
  Fixture n;
  n.AddMember(R"({"phone":"+447700900501","areas":["E8"]})");
  auto ts = Now();
  auto r = n.Post("msg_first", ts, kBody);
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto id = r.Json().as_object().at("id").as_int64();
  CHECK(r.Json().as_object().at("recipients").as_int64() == 1);
  CHECK(n.db.Scalar("SELECT created_by FROM alerts WHERE id = " + std::to_string(id)) == "inbound:legal-app");
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE alert_id = " + std::to_string(id)) == "1");
  CHECK(n.db.Scalar("SELECT actor FROM audit_log WHERE action = 'alerts.raise'") == "inbound:legal-app");

  // The same webhook-id again (the partner retried): the first answer, nothing else.
  auto again = n.Post("msg_first", Now(), kBody);
  CHECK(again.status == 201);
  CHECK(again.body == r.body);
  CHECK(n.Alerts() == "1");
  // A new webhook-id is a new alert.
  CHECK(n.Post("msg_second", Now(), kBody).status == 201);
  CHECK(n.Alerts() == "2");
}

TEST_CASE("Webhooks in: unsigned, badly signed, stale or unknown -> 401 and nothing recorded",
          "[pg][webhooks][inbound]") {
  Fixture n;
  auto ts = Now();
  CHECK(n.Post("msg_1", ts, kBody, "").status == 401);                                   // no signature
  CHECK(n.Post("", ts, kBody).status == 401);                                            // no webhook-id
  CHECK(n.Post("msg_1", "", kBody).status == 401);                                       // no timestamp
  CHECK(n.Post("msg_1", ts, kBody, ReceiverSign(n.secret, "msg_1", ts, "{}")).status == 401);  // another body
  CHECK(n.Post("msg_1", ts, kBody, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=").status == 401);
  auto stale = Now(-301);
  auto r = n.Post("msg_1", stale, kBody);
  CHECK(r.status == 401);
  CHECK(r.body.find("5 minutes") != std::string::npos);
  CHECK(n.Post("msg_1", Now(301), kBody).status == 401);  // from the future
  // Signed with another source's secret, or for a source that does not exist.
  auto other = n.c.Post("/v1/networks/demo/inbound-sources", R"({"name":"other-app"})");
  REQUIRE(other.status == 201);
  auto other_secret = std::string(other.Json().as_object().at("secret").as_string());
  CHECK(n.Post("msg_1", ts, kBody, ReceiverSign(other_secret, "msg_1", ts, kBody)).status == 401);
  CHECK(n.server->Client()
            .Send("POST", "/v1/networks/demo/inbound/nobody", kBody,
                  {{"webhook-id", "msg_1"}, {"webhook-timestamp", ts},
                   {"webhook-signature", ReceiverSign(n.secret, "msg_1", ts, kBody)}})
            .status == 401);
  CHECK(n.Alerts() == "0");
  CHECK(n.db.Scalar("SELECT count(*) FROM inbound_webhooks") == "0");
  // A valid signature afterwards, with the id a bad request used, still raises.
  CHECK(n.Post("msg_1", Now(), kBody).status == 201);
}

TEST_CASE("Webhooks in: the body is checked as the API's raise, naming the field", "[pg][webhooks][inbound]") {
  Fixture n;
  auto bad_kind = n.Post("msg_a", Now(), R"({"kind":"flood","areas":["E8"],"location":"x"})");
  CHECK(bad_kind.status == 422);
  CHECK(bad_kind.ErrorField() == "kind");
  CHECK(n.Post("msg_b", Now(), R"({"kind":"raid","areas":["E8"]})").ErrorField() == "location");
  CHECK(n.Post("msg_c", Now(), R"({"kind":"raid","areas":["E8"],"location":"x","colour":1})").status == 422);
  CHECK(n.Alerts() == "0");
  // The id of a refused body is not spent: the corrected body raises.
  CHECK(n.Post("msg_a", Now(), R"({"kind":"raid","areas":["E8"],"location":"x"})").status == 201);
  // Sources: names are checked, secrets sealed, listed without secrets.
  CHECK(n.c.Post("/v1/networks/demo/inbound-sources", R"({"name":"Bad Name"})").ErrorField() == "name");
  CHECK(n.c.Post("/v1/networks/demo/inbound-sources", R"({"name":"x-app","maps_to":"incident"})").ErrorField() ==
        "maps_to");
  auto list = n.c.Get("/v1/networks/demo/inbound-sources");
  CHECK(list.body.find("whsec_") == std::string::npos);
  CHECK(n.db.Scalar("SELECT count(*) FROM inbound_sources WHERE position('whsec_'::bytea in secret_enc) > 0") == "0");
}

TEST_CASE("Webhooks in: a partner's raise over the approval rule waits for a coordinator", "[pg][webhooks][inbound][approval]") {
  Fixture n;
  n.AddMember(R"({"phone":"+447700900501","areas":["E8"]})");
  auto t = n.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"admin"})");
  REQUIRE(t.status == 201);
  auto admin = n.server->Client(std::string(t.Json().as_object().at("token").as_string()));
  REQUIRE(admin.Patch("/v1/networks/demo", R"({"approval":{"min_recipients":1}})").status == 200);

  auto ts = Now();
  auto r = n.Post("msg_big", ts, kBody);
  INFO(r.body);
  REQUIRE(r.status == 202);
  CHECK(r.Json().as_object().at("status") == "pending_approval");
  auto repeat = n.Post("msg_big", ts, kBody);  // the same answer again, nothing else
  CHECK(repeat.status == 202);
  CHECK(repeat.body == r.body);
  CHECK(n.Alerts() == "1");
  auto id = std::to_string(r.Json().as_object().at("id").as_int64());
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0 AND alert_id = " + id) == "0");

  auto approved = n.c.Post("/v1/networks/demo/alerts/" + id + "/approve", "");
  INFO(approved.body);
  REQUIRE(approved.status == 200);
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0 AND alert_id = " + id) == "1");
}
