// A report's verification (issue 12) through the real binary, the fake Twilio (which records
// every message it is sent) and the manual clock: verifiers of the report's area asked by SMS
// (never who reported), then the neighbouring areas' after half the wait; a verifier's 1 raises
// the alert through the normal path and the members get it; as many 2s as confirmations dismiss
// it; a timeout does what the policy says (coordinators, send, drop); a second report of the same
// raid merges; a verifier's answer is never an alert response.
#include <catch2/catch.hpp>

#include "tests/support/eventually.h"
#include "tests/support/report_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

using VerifyNetwork = ReportNetwork;
constexpr const char* kReporter = ReportNetwork::kReporter;
constexpr const char* kVerifier1 = ReportNetwork::kVerifier1;
constexpr const char* kVerifier2 = ReportNetwork::kVerifier2;
constexpr const char* kNeighbour = ReportNetwork::kNeighbour;
constexpr const char* kResponder1 = ReportNetwork::kResponder1;
constexpr const char* kResponder2 = ReportNetwork::kResponder2;
constexpr const char* kCoordinator = ReportNetwork::kCoordinator;

}  // namespace

TEST_CASE("report verification: a verifier's 1 raises the alert and the members get it", "[pg][reports]") {
  VerifyNetwork n;
  auto received = n.Sms(kReporter, "RAID SE15 Rye Lane, 3 vans");
  INFO(received);
  auto report = n.LatestReport();
  const auto id = report.at("id").as_int64();
  const std::string code(report.at("code").as_string());
  CHECK(received.find("Report " + code + " received") != std::string::npos);
  CHECK(report.at("status") == "pending");
  REQUIRE(report.at("alert_id").is_int64());
  const auto alert = report.at("alert_id").as_int64();
  CHECK(n.AlertStatus(alert) == "verifying");
  // Not an open alert: not listed as one, not counted by CHECK.
  CHECK(n.c.Get("/v1/networks/demo/alerts?status=open").Json().as_object().at("alerts").as_array().empty());
  CHECK(n.c.Get("/v1/networks/demo/alerts?status=verifying").Json().as_object().at("alerts").as_array().size() == 1);

  // The verifiers of SE15 are asked, each in their language, with the code; never who reported.
  n.WaitFor(kVerifier1, 1, "the French verifier asked");
  n.WaitFor(kVerifier2, 1, "the verifier asked");
  CHECK(n.To(kVerifier1)[0].find("Répondez 1 " + code) != std::string::npos);
  CHECK(n.To(kVerifier2)[0].find("Reply 1 " + code) != std::string::npos);
  CHECK(n.To(kVerifier2)[0].find("Rye Lane") != std::string::npos);
  for (const auto& m : n.fake.Messages()) {
    INFO(m.to << ": " << m.body);
    CHECK(m.body.find("7700900501") == std::string::npos);
  }
  CHECK(n.To(kResponder1).empty());
  CHECK(n.To(kNeighbour).empty());

  // A bare 1 from a verifier: the report's, never an alert response.
  auto thanks = n.Sms(kVerifier2, "1");
  INFO(thanks);
  CHECK(thanks.find("Thank you for checking report " + code) != std::string::npos);
  CHECK(n.AlertStatus(alert) == "open");
  CHECK(n.db.Scalar("SELECT count(*) FROM responses WHERE alert_id = " + std::to_string(alert)) == "0");
  CHECK(n.db.Scalar("SELECT created_by FROM alerts WHERE id = " + std::to_string(alert)) == "report:" + std::to_string(id));
  n.WaitFor(kResponder1, 1, "the alert reaches the responders");
  n.WaitFor(kResponder2, 1, "the alert reaches the responders");
  CHECK(n.To(kResponder1)[0].find("Rye Lane") != std::string::npos);
  CHECK(n.To(kResponder1)[0].find("unconfirmed") == std::string::npos);
  n.WaitFor(kReporter, 1, "the reporter told");
  CHECK(n.To(kReporter)[0].find("Report " + code + " was confirmed") != std::string::npos);

  report = n.Report(id);
  CHECK(report.at("status") == "confirmed");
  auto timeline = n.Timeline(id);
  CHECK(timeline == std::vector<std::string>{"received", "asked", "seen", "confirmed", "raised"});
  auto events = report.at("timeline").as_array();
  CHECK(events[1].as_object().at("count") == 2);
  CHECK(events[2].as_object().at("member_id") == n.verifier2);

  // A later 1 from the other verifier is thanked and changes nothing; it is no going answer.
  CHECK(n.Sms(kVerifier1, "1 " + code).find(code) != std::string::npos);
  CHECK(n.db.Scalar("SELECT count(*) FROM responses WHERE alert_id = " + std::to_string(alert)) == "0");
  CHECK(n.db.Scalar("SELECT count(*) FROM alerts") == "1");
  // A responder's 1 is the alert's, as ever.
  n.Sms(kResponder1, "1");
  CHECK(n.db.Scalar("SELECT answer FROM responses WHERE alert_id = " + std::to_string(alert)) == "going");
}

