// The bodies the real binary sends hold to the JSON Schemas published in schema/webhooks/ (one
// per event type), checked with tests/support/json_schema_check.h's subset of draft 2020-12.
#include <catch2/catch.hpp>

#include <set>

#include <boost/json.hpp>

#include "tests/support/eventually.h"
#include "tests/support/json_schema_check.h"
#include "tests/support/paths.h"
#include "tests/support/webhook_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

const std::string kSchemas = tocsin::test::SourceDir() + "/schema/webhooks";

}  // namespace

TEST_CASE("Webhook schemas: every event type's real body conforms to its schema", "[pg][webhooks][schema]") {
  WebhookNetwork n;
  WebhookReceiver rx;
  auto org = n.Org(R"({"name":"Hackney Law","slug":"hackney-law"})");
  n.Hook(org, rx, R"(["alert.raised","alert.updated","alert.resolved","alert.cancelled","answer.recorded","escalation.step"])");
  n.AddMember(R"({"phone":"+447700900901","areas":["E8"]})");
  auto as_org = n.OrganisationClient("hackney-law");

  auto path = [](std::int64_t id) { return "/v1/networks/demo/alerts/" + std::to_string(id); };
  auto a = n.Raise(R"({"kind":"detention","areas":["E8"],"location":"Colnbrook","details":"hearing at 2"})");
  n.WaitCount(rx, 1, "alert.raised");
  REQUIRE(n.c.Post(path(a) + "/updates", R"({"message":"moved to Brook House"})").status == 202);
  REQUIRE(as_org.Post(path(a) + "/responses", R"({"answer":"going","note":"on it"})").status == 201);
  n.Reply("+447700900901", "1");
  n.Advance("10m");  // the detention default's step 1 (coordinators)
  REQUIRE(n.c.Post(path(a) + "/resolve", R"({"message":"released"})").status == 200);
  auto b = n.Raise(R"({"kind":"removal","areas":["E8"],"location":"Harmondsworth","deadline":"2099-01-01T10:00:00Z"})");
  REQUIRE(n.c.Post(path(b) + "/cancel", "{}").status == 200);
  n.WaitCount(rx, 8, "every event");

  std::set<std::string> seen;
  for (const auto& w : rx.Received()) {
    auto body = boost::json::parse(w.body);
    std::string type(body.as_object().at("type").as_string());
    seen.insert(type);
    INFO(type << ": " << w.body);
    CHECK(SchemaViolations(kSchemas, type + ".json", body).empty());
  }
  CHECK(seen == std::set<std::string>{"alert.raised", "alert.updated", "alert.resolved", "alert.cancelled",
                                      "answer.recorded", "escalation.step"});

  // The checker does check: a body missing a field or with a wrong type is caught.
  auto body = boost::json::parse(rx.Received()[0].body);
  body.as_object().at("data").as_object().at("alert").as_object().erase("code");
  body.as_object().at("data").as_object().at("alert").as_object()["recipients"] = "many";
  auto violations = SchemaViolations(kSchemas, "alert.raised.json", body);
  CHECK(violations.size() == 2);
}
