// The network's Server-Sent Events stream, GET /v1/networks/{slug}/events (issue 12), through
// the real binary over loopback: reports received, merged, verified and dismissed, alerts raised
// and ended, as they happen; never a text or a number; Last-Event-ID resumes it; a revoked
// token's stream ends.
#include <catch2/catch.hpp>

#include "tests/support/eventually.h"
#include "tests/support/report_network.h"
#include "tests/support/sse_watcher.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kPath = "/v1/networks/demo/events";

}  // namespace

TEST_CASE("network events: reports and alerts as they happen", "[pg][events][reports]") {
  ReportNetwork n;
  SseWatcher w(n.server.port(), kPath, n.c.bearer());
  Eventually([&] { return w.Saw(": watching"); }, "the stream opens");

  n.Sms(ReportNetwork::kReporter, "RAID SE15 Rye Lane, 3 vans");
  auto report = n.LatestReport();
  const auto id = std::to_string(report.at("id").as_int64());
  const auto alert = std::to_string(report.at("alert_id").as_int64());
  Eventually([&] { return w.Saw("event: report_received\n"); }, "report_received");
  CHECK(w.Saw("\"report_id\":" + id + ",\"code\":\"" + std::string(report.at("code").as_string()) +
              "\",\"kind\":\"raid\",\"areas\":[\"SE15\"]"));
  n.Sms(ReportNetwork::kReporter, "RAID SE22 more vans");
  Eventually([&] { return w.Saw("event: report_merged\n"); }, "report_merged");
  CHECK(w.Saw("\"into_report\":" + id));

  n.Sms(ReportNetwork::kVerifier2, "1");
  Eventually([&] { return w.Saw("event: alert_raised\n"); }, "alert_raised");
  CHECK(w.Saw("event: report_verified\n"));
  CHECK(w.Saw("\"alert_id\":" + alert + ",\"code\""));
  CHECK(w.Saw("\"status\":\"open\""));
  REQUIRE(n.c.Post("/v1/networks/demo/alerts/" + alert + "/resolve", R"({"message":"gone"})").status == 200);
  Eventually([&] { return w.Saw("event: alert_ended\n"); }, "alert_ended");
  CHECK(w.Saw("\"status\":\"resolved\""));
  // A raise through the API is on it too; the stream does not end with an alert.
  auto raised = n.c.Post("/v1/networks/demo/alerts", R"({"kind":"other","areas":["SE22"],"location":"Hall"})");
  REQUIRE(raised.status == 201);
  Eventually([&] { return w.Count("event: alert_raised\n") == 2; }, "the API's raise");
  CHECK_FALSE(w.Closed());
  // Ids, codes, kinds and areas: never a text, a name or a number.
  CHECK_FALSE(w.Saw("Rye Lane"));
  CHECK_FALSE(w.Saw("vans"));
  CHECK_FALSE(w.Saw("7700900"));
  // Nobody without a token.
  CHECK(n.server.Client().Get(kPath).status == 401);
}

TEST_CASE("network events: a report is on the stream at receipt, its area once told", "[pg][events][reports]") {
  ReportNetwork n;
  const std::string nowhere = "+447700900541";  // a reporter with no area on file
  n.Add(nowhere, R"("roles":["reporter"])");
  SseWatcher w(n.server.port(), kPath, n.c.bearer());
  Eventually([&] { return w.Saw(": watching"); }, "the stream opens");

  n.Sms(nowhere, "REPORT people taken from the hostel");
  auto report = n.LatestReport();
  REQUIRE(report.at("status") == "awaiting_area");
  const auto head = "\"report_id\":" + std::to_string(report.at("id").as_int64()) + ",\"code\":\"" +
                    std::string(report.at("code").as_string()) + "\",\"kind\":\"other\",\"areas\":";
  // Received now, though nobody can check it before its area is known.
  Eventually([&] { return w.Saw("event: report_received\n"); }, "report_received at receipt");
  CHECK(w.Saw(head + "[]"));
  CHECK_FALSE(w.Saw("event: report_located"));

  n.Sms(nowhere, "SE22");
  Eventually([&] { return w.Saw("event: report_located\n"); }, "report_located once told");
  CHECK(w.Saw(head + "[\"SE22\"]"));
  CHECK(w.Count("event: report_received\n") == 1);  // received once
  CHECK_FALSE(w.Saw("hostel"));
}

TEST_CASE("network events: Last-Event-ID resumes; a revoked token's stream ends", "[pg][events][reports]") {
  ReportNetwork n;
  std::string last_seen;
  {
    SseWatcher first(n.server.port(), kPath, n.c.bearer());
    Eventually([&] { return first.Saw(": watching"); }, "the stream opens");
    n.Sms(ReportNetwork::kReporter, "RAID SE15 Rye Lane");
    Eventually([&] { return first.Saw("event: report_received\n"); }, "report_received");
    last_seen = first.LastId();
    REQUIRE(!last_seen.empty());
  }  // dropped
  // While nobody watches: the report is dismissed.
  n.Sms(ReportNetwork::kVerifier2, "2");
  CHECK(n.LatestReport().at("status") == "dismissed");
  SseWatcher resumed(n.server.port(), kPath, n.c.bearer(), "Last-Event-ID: " + last_seen + "\r\n");
  Eventually([&] { return resumed.Saw("event: report_dismissed\n"); }, "the dismissal missed while away");
  CHECK_FALSE(resumed.Saw("event: reset"));
  CHECK_FALSE(resumed.Saw("event: report_received"));  // seen before the drop: not repeated

  SseWatcher stale(n.server.port(), kPath, n.c.bearer(), "Last-Event-ID: 17\r\n");
  Eventually([&] { return stale.Saw("event: reset"); }, "a reset for an id it cannot resume from");

  auto t = n.server.Admin().Post("/v1/networks/demo/tokens", R"({"role":"viewer","label":"wall screen"})");
  REQUIRE(t.status == 201);
  const std::string viewer(t.Json().as_object().at("token").as_string());
  SseWatcher wall(n.server.port(), kPath, viewer);
  Eventually([&] { return wall.Saw(": watching"); }, "the viewer's stream opens");
  const auto token_id = std::to_string(t.Json().as_object().at("id").as_int64());
  REQUIRE(n.server.Admin().Delete("/v1/networks/demo/tokens/" + token_id).status == 204);
  Eventually([&] { return wall.Closed(); }, "the revoked token's stream ends");
  CHECK(wall.Saw("event: revoked"));
  CHECK(n.server.Client(viewer).Get(kPath).status == 401);
}
