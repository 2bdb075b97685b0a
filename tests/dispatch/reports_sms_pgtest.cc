// Reports from the street by SMS (issue 12), through the signed Twilio webhook: who may report
// (reports.from), the area from the text, from the reporter, or asked back; the answer in the
// reporter's language with the report's code; the stranger's rate limit; and that the
// reporter's number is never shown by the API.
#include <catch2/catch.hpp>

#include "tests/support/alert_network.h"
#include "tests/support/signed_sms.h"

using namespace tocsin::test;

namespace {

constexpr const char* kReporter = "+447700900501";
constexpr const char* kResponder = "+447700900502";
constexpr const char* kStranger = "+447700900599";

struct ReportNetwork : AlertNetwork {
  ReportNetwork() {
    REQUIRE(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
    REQUIRE(c.Put("/v1/networks/demo/areas/E8", R"({"neighbours":[]})").status == 200);
    auto token = server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"admin"})");
    REQUIRE(token.status == 201);
    admin_token = std::string(token.Json().as_object().at("token").as_string());
  }
  void Settings(const std::string& json) {
    auto r = server->Client(admin_token).Patch("/v1/networks/demo", R"({"reports":)" + json + "}");
    INFO(r.body);
    REQUIRE(r.status == 200);
  }
  boost::json::array Reports() { return c.Get("/v1/networks/demo/reports").Json().as_object().at("reports").as_array(); }
  std::string admin_token;
};

}  // namespace

TEST_CASE("reports by SMS: a reporter's RAID with a postcode district", "[pg][reports]") {
  ReportNetwork n;
  auto reporter = n.AddMember(R"({"phone":"+447700900501","roles":["reporter"],"areas":["E8"],"language":"en"})");
  auto r = n.Reply(kReporter, "RAID se15 Rye Lane, 3 vans");
  INFO(r.body);
  auto reports = n.Reports();
  REQUIRE(reports.size() == 1);
  auto report = reports[0].as_object();
  const std::string code(report.at("code").as_string());
  CHECK(r.body.find("Report " + code + " received") != std::string::npos);
  CHECK(report.at("kind") == "raid");
  CHECK(report.at("status") == "pending");
  CHECK(report.at("areas").as_array() == boost::json::array{"SE15"});  // from the text, not the reporter's E8
  CHECK(report.at("location") == "se15 Rye Lane, 3 vans");
  CHECK(report.at("source") == "sms");
  CHECK(report.at("reporter_member_id") == reporter);
  // The API never shows the reporter's number.
  auto one = n.c.Get("/v1/networks/demo/reports/" + std::to_string(report.at("id").as_int64()));
  CHECK(one.body.find("7700900501") == std::string::npos);
  CHECK(n.Reports()[0].as_object().at("id") == report.at("id"));
  // Sealed at rest: the number is not in the table in clear.
  CHECK(n.db.Scalar("SELECT count(*) FROM reports WHERE position('+447700900501' in encode(reporter_enc, 'escape')) > 0") ==
        "0");
}

TEST_CASE("reports by SMS: the reporter's area, or asked back", "[pg][reports]") {
  ReportNetwork n;
  n.AddMember(R"({"phone":"+447700900501","roles":["reporter"],"areas":["E8"],"language":"fr"})");
  n.AddMember(R"({"phone":"+447700900503","roles":["reporter"],"language":"en"})");

  SECTION("no place in the text: the reporter's first area, answered in their language") {
    auto r = n.Reply(kReporter, "rafle devant la gare");
    auto report = n.Reports()[0].as_object();
    CHECK(report.at("areas").as_array() == boost::json::array{"E8"});
    CHECK(report.at("kind") == "raid");
    CHECK(r.body.find("Merci") != std::string::npos);
    CHECK(r.body.find(std::string(report.at("code").as_string())) != std::string::npos);
  }
  SECTION("a reporter with no area is asked which, and their answer gives it") {
    auto r = n.Reply("+447700900503", "REPORT people taken from the hostel");
    CHECK(r.body.find("Which area") != std::string::npos);
    auto report = n.Reports()[0].as_object();
    CHECK(report.at("status") == "awaiting_area");
    CHECK(report.at("kind") == "other");
    CHECK(report.at("areas").as_array().empty());
    auto answer = n.Reply("+447700900503", "se15");
    CHECK(answer.body.find("Report " + std::string(report.at("code").as_string()) + " received") != std::string::npos);
    report = n.Reports()[0].as_object();
    CHECK(report.at("status") == "pending");
    CHECK(report.at("areas").as_array() == boost::json::array{"SE15"});
    // Once given, a later message is no answer to it.
    n.Reply("+447700900503", "E8");
    CHECK(n.Reports()[0].as_object().at("areas").as_array() == boost::json::array{"SE15"});
  }
}

