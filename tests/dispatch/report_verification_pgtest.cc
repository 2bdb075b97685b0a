// A report's verification (issue 12) through the real binary, the fake Twilio (which records
// every message it is sent) and the manual clock: verifiers of the report's area asked by SMS
// (never who reported), then the neighbouring areas' after half the wait; a verifier's 1 raises
// the alert through the normal path and the members get it; as many 2s as confirmations dismiss
// it; a timeout does what the policy says (coordinators, send, drop); a second report of the same
// raid merges; a verifier's answer is never an alert response.
#include <algorithm>

#include <catch2/catch.hpp>

#include "dispatch/channels/twilio_signature.h"
#include "tests/fakes/fake_twilio.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kNumber = "+447700900001";
constexpr const char* kAuthToken = "fake-auth-token";
constexpr const char* kReporter = "+447700900501";
constexpr const char* kVerifier1 = "+447700900511";
constexpr const char* kVerifier2 = "+447700900512";
constexpr const char* kNeighbour = "+447700900513";
constexpr const char* kResponder1 = "+447700900521";
constexpr const char* kResponder2 = "+447700900522";
constexpr const char* kCoordinator = "+447700900531";

FakeTwilioConfig FakeConfig() {
  FakeTwilioConfig cfg;
  cfg.numbers = {kNumber};
  return cfg;
}

std::string Toml(const FakeTwilio& fake) {
  return std::string("[testing]\nmanual_clock = true\n[sms]\nprovider = \"twilio\"\n[twilio]\n"
                     "account_sid = \"AC00000000000000000000000000000000\"\nauth_token = \"") +
         kAuthToken + "\"\napi_base = \"" + fake.BaseUrl() + "\"\ndefault_segments_per_second = 100\n";
}

struct VerifyNetwork {
  explicit VerifyNetwork(const std::string& verification = "")
      : fake(FakeConfig()), server(db, Toml(fake)), c(Started(server)) {
    REQUIRE(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
    REQUIRE(c.Put("/v1/networks/demo/areas/SE22", R"({"neighbours":["SE15"]})").status == 200);
    reporter = Add(kReporter, R"("roles":["reporter"],"areas":["SE15"])");
    verifier1 = Add(kVerifier1, R"("roles":["verifier"],"areas":["SE15"],"language":"fr")");
    verifier2 = Add(kVerifier2, R"("roles":["verifier"],"areas":["SE15"])");
    neighbour = Add(kNeighbour, R"("roles":["verifier"],"areas":["SE22"])");
    responder1 = Add(kResponder1, R"("roles":["responder"],"areas":["SE15"])");
    responder2 = Add(kResponder2, R"("roles":["responder"],"areas":["SE15"])");
    coordinator = Add(kCoordinator, R"("roles":["coordinator"],"areas":["E1"])");
    if (!verification.empty()) {
      auto put = c.Put("/v1/networks/demo/policies/raid",
                       R"({"steps":[{"audience":{},"channel":"sms"}],"verification":)" + verification + "}");
      INFO(put.body);
      REQUIRE(put.status == 200);
    }
  }
  // Starts the server; a coordinator of network demo.
  static HttpClient Started(TocsindProcess& s) {
    s.Start();
    return s.Client(CreateNetworkWithToken(s, "demo", "coordinator", kNumber));
  }
  std::int64_t Add(const std::string& phone, const std::string& rest) {
    auto r = c.Post("/v1/networks/demo/members", R"({"phone":")" + phone + R"(",)" + rest + "}");
    INFO(r.body);
    REQUIRE(r.status == 201);
    return r.Json().as_object().at("id").as_int64();
  }
  // An SMS as Twilio would post it (signed); the TwiML answer.
  std::string Sms(const std::string& from, const std::string& body) {
    FormParams params = {{"MessageSid", "SMin" + std::to_string(++sid)}, {"From", from}, {"To", kNumber}, {"Body", body}};
    auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/twilio/sms";
    auto r = server.Client().Send("POST", "/twilio/sms", FormUrlEncode(params),
                                  {{"Content-Type", "application/x-www-form-urlencoded"},
                                   {"X-Twilio-Signature", TwilioSignature(kAuthToken, url, params)}});
    REQUIRE(r.status == 200);
    return r.body;
  }
  void Advance(const std::string& by) {
    REQUIRE(server.Admin().Post("/v1/admin/clock", R"({"advance":")" + by + R"("})").status == 200);
  }
  // The messages the fake Twilio was sent to `to`.
  std::vector<std::string> To(const std::string& to) const {
    std::vector<std::string> out;
    for (const auto& m : fake.Messages()) {
      if (m.to == to) out.push_back(m.body);
    }
    return out;
  }
  void WaitFor(const std::string& to, std::size_t n, const char* what) {
    Eventually([&] { return To(to).size() >= n; }, what);
  }
  boost::json::object Report(std::int64_t id) {
    return c.Get("/v1/networks/demo/reports/" + std::to_string(id)).Json().as_object();
  }
  boost::json::object LatestReport() {
    auto list = c.Get("/v1/networks/demo/reports").Json().as_object().at("reports").as_array();
    REQUIRE(!list.empty());
    return list[0].as_object();
  }
  std::string AlertStatus(std::int64_t alert) {
    return db.Scalar("SELECT status FROM alerts WHERE id = " + std::to_string(alert));
  }
  std::vector<std::string> Timeline(std::int64_t report) {
    std::vector<std::string> out;
    const auto body = Report(report);  // kept alive: the loop walks into it
    for (const auto& e : body.at("timeline").as_array()) {
      out.emplace_back(e.as_object().at("what").as_string());
    }
    return out;
  }
  bool Has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  }

  FakeTwilio fake;
  TestDatabase db;
  TocsindProcess server;
  HttpClient c;
  int sid = 0;
  std::int64_t reporter = 0, verifier1 = 0, verifier2 = 0, neighbour = 0, responder1 = 0, responder2 = 0,
               coordinator = 0;
};

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
