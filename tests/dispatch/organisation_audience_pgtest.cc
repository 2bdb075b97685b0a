// Organisations in a policy's audience, through the real binary and loopback receivers: which
// organisations a step reaches and when (alert.raised once per organisation, later events only
// to those reached), the detention default, and policies that name an organisation guarding it.
#include <catch2/catch.hpp>

#include <algorithm>

#include <boost/json.hpp>

#include "tests/support/eventually.h"
#include "tests/support/webhook_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kDetention = R"({"kind":"detention","areas":["E8"],"location":"Colnbrook IRC"})";
constexpr const char* kEvents = R"(["alert.raised","alert.updated","escalation.step"])";

// The event types a receiver got, sorted: events queued together may arrive in any order (up to
// 4 requests are in flight per endpoint).
std::vector<std::string> Types(const WebhookReceiver& rx) {
  std::vector<std::string> out;
  for (const auto& w : rx.Received()) {
    out.emplace_back(boost::json::parse(w.body).as_object().at("type").as_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("Organisation audience: each organisation a step reaches is sent alert.raised once, when the step starts",
          "[pg][webhooks][organisations]") {
  WebhookNetwork n;
  WebhookReceiver legal, bail, far;
  auto legal_org = n.Org(R"({"name":"Hackney Law","slug":"hackney-law","kinds":["detention"],"areas":["E8"]})");
  auto bail_org = n.Org(R"({"name":"Bail Circle","slug":"bail-circle"})");
  auto far_org = n.Org(R"({"name":"Far Away","slug":"far-away","areas":["SE1"]})");
  n.Hook(legal_org, legal, kEvents);
  n.Hook(bail_org, bail, kEvents);
  n.Hook(far_org, far, kEvents);

  // The detention default: every matching organisation at once (not far-away: its areas differ).
  n.Raise(kDetention);
  n.WaitCount(legal, 1, "the default reaches hackney-law");
  n.WaitCount(bail, 1, "and bail-circle");
  CHECK(Types(legal) == std::vector<std::string>{"alert.raised"});
  CHECK(n.db.Scalar("SELECT count(*) FROM alert_organisations WHERE organisation_id = " + std::to_string(far_org)) == "0");

  // A policy: matching organisations first, then far-away and hackney-law by name 5 minutes later.
  auto put = n.c.Put("/v1/networks/demo/policies/detention", R"({"steps":[
      {"audience":{"areas":"alert","organisations":"all"},"wait":"5m"},
      {"audience":{"organisations":["far-away","hackney-law"]}}]})");
  INFO(put.body);
  REQUIRE(put.status == 200);
  auto alert = n.Raise(kDetention);
  n.WaitCount(legal, 2, "step 0 reaches hackney-law");
  n.WaitCount(bail, 2, "and bail-circle");
  CHECK(far.Count() == 0);
  n.Advance("5m");
  n.WaitCount(far, 1, "step 1 reaches far-away");
  n.WaitCount(legal, 3, "hackney-law hears of step 1");
  // far-away: raised, then the step; hackney-law: the step only (it was sent alert.raised already).
  Eventually([&] { return far.Count() == 2; }, "far-away's escalation.step");
  CHECK(Types(far) == std::vector<std::string>{"alert.raised", "escalation.step"});
  auto legal_types = Types(legal);
  CHECK(std::count(legal_types.begin(), legal_types.end(), "alert.raised") == 2);  // once per alert
  CHECK(std::count(legal_types.begin(), legal_types.end(), "escalation.step") == 1);
  CHECK(n.db.Scalar("SELECT step FROM alert_organisations WHERE organisation_id = " + std::to_string(far_org) +
                    " AND alert_id = " + std::to_string(alert)) == "1");

  // Later events go to every organisation reached, and only to them.
  WebhookReceiver late;
  auto late_org = n.Org(R"({"name":"Late","slug":"late-org"})");
  n.Hook(late_org, late, kEvents);
  REQUIRE(n.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/updates", R"({"message":"Hearing at 2"})")
              .status == 202);
  n.WaitCount(far, 3, "far-away gets the update");
  n.WaitCount(bail, 4, "bail-circle gets the step and the update");
  CHECK(Types(far) == std::vector<std::string>{"alert.raised", "alert.updated", "escalation.step"});
  CHECK(late.Count() == 0);
}

TEST_CASE("Organisation audience: a raise naming its own audience still reaches step 0's organisations",
          "[pg][webhooks][organisations]") {
  WebhookNetwork n;
  WebhookReceiver legal;
  n.Hook(n.Org(R"({"name":"Hackney Law","slug":"hackney-law"})"), legal, R"(["alert.raised"])");
  n.Raise(R"({"kind":"removal","areas":["E8"],"location":"Harmondsworth","deadline":"2099-01-01T10:00:00Z",
              "audience":{"roles":["coordinator"]}})");
  n.WaitCount(legal, 1, "alert.raised");
  CHECK(legal.Received()[0].verified);
}

TEST_CASE("Organisation audience: policies name only existing organisations, which cannot go while named",
          "[pg][organisations]") {
  WebhookNetwork n;
  auto legal = n.Org(R"({"name":"Hackney Law","slug":"hackney-law"})");
  auto bad = n.c.Put("/v1/networks/demo/policies/raid",
                     R"({"steps":[{"audience":{"organisations":["hackney-law","nobody-here"]}}]})");
  INFO(bad.body);
  CHECK(bad.status == 422);
  CHECK(bad.body.find("steps[0].audience.organisations[1]") != std::string::npos);
  auto shape = n.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[{"audience":{"organisations":"some"}}]})");
  CHECK(shape.status == 422);
  CHECK(shape.body.find("steps[0].audience.organisations") != std::string::npos);

  REQUIRE(n.c.Put("/v1/networks/demo/policies/raid",
                  R"({"steps":[{"audience":{"areas":"alert","organisations":["hackney-law"]}}]})").status == 200);
  auto path = "/v1/networks/demo/organisations/" + std::to_string(legal);
  auto del = n.c.Delete(path);
  INFO(del.body);
  CHECK(del.status == 409);
  CHECK(del.body.find("raid policy") != std::string::npos);
  auto rename = n.c.Patch(path, R"({"slug":"hackney-law-centre"})");
  CHECK(rename.status == 409);
  CHECK(n.c.Patch(path, R"({"name":"Hackney Law Centre"})").status == 200);  // the slug stays: fine

  // "all" names no organisation in particular.
  REQUIRE(n.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[{"audience":{"organisations":"all"}}]})").status ==
          200);
  CHECK(n.c.Delete(path).status == 204);
}
