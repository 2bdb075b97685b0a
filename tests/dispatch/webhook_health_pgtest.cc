// What failing webhooks mean for their endpoints, through the real binary on the manual clock:
// coordinators get one SMS naming the organisation when a delivery exhausts its retries (once
// until the endpoint delivers again), and an endpoint failing for 5 days is disabled.
#include <catch2/catch.hpp>

#include "tests/support/eventually.h"
#include "tests/support/webhook_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kDetention = R"({"kind":"detention","areas":["E8"],"location":"Colnbrook IRC"})";

}  // namespace

TEST_CASE("Webhook health: an exhausted schedule tells coordinators once, naming the organisation",
          "[pg][webhooks][organisations]") {
  WebhookNetwork n;
  WebhookReceiver rx;
  rx.Answer({500});
  auto hook = n.Hook(n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law"})"), rx, R"(["alert.raised"])");
  auto coordinator = n.AddMember(R"({"phone":"+447700900801","roles":["coordinator"],"language":"fr"})");
  auto responder = n.AddMember(R"({"phone":"+447700900802","areas":["N1"]})");

  auto alert = n.Raise(kDetention);
  n.WaitCount(rx, 1, "first attempt");
  n.Advance("1m");
  n.WaitCount(rx, 2, "second attempt");
  CHECK(n.Messages(alert, coordinator, "webhook_failed") == 0);  // retries left: nobody told yet
  n.Advance("5m");
  n.WaitCount(rx, 3, "third attempt");
  Eventually([&] { return n.DeliveryState(hook) == "failed:3"; }, "failed after the schedule");
  Eventually([&] { return n.Messages(alert, coordinator, "webhook_failed") == 1; }, "the coordinator is told");
  CHECK(n.Messages(alert, responder, "webhook_failed") == 0);
  // In the coordinator's language, naming the organisation (the text is sealed: read it as sent).
  CHECK(n.db.Scalar("SELECT d.language FROM deliveries d JOIN alert_messages m ON m.alert_id = d.alert_id"
                    " AND m.seq = d.seq AND m.language = d.language WHERE m.kind = 'webhook_failed' AND d.member_id = " +
                    std::to_string(coordinator)) == "fr");

  // Another delivery failing for good before any success: no second SMS.
  auto second = n.Raise(kDetention);
  n.WaitCount(rx, 4, "the second alert's first attempt");
  n.Advance("1m");
  n.WaitCount(rx, 5, "second attempt");
  n.Advance("5m");
  n.WaitCount(rx, 6, "third attempt");
  Eventually([&] { return n.DeliveryState(hook) == "failed:3,failed:3"; }, "failed again");
  CHECK(n.Messages(second, coordinator, "webhook_failed") == 0);

  // A success resets it: the next failure for good tells them again.
  rx.AnswerNext({{200}});
  n.Raise(kDetention);
  n.WaitCount(rx, 7, "a delivered one");
  Eventually([&] { return n.db.Scalar("SELECT failure_notified FROM webhook_endpoints WHERE id = " +
                                      std::to_string(hook)) == "f"; },
             "the notice is forgotten");
  CHECK(n.db.Scalar("SELECT failing_since IS NULL FROM webhook_endpoints WHERE id = " + std::to_string(hook)) == "t");
}

TEST_CASE("Webhook health: an endpoint failing for 5 days on the engine clock is disabled", "[pg][webhooks]") {
  WebhookNetwork n;
  WebhookReceiver rx;
  rx.Answer({500});
  auto org = n.Org(R"({"name":"Legal","slug":"legal"})");
  auto hook = n.Hook(org, rx, R"(["alert.raised"])");
  auto state = [&] { return n.db.Scalar("SELECT state FROM webhook_endpoints WHERE id = " + std::to_string(hook)); };
  n.Raise(kDetention);
  n.WaitCount(rx, 1, "first attempt");
  Eventually([&] { return n.DeliveryState(hook) == "queued:1"; }, "queued for a retry");
  // The retries run and fail on the way (each recorded before the clock moves on).
  n.Advance("48h");
  n.WaitCount(rx, 2, "the first retry");
  Eventually([&] { return n.DeliveryState(hook) == "queued:2"; }, "queued again");
  n.Advance("48h");
  n.WaitCount(rx, 3, "the schedule's attempts");
  Eventually([&] { return n.DeliveryState(hook) == "failed:3"; }, "failed for good");
  n.Raise(kDetention);  // 4 days in: fails, still active
  n.WaitCount(rx, 4, "a new delivery's attempt");
  Eventually([&] { return n.DeliveryState(hook).rfind("queued:1") != std::string::npos; }, "recorded");
  CHECK(state() == "active");
  n.Advance("24h");  // its retry, 5 days after the first failure
  n.WaitCount(rx, 5, "the retry after 5 days");
  Eventually([&] { return state() == "disabled"; }, "disabled");
  CHECK(n.db.Scalar("SELECT disabled_reason FROM webhook_endpoints WHERE id = " + std::to_string(hook)) ==
        "failing for 5 days");
}
