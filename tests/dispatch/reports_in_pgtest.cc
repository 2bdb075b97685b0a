// Reports from a partner's system (issue 12): an inbound source with maps_to "report" takes
// signed webhooks (Standard Webhooks) read as POST .../reports is, once per webhook-id.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>

#include "tests/fakes/webhook_receiver.h"
#include "tests/support/alert_network.h"

using namespace tocsin;
using namespace tocsin::test;

TEST_CASE("reports in: a partner's signed webhook makes a report, once per webhook-id", "[pg][reports]") {
  AlertNetwork n;
  auto created = n.c.Post("/v1/networks/demo/inbound-sources", R"({"name":"hotline","maps_to":"report"})");
  INFO(created.body);
  REQUIRE(created.status == 201);
  CHECK(created.Json().as_object().at("maps_to") == "report");
  const std::string secret(created.Json().as_object().at("secret").as_string());
  auto post = [&](const std::string& id, const std::string& body) {
    const auto ts = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    std::map<std::string, std::string> h{{"Content-Type", "application/json"},
                                         {"webhook-id", id},
                                         {"webhook-timestamp", ts},
                                         {"webhook-signature", ReceiverSign(secret, id, ts, body)}};
    return n.server->Client().Send("POST", "/v1/networks/demo/inbound/hotline", body, h);
  };
  const std::string body = R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane","details":"from the hotline"})";
  auto first = post("msg_1", body);
  INFO(first.body);
  REQUIRE(first.status == 201);
  auto r = first.Json().as_object();
  CHECK(r.at("source") == "webhook");
  CHECK(r.at("created_by") == "inbound:hotline");
  CHECK(r.at("status") == "pending");
  CHECK(std::string(r.at("code").as_string())[0] == 'R');
  // The same webhook-id again: no second report.
  auto again = post("msg_1", body);
  CHECK(again.status == 200);
  CHECK(again.Json().as_object().at("repeated") == true);
  // Bad fields: 422 naming them, nothing kept; a bad signature: 401.
  auto bad = post("msg_2", R"({"kind":"raid","areas":[],"location":"x"})");
  CHECK(bad.status == 422);
  CHECK(bad.ErrorField() == "areas");
  CHECK(n.db.Scalar("SELECT count(*) FROM reports") == "1");
  // A report raises nothing by itself: its alert waits for its verifiers.
  CHECK(n.db.Scalar("SELECT count(*) FROM alerts WHERE status <> 'verifying'") == "0");
  auto forged = n.server->Client().Send("POST", "/v1/networks/demo/inbound/hotline", body,
                                        {{"Content-Type", "application/json"}, {"webhook-id", "msg_3"},
                                         {"webhook-timestamp", "1"}, {"webhook-signature", "v1,AAAA"}});
  CHECK(forged.status == 401);
}
