// What a report's verification tells whom (issue 12), through the real binary, the fake Twilio
// and the manual clock: a reporter who is not a member is told the outcome at their number, in
// the language of the word they used, and that number appears nowhere else; verifiers are told
// how many people reported it once reports merged; the "unconfirmed report" marker is in each
// recipient's language; a verifier's confirmation raises the alert at once, whatever the
// network's approval rule.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/eventually.h"
#include "tests/support/paths.h"
#include "tests/support/report_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kStranger = "+447700900599";
constexpr const char* kStrangerDigits = "7700900599";
constexpr const char* kStranger2 = "+447700900598";
constexpr const char* kFrench = "+447700900523";  // a French responder of SE15

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("report outcome: a reporter who is not a member is told, in their word's language", "[pg][reports]") {
  ReportNetwork n;
  n.PatchNetwork(R"({"reports":{"from":"anyone"}})");
  auto received = n.Sms(kStranger, "RAFLE SE15 Rye Lane, 3 fourgons");
  INFO(received);
  auto report = n.LatestReport();
  const auto id = report.at("id").as_int64();
  const std::string code(report.at("code").as_string());
  CHECK(Contains(received, "Signalement " + code));  // RAFLE: answered in French
  CHECK(report.at("reporter_member_id").is_null());
  CHECK(n.db.Scalar("SELECT reporter_language FROM reports WHERE id = " + std::to_string(id)) == "fr");
  n.WaitFor(ReportNetwork::kVerifier2, 1, "the verifiers asked");
  CHECK(n.To(kStranger).empty());

  n.Sms(ReportNetwork::kVerifier2, "1");
  n.WaitFor(kStranger, 1, "the stranger told the outcome");
  CHECK(Contains(n.To(kStranger)[0], "Signalement " + code + " confirmé"));
  CHECK(n.To(kStranger).size() == 1);
  // Through the deliveries, as a member's message, but bound to the report, not to a member.
  Eventually([&] {
    return n.db.Scalar("SELECT count(*) FROM deliveries WHERE report_id = " + std::to_string(id) +
                       " AND member_id IS NULL AND state IN ('sent', 'delivered')") == "1";
  }, "the delivery recorded sent");
  // Never shown to anyone: no other message, no API answer, no delivery listing has the number.
  for (const auto& m : n.fake.Messages()) {
    if (m.to == kStranger) continue;
    INFO(m.to << ": " << m.body);
    CHECK_FALSE(Contains(m.body, kStrangerDigits));
  }
  const auto alert = std::to_string(report.at("alert_id").as_int64());
  for (const std::string& path : {"/v1/networks/demo/reports/" + std::to_string(id), std::string("/v1/networks/demo/reports"),
                           "/v1/networks/demo/alerts/" + alert, "/v1/networks/demo/alerts/" + alert + "/deliveries"}) {
    auto r = n.c.Get(path);
    INFO(path << " " << r.body);
    CHECK(r.status == 200);
    CHECK_FALSE(Contains(r.body, kStrangerDigits));
  }
}

TEST_CASE("report outcome: a dismissed report's reporters are told once each, kindly; not after STOP", "[pg][reports]") {
  ReportNetwork n;
  n.PatchNetwork(R"({"reports":{"from":"anyone"}})");
  n.Sms(kStranger, "RAID SE15 Rye Lane");
  auto first = n.LatestReport();
  n.WaitFor(ReportNetwork::kVerifier2, 1, "the verifiers asked");
  // The same stranger again, and a member: merged, one more reporter each.
  n.Sms(kStranger, "RAID SE15 still there");
  n.Sms(ReportNetwork::kReporter, "RAID SE22 vans near Rye Lane");
  // A stranger who reported and then texted STOP is never texted again.
  n.Sms(kStranger2, "RAID SE15 here too");
  n.Sms(kStranger2, "STOP");
  CHECK(n.Report(first.at("id").as_int64()).at("reporters") == 4);
  const std::string code(first.at("code").as_string());
  n.Sms(ReportNetwork::kVerifier2, "2");
  CHECK(n.AlertStatus(first.at("alert_id").as_int64()) == "cancelled");
  n.WaitFor(kStranger, 1, "the stranger told");
  n.WaitFor(ReportNetwork::kReporter, 1, "the member who reported too");
  CHECK(Contains(n.To(kStranger)[0], "could not see it"));
  CHECK(Contains(n.To(ReportNetwork::kReporter)[0], "could not see it"));
  n.Advance("1m");
  CHECK(n.To(kStranger).size() == 1);  // one number, one message, however many of its reports merged
  CHECK(n.To(kStranger2).empty());
  CHECK(n.To(ReportNetwork::kResponder1).empty());
}