TEST_CASE("report verification: as many 2s as confirmations dismiss it", "[pg][reports]") {
  VerifyNetwork n(R"({"confirmations":2})");
  n.Sms(kReporter, "RAID SE15 by the station");
  auto report = n.LatestReport();
  const auto id = report.at("id").as_int64();
  const std::string code(report.at("code").as_string());
  const auto alert = report.at("alert_id").as_int64();
  n.WaitFor(kVerifier2, 1, "the verifier asked");

  n.Sms(kVerifier1, "2");
  CHECK(n.AlertStatus(alert) == "verifying");  // one of two
  n.Sms(kVerifier2, "2 " + code);
  CHECK(n.AlertStatus(alert) == "cancelled");
  CHECK(n.Report(id).at("status") == "dismissed");
  CHECK(n.Timeline(id) == std::vector<std::string>{"received", "asked", "not_seen", "not_seen", "dismissed"});
  n.WaitFor(kReporter, 1, "the reporter told kindly");
  CHECK(n.To(kReporter)[0].find("could not see it") != std::string::npos);
  // The responders never hear of it.
  n.Advance("10m");
  CHECK(n.To(kResponder1).empty());
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0") == "0");
}

TEST_CASE("report verification: the neighbours after half the wait, then the coordinators", "[pg][reports]") {
  VerifyNetwork n;
  n.Sms(kReporter, "RAID SE15 Queens Road");
  auto report = n.LatestReport();
  const auto id = report.at("id").as_int64();
  const std::string code(report.at("code").as_string());
  const auto alert = report.at("alert_id").as_int64();
  n.WaitFor(kVerifier2, 1, "the verifiers asked");
  n.Advance("2m");
  CHECK(n.To(kNeighbour).empty());
  n.Advance("31s");  // half of 5m
  n.WaitFor(kNeighbour, 1, "the neighbouring area's verifier asked");
  CHECK(n.To(kNeighbour)[0].find(code) != std::string::npos);
  CHECK(n.To(kVerifier2).size() == 1);  // not asked twice
  CHECK(n.Has(n.Timeline(id), "asked"));

  n.Advance("3m");  // the wait is over: the coordinators decide
  n.WaitFor(kCoordinator, 1, "the coordinators asked");
  CHECK(n.To(kCoordinator)[0].find("Reply 1 " + code) != std::string::npos);
  CHECK(n.To(kCoordinator)[0].find("7700900501") == std::string::npos);
  CHECK(n.AlertStatus(alert) == "verifying");
  CHECK(n.Has(n.Timeline(id), "timeout"));
  // The coordinator's 1 with the code raises it.
  n.Sms(kCoordinator, "1 " + code);
  CHECK(n.AlertStatus(alert) == "open");
  n.WaitFor(kResponder1, 1, "the alert reaches the responders");
  CHECK(n.Report(id).at("status") == "confirmed");
}

