// Report codes through the real binary (issue 12; the fix of commit 4bc1019): a new report never
// takes the code of an alert in progress (open, held for approval) or of a report being dealt
// with, so a verifier's "1 CODE" cannot land on another. The server draws codes from a seeded
// generator (testing.report_code_seed), the same sequence on every start, so after a restart
// the next report draws a code already in use, and must skip it.
#include <catch2/catch.hpp>

#include <set>
#include <vector>

#include "dispatch/model/report_codes.h"
#include "tests/support/report_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr std::uint64_t kSeed = 20261202;

std::string Code(const boost::json::object& report) { return std::string(report.at("code").as_string()); }

}  // namespace

TEST_CASE("report codes: a new report skips every code in use, even when drawn", "[pg][reports]") {
  // The server's draws, in order (the same generator, the same seed).
  auto source = SeededReportCodes(kSeed);
  std::vector<std::string> draws;
  for (int i = 0; i < 5; ++i) draws.push_back(source());
  REQUIRE(std::set<std::string>(draws.begin(), draws.end()).size() == draws.size());  // (a seed of distinct draws)
  ReportNetwork n("", "", "report_code_seed = " + std::to_string(kSeed) + "\n");
  REQUIRE(n.c.Put("/v1/networks/demo/areas/N1", R"({"neighbours":[]})").status == 200);
  REQUIRE(n.c.Put("/v1/networks/demo/areas/E8", R"({"neighbours":[]})").status == 200);

  // Run 1: a raid report takes the first draw; its verifier confirms it, and its alert, open,
  // keeps the code.
  n.Sms(ReportNetwork::kReporter, "RAID SE15 Rye Lane, 3 vans");
  auto first = n.LatestReport();
  REQUIRE(Code(first) == draws[0]);  // the injected source is the server's
  n.Sms(ReportNetwork::kVerifier2, "1");
  const auto alert = std::to_string(first.at("alert_id").as_int64());
  REQUIRE(n.AlertStatus(first.at("alert_id").as_int64()) == "open");
  REQUIRE(n.db.Scalar("SELECT code FROM alerts WHERE id = " + alert) == draws[0]);

  // Run 2, from the first draw again: it names the open alert, so the report takes the next.
  n.server.Stop();
  n.server.Start();
  n.Sms(ReportNetwork::kReporter, "REPORT N1 people taken from the hostel");
  auto second = n.LatestReport();
  CHECK(second.at("status") == "pending");  // (an `other` report: no verification, no merge)
  CHECK(Code(second) == draws[1]);
  // An alert held for a second coordinator carrying the next draw (alert codes come from their
  // own generator: this one is given it).
  n.PatchNetwork(R"({"approval":{"min_recipients":1}})");
  auto held = n.c.Post("/v1/networks/demo/alerts", R"({"kind":"detention","areas":["SE15"],"location":"Hall"})");
  INFO(held.body);
  REQUIRE(held.status == 202);
  const auto held_id = std::to_string(held.Json().as_object().at("id").as_int64());
  REQUIRE(n.db.Scalar("UPDATE alerts SET code = '" + draws[2] + "' WHERE id = " + held_id +
                      " AND status = 'pending_approval' RETURNING code") == draws[2]);
  n.Sms(ReportNetwork::kReporter, "REPORT E8 a van at the school");
  CHECK(Code(n.LatestReport()) == draws[3]);

  // Run 3: the open alert's, the pending reports' and the held alert's codes all come first.
  n.server.Stop();
  n.server.Start();
  n.Sms(ReportNetwork::kReporter, "RAID SE22 more vans");  // merges into the open alert: a code all the same
  auto fifth = n.LatestReport();
  CHECK(Code(fifth) == draws[4]);
  // No two reports or alerts in progress share a code.
  CHECK(n.db.Scalar("SELECT count(*) FROM (SELECT code FROM reports WHERE status IN ('pending', 'awaiting_area')"
                    " UNION ALL SELECT code FROM alerts WHERE status IN ('open', 'verifying', 'pending_approval'))"
                    " c GROUP BY code HAVING count(*) > 1") == "");
}
