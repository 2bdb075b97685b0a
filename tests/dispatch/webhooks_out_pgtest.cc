// Webhooks out through the real binary to a loopback receiver that checks every signature with
// its own implementation (tests/fakes/webhook_receiver.h): which organisations get which events,
// the body, the retry schedule on the manual clock, Retry-After, 410 disabling the endpoint, a
// manual retry, rotation, the per-endpoint cap, and refused private targets.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "tests/support/webhook_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kDetention =
    R"({"kind":"detention","areas":["E8"],"location":"Yarl's Wood","details":"A. detained this morning"})";

using Fixture = WebhookNetwork;

boost::json::object Body(const ReceivedWebhook& w) { return boost::json::parse(w.body).as_object(); }

}  // namespace

TEST_CASE("Webhooks out: matching organisations get signed events, others nothing", "[pg][webhooks]") {
  Fixture n;
  WebhookReceiver legal, raids;
  auto legal_org = n.Org(R"({"name":"Hackney Law","slug":"hackney-law","kinds":["detention","removal"],"areas":["E8"]})");
  auto raid_org = n.Org(R"({"name":"Raid watchers","slug":"raid-watch","kinds":["raid"]})");
  auto legal_hook = n.Hook(legal_org, legal, R"(["alert.raised","alert.updated","alert.resolved"])");
  n.Hook(raid_org, raids, R"(["alert.raised"])");

  auto alert = n.Raise(kDetention);
  n.WaitCount(legal, 1, "alert.raised at the legal team");
  auto first = legal.Received().at(0);
  CHECK(first.verified);
  CHECK(first.id.rfind("msg_", 0) == 0);
  auto body = Body(first);
  CHECK(body.at("type").as_string() == "alert.raised");
  CHECK(body.at("timestamp").is_string());
  auto a = body.at("data").as_object().at("alert").as_object();
  CHECK(a.at("id").as_int64() == alert);
  CHECK(a.at("kind").as_string() == "detention");
  CHECK(a.at("location").as_string() == "Yarl's Wood");
  CHECK(body.at("data").as_object().at("network").as_string() == "demo");

  REQUIRE(n.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/updates", R"({"message":"Bail hearing 2pm"})")
              .status == 202);
  REQUIRE(n.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/resolve", R"({"message":"Released"})")
              .status == 200);
  n.WaitCount(legal, 3, "updated and resolved");
  auto got = legal.Received();
  CHECK(Body(got[1]).at("type").as_string() == "alert.updated");
  CHECK(Body(got[1]).at("data").as_object().at("message").as_string() == "Bail hearing 2pm");
  CHECK(Body(got[2]).at("type").as_string() == "alert.resolved");
  CHECK(Body(got[2]).at("data").as_object().at("alert").as_object().at("status").as_string() == "resolved");
  for (const auto& w : got) CHECK(w.verified);
  CHECK(got[0].id != got[1].id);

  // The raid network's endpoint wants raids only; a raid elsewhere is not the legal team's. The
  // default raid policy reaches no organisation: the network names them in its own.
  CHECK(raids.Count() == 0);
  n.Raise(R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  REQUIRE(n.c.Put("/v1/networks/demo/policies/raid",
                  R"({"steps":[{"audience":{"areas":"alert","organisations":"all"}}]})").status == 200);
  n.Raise(R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  n.WaitCount(raids, 1, "the raid at the raid watchers");
  CHECK(raids.Received()[0].verified);
  Eventually([&] { return n.DeliveryState(legal_hook) == "delivered:1,delivered:1,delivered:1"; }, "recorded");
  CHECK(legal.Count() == 3);

  // The endpoint's deliveries: attempts with status and latency, never bodies.
  auto list = n.c.Get(Fixture::Path(legal_org) + "/" + std::to_string(legal_hook) + "/deliveries");
  INFO(list.body);
  REQUIRE(list.status == 200);
  auto items = list.Json().as_object().at("deliveries").as_array();
  REQUIRE(items.size() == 3);
  CHECK(items[0].as_object().at("http_status").as_int64() == 200);
  CHECK(items[0].as_object().at("latency_ms").is_int64());
  CHECK(list.body.find("Yarl") == std::string::npos);
  // Bodies are sealed at rest.
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE position('Yarl'::bytea in body_enc) > 0") == "0");
}

TEST_CASE("Webhooks out: retries follow webhooks.retry_schedule on the engine clock, same webhook-id",
          "[pg][webhooks]") {
  Fixture n;
  WebhookReceiver rx;
  auto org = n.Org(R"({"name":"Legal","slug":"legal"})");
  auto hook = n.Hook(org, rx, R"(["alert.raised"])");
  rx.AnswerNext({{500}, {503}});  // then 200

  n.Raise(kDetention);
  n.WaitCount(rx, 1, "first attempt");
  Eventually([&] { return n.DeliveryState(hook) == "queued:1"; }, "queued for a retry");
  CHECK(n.db.Scalar("SELECT http_status FROM deliveries WHERE endpoint_id = " + std::to_string(hook)) == "500");
  n.Advance("59s");
  CHECK(rx.Count() == 1);
  n.Advance("1s");
  n.WaitCount(rx, 2, "second attempt after 1m");
  Eventually([&] { return n.DeliveryState(hook) == "queued:2"; }, "queued again");
  n.Advance("4m");
  CHECK(rx.Count() == 2);
  n.Advance("1m");
  n.WaitCount(rx, 3, "third attempt after 5m more");
  Eventually([&] { return n.DeliveryState(hook) == "delivered:3"; }, "delivered");
  auto got = rx.Received();
  CHECK(got[0].id == got[1].id);
  CHECK(got[1].id == got[2].id);
  CHECK(got[0].body == got[2].body);
  for (const auto& w : got) CHECK(w.verified);
}

TEST_CASE("Webhooks out: the schedule exhausted fails the delivery; a manual retry sends it again",
          "[pg][webhooks]") {
  Fixture n;
  WebhookReceiver rx;
  rx.Answer({500});
  auto org = n.Org(R"({"name":"Legal","slug":"legal"})");
  auto hook = n.Hook(org, rx, R"(["alert.raised"])");
  n.Raise(kDetention);
  n.WaitCount(rx, 1, "first attempt");
  n.Advance("1m");
  n.WaitCount(rx, 2, "second attempt");
  n.Advance("5m");
  n.WaitCount(rx, 3, "third attempt");
  Eventually([&] { return n.DeliveryState(hook) == "failed:3"; }, "failed after the schedule");
  n.Advance("10h");
  CHECK(rx.Count() == 3);

  rx.Answer({200});
  auto id = n.db.Scalar("SELECT id FROM deliveries WHERE endpoint_id = " + std::to_string(hook));
  auto r = n.c.Post(Fixture::Path(org) + "/" + std::to_string(hook) + "/deliveries/" + id + "/retry", "");
  INFO(r.body);
  REQUIRE(r.status == 202);
  n.WaitCount(rx, 4, "the manual retry");
  Eventually([&] { return n.DeliveryState(hook) == "delivered:4"; }, "delivered");
  CHECK(rx.Received()[3].id == rx.Received()[0].id);
  // A delivered one cannot be queued twice at once; an unknown one is 404.
  CHECK(n.c.Post(Fixture::Path(org) + "/" + std::to_string(hook) + "/deliveries/99999/retry", "").status == 404);
}

TEST_CASE("Webhooks out: 429 with Retry-After waits at least that long", "[pg][webhooks]") {
  Fixture n;
  WebhookReceiver rx;
  rx.AnswerNext({{429, "600"}});
  auto org = n.Org(R"({"name":"Legal","slug":"legal"})");
  auto hook = n.Hook(org, rx, R"(["alert.raised"])");
  n.Raise(kDetention);
  n.WaitCount(rx, 1, "first attempt");
  Eventually([&] { return n.DeliveryState(hook) == "queued:1"; }, "queued");
  n.Advance("1m");  // the schedule's first delay: Retry-After (10 minutes) is longer
  n.Advance("8m");
  CHECK(rx.Count() == 1);
  n.Advance("1m");
  n.WaitCount(rx, 2, "the retry after Retry-After");
  Eventually([&] { return n.DeliveryState(hook) == "delivered:2"; }, "delivered");
}

TEST_CASE("Webhooks out: 410 Gone disables the endpoint", "[pg][webhooks]") {
  Fixture n;
  WebhookReceiver rx;
  rx.Answer({410});
  auto org = n.Org(R"({"name":"Legal","slug":"legal"})");
  auto hook = n.Hook(org, rx, R"(["alert.raised","alert.updated"])");
  auto alert = n.Raise(kDetention);
  n.WaitCount(rx, 1, "first attempt");
  Eventually([&] { return n.DeliveryState(hook) == "failed:1"; }, "failed at once");
  CHECK(n.db.Scalar("SELECT state FROM webhook_endpoints WHERE id = " + std::to_string(hook)) == "disabled");
  auto list = n.c.Get(Fixture::Path(org));
  CHECK(list.Json().as_object().at("webhooks").as_array()[0].as_object().at("state").as_string() == "disabled");
  REQUIRE(n.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/updates", R"({"message":"more"})").status == 202);
  n.Advance("1h");
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE endpoint_id = " + std::to_string(hook)) == "1");
  CHECK(rx.Count() == 1);
}

TEST_CASE("Webhooks out: after a rotation both secrets sign until the old one expires", "[pg][webhooks]") {
  Fixture n;
  WebhookReceiver rx;
  auto org = n.Org(R"({"name":"Legal","slug":"legal"})");
  auto hook = n.Hook(org, rx, R"(["alert.raised"])");
  auto rotated = n.c.Post(Fixture::Path(org) + "/" + std::to_string(hook) + "/rotate", "");
  REQUIRE(rotated.status == 200);
  auto fresh = std::string(rotated.Json().as_object().at("secret").as_string());
  n.Raise(kDetention);
  n.WaitCount(rx, 1, "an event after the rotation");
  auto w = rx.Received().at(0);
  CHECK(w.verified);  // the receiver still holds only the old secret
  CHECK(ReceiverSignatureMatches({fresh}, w.id, w.timestamp, w.body, w.signature));
  CHECK(w.signature.find(' ') != std::string::npos);  // two signatures
}

TEST_CASE("Webhooks out: at most 4 requests in flight per endpoint; a slow one delays no other",
          "[pg][webhooks]") {
  Fixture n;
  WebhookReceiver slow, quick;
  slow.Answer({200, "", /*hold=*/true});
  auto slow_org = n.Org(R"({"name":"Slow","slug":"slow"})");
  auto quick_org = n.Org(R"({"name":"Quick","slug":"quick"})");
  n.Hook(slow_org, slow, R"(["alert.raised"])");
  n.Hook(quick_org, quick, R"(["alert.raised"])");
  for (int i = 0; i < 10; ++i) n.Raise(R"({"kind":"detention","areas":["E1"],"location":"x"})");
  n.WaitCount(quick, 10, "every event at the quick endpoint");  // while the slow one holds 4
  Eventually([&] { return slow.Held() == 4; }, "the slow endpoint's cap in flight");
  CHECK(slow.Count() == 4);  // the rest wait their turn in Tocsin, not at the partner
  slow.Release();
  n.WaitCount(slow, 10, "every event at the slow endpoint");
  CHECK(slow.MaxConcurrent() == 4);
}

TEST_CASE("Webhooks out: private targets are refused after DNS unless allowed", "[pg][webhooks]") {
  Fixture n("[webhooks]\nallow_http = true\nallow_private_targets = false\n");
  WebhookReceiver rx;
  auto org = n.Org(R"({"name":"Legal","slug":"legal"})");
  // A name, not an address: accepted at creation, refused at connect time (it is loopback).
  auto r = n.c.Post(Fixture::Path(org), R"({"url":"http://localhost:)" + std::to_string(rx.port()) +
                                             R"(/hook","events":["alert.raised"]})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto hook = r.Json().as_object().at("id").as_int64();
  n.Raise(kDetention);
  Eventually([&] { return n.DeliveryState(hook) == "queued:1"; }, "the first attempt refused");
  CHECK(n.db.Scalar("SELECT error_code FROM deliveries WHERE endpoint_id = " + std::to_string(hook)) ==
        "refused_address");
  CHECK(rx.Count() == 0);
}