TEST_CASE("report verification: on_timeout send raises it unconfirmed, drop dismisses", "[pg][reports]") {
  SECTION("send") {
    VerifyNetwork n(R"({"wait":"2m","on_timeout":"send"})");
    n.Sms(kReporter, "RAID SE15 Rye Lane");
    auto report = n.LatestReport();
    const auto alert = report.at("alert_id").as_int64();
    n.Advance("2m");
    Eventually([&] { return n.AlertStatus(alert) == "open"; }, "raised at the end of the wait");
    n.WaitFor(kResponder1, 1, "the alert reaches the responders");
    CHECK(n.To(kResponder1)[0].find("unconfirmed report") != std::string::npos);
    CHECK(n.Has(n.Timeline(report.at("id").as_int64()), "unconfirmed"));
  }
  SECTION("drop") {
    VerifyNetwork n(R"({"wait":"2m","on_timeout":"drop"})");
    n.Sms(kReporter, "RAID SE15 Rye Lane");
    auto report = n.LatestReport();
    const auto alert = report.at("alert_id").as_int64();
    n.Advance("2m");
    Eventually([&] { return n.AlertStatus(alert) == "cancelled"; }, "dismissed at the end of the wait");
    CHECK(n.Report(report.at("id").as_int64()).at("status") == "dismissed");
    CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0") == "0");
  }
}

TEST_CASE("report verification: a second report of the same raid merges", "[pg][reports]") {
  VerifyNetwork n;
  n.Sms(kReporter, "RAID SE15 Rye Lane");
  auto first = n.LatestReport();
  const auto first_id = first.at("id").as_int64();
  n.WaitFor(kVerifier2, 1, "the verifiers asked");
  // From the neighbouring area, within the merge window: one more reporter, no second round.
  auto second_answer = n.Sms(kReporter, "RAID SE22 vans on Rye Lane");
  CHECK(second_answer.find("received") != std::string::npos);
  auto second = n.LatestReport();
  CHECK(second.at("status") == "merged");
  CHECK(second.at("merged_into") == first_id);
  CHECK(n.Report(first_id).at("reporters") == 2);
  CHECK(n.Has(n.Timeline(first_id), "reporter_added"));
  CHECK(n.db.Scalar("SELECT count(*) FROM alerts") == "1");
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries d JOIN alert_messages m ON m.alert_id = d.alert_id"
                    " AND m.seq = d.seq AND m.language = d.language WHERE m.kind = 'verify'") == "2");

  // Once the alert is open, a further report offers its coordinators an update.
  n.Sms(kVerifier1, "1");
  CHECK(n.AlertStatus(first.at("alert_id").as_int64()) == "open");
  n.Sms(kReporter, "RAID SE15 still there");
  auto third = n.LatestReport();
  CHECK(third.at("status") == "merged");
  CHECK(third.at("alert_id") == first.at("alert_id"));
  n.WaitFor(kCoordinator, 1, "the coordinators offered an update");
  CHECK(n.To(kCoordinator)[0].find("Another report") != std::string::npos);
  CHECK(n.db.Scalar("SELECT count(*) FROM alerts") == "1");
}

TEST_CASE("report verification: a coordinator decides by the API", "[pg][reports]") {
  VerifyNetwork n;
  auto posted = n.c.Post("/v1/networks/demo/reports", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  INFO(posted.body);
  REQUIRE(posted.status == 201);
  auto report = posted.Json().as_object();
  REQUIRE(report.at("alert_id").is_int64());  // its verifiers are being asked
  const auto id = std::to_string(report.at("id").as_int64());
  auto confirmed = n.c.Post("/v1/networks/demo/reports/" + id + "/confirm", "");
  INFO(confirmed.body);
  REQUIRE(confirmed.status == 200);
  CHECK(confirmed.Json().as_object().at("status") == "confirmed");
  CHECK(confirmed.Json().as_object().at("alert").as_object().at("recipients") == 2);
  CHECK(n.AlertStatus(report.at("alert_id").as_int64()) == "open");
  CHECK(n.c.Post("/v1/networks/demo/reports/" + id + "/dismiss", "").status == 409);
  CHECK(n.db.Scalar("SELECT count(*) FROM alerts") == "1");
}