TEST_CASE("report outcome: verifiers are told how many people reported it", "[pg][reports]") {
  ReportNetwork n(R"({"confirmations":2})");
  n.Sms(ReportNetwork::kReporter, "RAID SE15 Rye Lane");
  auto report = n.LatestReport();
  const std::string code(report.at("code").as_string());
  n.WaitFor(ReportNetwork::kVerifier2, 1, "the verifiers asked");
  CHECK_FALSE(Contains(n.To(ReportNetwork::kVerifier2)[0], "people reported"));
  n.Sms(ReportNetwork::kReporter, "RAID SE15 vans on Rye Lane");
  CHECK(n.Report(report.at("id").as_int64()).at("reporters") == 2);
  // The next message a verifier gets says so: the thanks for an answer...
  auto thanks = n.Sms(ReportNetwork::kVerifier2, "1");
  INFO(thanks);
  CHECK(Contains(thanks, "Thank you for checking report " + code + " (2 people reported it)"));
  // ... and the neighbouring areas' question after half the wait, each in their language.
  n.Advance("2m31s");
  n.WaitFor(ReportNetwork::kNeighbour, 1, "the neighbouring area's verifier asked");
  CHECK(Contains(n.To(ReportNetwork::kNeighbour)[0], "2 people reported SE15 Rye Lane in SE15"));
  auto french = n.Sms(ReportNetwork::kVerifier1, "2");
  CHECK((Contains(french, "(2 personnes l&apos;ont signalé)") || Contains(french, "(2 personnes l'ont signalé)")));
}

TEST_CASE("report outcome: the unconfirmed marker is in each recipient's language", "[pg][reports]") {
  ReportNetwork n(R"({"wait":"2m","on_timeout":"send"})");
  n.Add(kFrench, R"("roles":["responder"],"areas":["SE15"],"language":"fr")");
  n.Sms(ReportNetwork::kReporter, "RAID SE15 Rye Lane");
  const auto alert = n.LatestReport().at("alert_id").as_int64();
  n.Advance("2m");
  Eventually([&] { return n.AlertStatus(alert) == "open"; }, "raised at the end of the wait");
  n.WaitFor(ReportNetwork::kResponder1, 1, "the English responder");
  n.WaitFor(kFrench, 1, "the French responder");
  CHECK(Contains(n.To(ReportNetwork::kResponder1)[0], "unconfirmed report"));
  CHECK(Contains(n.To(kFrench)[0], "signalement non confirmé"));
  CHECK_FALSE(Contains(n.To(kFrench)[0], "unconfirmed report"));
}

TEST_CASE("report outcome: a verifier's confirmation raises at once, whatever the approval rule",
          "[pg][reports][approval]") {
  ReportNetwork n;
  n.PatchNetwork(R"({"approval":{"min_recipients":1}})");
  // A coordinator's raise of the same size is held for a second coordinator...
  auto raised = n.c.Post("/v1/networks/demo/alerts", R"({"kind":"other","areas":["SE15"],"location":"Rye Lane"})");
  INFO(raised.body);
  CHECK(raised.status == 202);
  CHECK(raised.Json().as_object().at("status") == "pending_approval");
  // ... but a report confirmed by a verifier is already two people's word: it goes at once.
  n.Sms(ReportNetwork::kReporter, "RAID SE15 Rye Lane");
  auto report = n.LatestReport();
  const auto alert = report.at("alert_id").as_int64();
  n.WaitFor(ReportNetwork::kVerifier2, 1, "the verifiers asked");
  n.Sms(ReportNetwork::kVerifier2, "1");
  CHECK(n.AlertStatus(alert) == "open");
  n.WaitFor(ReportNetwork::kResponder1, 1, "the alert reaches the responders");
  CHECK(Contains(n.To(ReportNetwork::kResponder1)[0], "Rye Lane"));
}

TEST_CASE("report outcome: the quickstart's demo, a reporter's RAID then a verifier's 1", "[pg][reports][demo]") {
  // deploy/demo_members.csv as the quickstart imports it, and the two SMS its --demo prints
  // (deploy/demo_sms.sh signs them as this test does).
  ReportNetwork n;
  std::ifstream file(tocsin::test::SourceDir() + "/deploy/demo_members.csv");
  std::stringstream csv;
  csv << file.rdbuf();
  auto imported = n.c.Post("/v1/networks/demo/members/import", csv.str(), "text/csv");
  INFO(imported.body);
  REQUIRE(imported.status == 200);
  CHECK(Contains(n.Sms("+447700900789", "RAID SE15 Rye Lane estate, 3 vans"), "received"));
  const auto alert = n.LatestReport().at("alert_id").as_int64();
  n.WaitFor("+447700900123", 1, "the demo verifier of SE15 asked");
  n.Sms("+447700900123", "1");
  CHECK(n.AlertStatus(alert) == "open");
  n.WaitFor("+447700900101", 1, "the alert reaches SE15's demo responders");
}