TEST_CASE("reports by SMS: who may report", "[pg][reports]") {
  ReportNetwork n;
  n.AddMember(R"({"phone":"+447700900502","roles":["responder"],"areas":["SE15"]})");

  // By default only reporters: a responder's RAID is no report (the reply path keeps it).
  n.Reply(kResponder, "RAID SE15 vans");
  CHECK(n.Reports().empty());
  n.Reply(kStranger, "RAID SE15 vans");
  CHECK(n.Reports().empty());

  n.Settings(R"({"from":"members"})");
  n.Reply(kResponder, "RAID SE15 vans");
  CHECK(n.Reports().size() == 1);
  n.Reply(kStranger, "RAID SE15 vans");
  CHECK(n.Reports().size() == 1);

  // Anyone: a stranger may report, max_per_hour_per_number an hour; the rest are dropped silently.
  n.Settings(R"({"from":"anyone","max_per_hour_per_number":2})");
  CHECK(n.Reply(kStranger, "RAID SE15 vans").body.find("received") != std::string::npos);
  CHECK(n.Reply(kStranger, "RAID SE15 more vans").body.find("received") != std::string::npos);
  auto third = n.Reply(kStranger, "RAID SE15 even more vans");
  CHECK(third.body.find("<Message>") == std::string::npos);
  CHECK(n.Reports().size() == 3);
  // Members are not limited.
  n.Reply(kResponder, "RAID SE15 vans");
  n.Reply(kResponder, "RAID SE15 vans");
  CHECK(n.Reports().size() == 5);
  // An hour later the stranger may report again.
  n.Advance("61m");
  CHECK(n.Reply(kStranger, "RAID SE15 vans").body.find("received") != std::string::npos);
  CHECK(n.Reports().size() == 6);
}

TEST_CASE("reports by SMS: CHECK answers members, and strangers only with public_check", "[pg][reports]") {
  ReportNetwork n;
  n.AddMember(R"({"phone":"+447700900501","roles":["reporter"],"areas":["E8"],"language":"en"})");
  n.AddMember(R"({"phone":"+447700900502","roles":["responder"],"areas":["SE15"],"language":"fr"})");

  auto none = n.Reply(kResponder, "CHECK SE15");
  INFO(none.body);
  CHECK(none.body.find("SE15") != std::string::npos);
  CHECK(none.body.find("0 en cours") != std::string::npos);  // in the member's language

  n.Reply(kReporter, "RAID SE15 vans on Rye Lane");
  auto checking = n.Reply(kReporter, "check se15");
  CHECK(checking.body.find("No verified report in SE15 in the last 2 hours; 1 being checked") != std::string::npos);

  auto alert = n.Raise(R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  auto code = std::string(n.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert)).Json().as_object().at("code").as_string());
  auto verified = n.Reply(kReporter, "CHECK SE15");
  CHECK(verified.body.find("Verified alert in SE15 since ") != std::string::npos);
  CHECK(verified.body.find("(" + code + ")") != std::string::npos);

  // A stranger gets nothing, unless the network answers everyone.
  CHECK(n.Reply(kStranger, "CHECK SE15").body.find("<Message>") == std::string::npos);
  n.Settings(R"({"public_check":true})");
  CHECK(n.Reply(kStranger, "CHECK SE15").body.find("Verified alert in SE15") != std::string::npos);
}

TEST_CASE("reports by SMS: a webhook Twilio repeats makes one report", "[pg][reports]") {
  ReportNetwork n;
  n.AddMember(R"({"phone":"+447700900501","roles":["reporter"],"areas":["E8"]})");
  for (int i = 0; i < 2; ++i) {
    auto r = PostSignedSms(*n.server, AlertNetwork::kAuthToken,
                           {"SMrepeat1", kReporter, AlertNetwork::kNumber, "RAID SE15 vans"});
    REQUIRE(r.status == 200);
    CHECK((r.body.find("received") != std::string::npos) == (i == 0));
  }
  CHECK(n.Reports().size() == 1);
}
