// A removal schedule's asks (issue 13) beyond SMS, through the real binary, the fake Twilio, the
// fake SMTP relay, a loopback webhook receiver and real PostgreSQL, on the manual clock:
//  - an entry naming legal or mp asks the case's organisation contacts of that role by their
//    own channels: the case.ask webhook (to endpoints subscribed to it) and an email, with the
//    role's text in the organisation's language, under the consent rules (without consent: the
//    bare text, no ask, no place, no deadline); an entry not naming their role sends them nothing;
//  - a member contact whose only channel is voice is called with the ask;
//  - many cases' entries due at the same moment all fire, once each (fired in batches);
//  - a case's alert held for approval cannot be approved by the token that recorded the event;
//  - the timeline lists the alerts' later messages and their answers;
//  - a partner's signed webhook (inbound source maps_to "case") records an event, once.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "dispatch/util/clock.h"
#include "tests/support/case_fixture.h"
#include "tests/support/json_schema_check.h"
#include "tests/support/mime_decode.h"
#include "tests/support/paths.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kSupporter = "+447700900802";
constexpr const char* kCaller = "+447700900805";
constexpr std::int64_t kHour = 3600 * 1000;

std::int64_t AlertOf(const HttpResult& r) {
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("alert").as_object().at("id").as_int64();
}

void OneStepRemovalPolicy(CaseFixture& f) {
  REQUIRE(f.n.c.Put("/v1/networks/demo/policies/removal", R"({"steps":[{"audience":{"roles":["coordinator"]}}]})")
              .status == 200);
}

// The email bodies the fake relay has received for `to`, decoded, oldest first.
// A case "A." in M8 whose bail contact is a member of number `phone`; `bail` gets its id.
std::int64_t BailCase(CaseFixture& f, const char* phone, std::int64_t* bail) {
  *bail = f.n.AddMember(std::string(R"({"phone":")") + phone + R"("})");
  auto id = f.Case(R"({"name":"Amina Hassan","pseudonym":"A.","areas":["M8"]})");
  f.Contact(id, R"({"role":"bail","member":)" + std::to_string(*bail) + "}");
  return id;
}

std::vector<std::string> EmailsTo(CaseFixture& f, const std::string& to) {
  std::vector<std::string> out;
  for (const auto& m : f.smtp.Messages()) {
    if (m.recipients != std::vector<std::string>{to}) continue;
    out.push_back(DecodeQuotedPrintable(m.data.substr(m.data.find("\r\n\r\n") + 4)));
  }
  return out;
}

}  // namespace

TEST_CASE("Case asks: a schedule entry naming legal and mp asks the organisation contacts by webhook and email",
          "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  auto supporter = n.AddMember(std::string(R"({"phone":")") + kSupporter + R"("})");
  f.Tree(supporter);
  // A law centre by webhook (subscribed to case.ask) and email, legal consent on file; an MP's
  // office by webhook and email, without consent.
  WebhookReceiver law_rx, office_rx;
  auto law = n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law"})");
  n.Hook(law, law_rx, R"(["alert.raised","case.ask"])");
  REQUIRE(n.c.Post("/v1/networks/demo/organisations/" + std::to_string(law) + "/emails",
                   R"({"address":"cases@hackney-law.example"})")
              .status == 201);
  auto office = n.Org(R"({"name":"MP office","slug":"mp-office"})");
  n.Hook(office, office_rx, R"(["alert.raised","case.ask"])");
  REQUIRE(n.c.Post("/v1/networks/demo/organisations/" + std::to_string(office) + "/emails",
                   R"({"address":"caseworker@mp-office.example"})")
              .status == 201);
  auto id = f.Case(R"({"name":"Amina Hassan","pseudonym":"A.","areas":["M8"],"home_office_ref":"H1234567",)"
                   R"("consent":{"legal":"2026-09-14"}})");
  f.Contact(id, R"({"role":"legal","organisation":)" + std::to_string(law) + "}");
  f.Contact(id, R"({"role":"mp","organisation":)" + std::to_string(office) + "}");
  f.Contact(id, R"({"role":"campaign","tree":"supporters"})");
  OneStepRemovalPolicy(f);

  const auto now = f.n.Advance("1s");
  // 73h to the flight: 72h before (campaign only) in 1h, 24h before (campaign, legal, mp) in 49h.
  const auto alert = AlertOf(f.Event(id, R"({"type":"removal_directions","deadline":")" +
                                             Rfc3339Utc(now + 73 * kHour) + R"(","details":"flight KQ101"})"));
  n.WaitCount(law_rx, 1, "alert.raised at the law centre");
  n.WaitCount(office_rx, 1, "alert.raised at the MP's office");
  Eventually([&] { return f.smtp.Messages().size() == 2; }, "the alert's two emails");

  // 72h before asks the campaign only: nothing more to the organisations.
  f.n.Advance("1h");
  Eventually([&] { return f.To(kSupporter).size() == 2; }, "the 72h ask reaches the supporter");
  CHECK(law_rx.Received().size() == 1);
  CHECK(office_rx.Received().size() == 1);
  CHECK(f.smtp.Messages().size() == 2);

  // 24h before: campaign, legal and mp.
  f.n.Advance("48h");
  n.WaitCount(law_rx, 2, "case.ask at the law centre");
  n.WaitCount(office_rx, 2, "case.ask at the MP's office");
  const auto law_body = law_rx.Received()[1].body;
  auto law_event = boost::json::parse(law_body);
  INFO(law_body);
  CHECK(law_event.as_object().at("type").as_string() == "case.ask");
  CHECK(SchemaViolations(SourceDir() + "/schema/webhooks", "case.ask.json", law_event).empty());
  const auto& data = law_event.as_object().at("data").as_object();
  CHECK(data.at("alert").as_object().at("id").as_int64() == alert);
  CHECK(data.at("case").as_object().at("role").as_string() == "legal");
  const std::string law_text(data.at("case").as_object().at("text").as_string());
  CHECK(Has(law_text, "removal directions for A."));
  CHECK(Has(law_text, "H1234567"));
  CHECK(Has(law_text, "airline"));
  CHECK(data.at("ask").as_object().at("entry").as_int64() == 2);
  CHECK(data.at("ask").as_object().at("action").as_string() == "calls");
  CHECK(Has(std::string(data.at("ask").as_object().at("ask").as_string()), "airline"));
  CHECK(data.at("alert").as_object().at("location").as_string() == "A.");

  // The MP's office, no consent: the bare text, the alert without its place or deadline, no ask.
  const auto office_body = office_rx.Received()[1].body;
  auto office_event = boost::json::parse(office_body);
  CHECK(office_event.as_object().at("type").as_string() == "case.ask");
  CHECK(SchemaViolations(SourceDir() + "/schema/webhooks", "case.ask.json", office_event).empty());
  const auto& office_data = office_event.as_object().at("data").as_object();
  CHECK(office_data.at("case").as_object().at("role").as_string() == "mp");
  CHECK(office_data.at("alert").as_object().at("location").as_string() == "");
  CHECK(office_data.at("alert").as_object().at("deadline").is_null());
  CHECK_FALSE(office_data.at("ask").as_object().contains("ask"));
  CheckNothingOfCase(office_body);
  CHECK_FALSE(Has(office_body, "airline"));

  // By email too: the law centre's says the ask; the office's nothing of the case.
  Eventually([&] { return f.smtp.Messages().size() == 4; }, "the ask's two emails");
  auto law_mail = EmailsTo(f, "cases@hackney-law.example");
  REQUIRE(law_mail.size() == 2);
  CHECK(Has(law_mail[1], "removal directions for A."));
  CHECK(Has(law_mail[1], "airline"));
  auto office_mail = EmailsTo(f, "caseworker@mp-office.example");
  REQUIRE(office_mail.size() == 2);
  CHECK(Has(office_mail[1], "a case of yours needs attention"));
  CHECK_FALSE(Has(office_mail[1], "H1234567"));
  CHECK_FALSE(Has(office_mail[1], "airline"));
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE event_type = 'case.ask' AND channel = 'email'"
                    " AND alert_id = " + std::to_string(alert)) == "2");

  // 6h before (campaign) and 1h after (coordinators): nothing more to the organisations.
  f.n.Advance("18h");
  f.n.Advance("7h");
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE event_type = 'case.ask' AND alert_id = " +
                    std::to_string(alert)) == "4");
}

TEST_CASE("Case asks: an endpoint not subscribed to case.ask gets no ask; the email still goes", "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  WebhookReceiver rx;
  auto law = n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law"})");
  n.Hook(law, rx, R"(["alert.raised"])");
  REQUIRE(n.c.Post("/v1/networks/demo/organisations/" + std::to_string(law) + "/emails",
                   R"({"address":"cases@hackney-law.example"})")
              .status == 201);
  auto id = f.Case(R"({"name":"Amina Hassan","pseudonym":"A.","areas":["M8"],"consent":{"legal":"2026-09-14"}})");
  f.Contact(id, R"({"role":"legal","organisation":)" + std::to_string(law) + "}");
  OneStepRemovalPolicy(f);
  const auto now = f.n.Advance("1s");
  // 23h to the flight: the 72h entry is past (campaign: nobody), the 24h one too: both at once.
  AlertOf(f.Event(id, R"({"type":"removal_directions","deadline":")" + Rfc3339Utc(now + 23 * kHour) + R"("})"));
  Eventually([&] { return f.smtp.Messages().size() == 2; }, "the alert's email and the ask's");
  n.WaitCount(rx, 1, "alert.raised");
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE event_type = 'case.ask' AND channel = 'webhook'") == "0");
  CHECK(rx.Received().size() == 1);

  // The timeline lists the two entries that were past (fired at once) after the event that set
  // them, each "at" its due time.
  auto timeline = n.c.Get("/v1/networks/demo/cases/" + std::to_string(id) + "/timeline");
  REQUIRE(timeline.status == 200);
  const auto body = timeline.Json();
  const auto& items = body.as_object().at("timeline").as_array();
  INFO(timeline.body);
  REQUIRE(items.size() >= 4);
  CHECK(items[0].as_object().at("type") == "removal_directions");
  CHECK(items[1].as_object().at("type") == "alert");
  CHECK(items[2].as_object().at("type") == "schedule");
  CHECK(items[2].as_object().at("before") == "72h");
  CHECK(items[2].as_object().at("state") == "fired");
  const std::string due(items[2].as_object().at("at").as_string());
  CHECK(due.rfind(Rfc3339Utc(now + 23 * kHour - 72 * kHour).substr(0, 19), 0) == 0);
  CHECK(items[3].as_object().at("before") == "24h");
  CHECK(items[3].as_object().at("state") == "fired");
}

TEST_CASE("Case asks: a member contact whose only channel is voice is called with the ask", "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  auto caller = n.AddMember(std::string(R"({"phone":")") + kCaller + R"(","channels":["voice"]})");
  auto id = f.Case(R"({"name":"Amina Hassan","pseudonym":"A.","areas":["M8"]})");
  f.Contact(id, R"({"role":"campaign","member":)" + std::to_string(caller) + "}");
  OneStepRemovalPolicy(f);
  const auto now = f.n.Advance("1s");
  const auto alert =
      AlertOf(f.Event(id, R"({"type":"removal_directions","deadline":")" + Rfc3339Utc(now + 73 * kHour) + R"("})"));
  // The alert itself is a call already (voice is their only channel).
  REQUIRE(f.twilio.WaitForFinishedCalls(1, 20s));
  f.n.Advance("1h");  // 72h before: the campaign is asked to write
  CHECK(n.db.Scalar("SELECT string_agg(d.channel, ',') FROM deliveries d JOIN alert_messages m ON m.alert_id ="
                    " d.alert_id AND m.seq = d.seq AND m.language = d.language WHERE m.kind = 'case_ask' AND"
                    " d.member_id = " + std::to_string(caller)) == "voice");
  REQUIRE(f.twilio.WaitForFinishedCalls(2, 20s));
  std::vector<FakeTwilioCall> calls;
  for (const auto& c : f.twilio.Calls()) {
    if (c.to == kCaller) calls.push_back(c);
  }
  REQUIRE(calls.size() == 2);
  REQUIRE_FALSE(calls[1].twiml.empty());
  CHECK(Has(calls[1].twiml[0], "Three days to the flight"));
  CHECK(f.twilio.Messages().empty());  // never texted
  CHECK(n.db.Scalar("SELECT count(*) FROM escalation_timers WHERE kind = 'schedule' AND state = 'fired'"
                    " AND alert_id = " + std::to_string(alert)) == "1");
}

TEST_CASE("Case asks: many cases' entries due at once all fire, once each", "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  OneStepRemovalPolicy(f);
  // More cases than one batch holds (Escalator::kScheduleBatch, 100).
  constexpr int kCases = 130;
  std::vector<std::int64_t> cases;
  for (int i = 0; i < kCases; ++i) {
    char phone[32];
    std::snprintf(phone, sizeof phone, "+4477009%05d", 10000 + i);
    auto m = n.AddMember(std::string(R"({"phone":")") + phone + R"("})");
    auto id = f.Case(R"({"name":"Case )" + std::to_string(i) + R"(","areas":["M8"]})");
    f.Contact(id, R"({"role":"campaign","member":)" + std::to_string(m) + "}");
    cases.push_back(id);
  }
  const auto now = f.n.Advance("1s");
  const auto deadline = Rfc3339Utc(now + 73 * kHour);
  for (auto id : cases) AlertOf(f.Event(id, R"({"type":"removal_directions","deadline":")" + deadline + R"("})"));
  const std::string asks =
      "SELECT count(*) FROM deliveries d JOIN alert_messages m ON m.alert_id = d.alert_id AND m.seq = d.seq"
      " AND m.language = d.language WHERE m.kind = 'case_ask'";
  f.n.Advance("1h");  // every case's 72h entry at once
  CHECK(n.db.Scalar(asks) == std::to_string(kCases));
  CHECK(n.db.Scalar("SELECT count(*) FROM escalation_timers WHERE kind = 'schedule' AND state = 'fired'") ==
        std::to_string(kCases));
  f.n.Advance("48h");  // and the 24h entries
  CHECK(n.db.Scalar(asks) == std::to_string(2 * kCases));
  // One ask per member and entry: none twice.
  CHECK(n.db.Scalar("SELECT count(*) FROM (SELECT d.member_id, d.seq FROM deliveries d JOIN alert_messages m ON"
                    " m.alert_id = d.alert_id AND m.seq = d.seq AND m.language = d.language WHERE m.kind ="
                    " 'case_ask' GROUP BY 1, 2 HAVING count(*) > 1) x") == "0");
  CHECK(n.db.Scalar("SELECT count(*) FROM escalation_timers WHERE kind = 'schedule' AND state = 'pending'") ==
        std::to_string(2 * kCases));
}

TEST_CASE("Case asks: the token that recorded the event cannot approve its held alert; another coordinator can",
          "[pg][cases][approval]") {
  CaseFixture f;
  auto& n = f.n;
  std::int64_t bail = 0;
  auto id = BailCase(f, "+447700900803", &bail);
  auto admin = n.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"admin","label":"ops"})");
  REQUIRE(admin.status == 201);
  auto as_admin = n.server->Client(std::string(admin.Json().as_object().at("token").as_string()));
  REQUIRE(as_admin.Patch("/v1/networks/demo", R"({"approval":{"min_recipients":1}})").status == 200);

  const auto alert = AlertOf(f.Event(id, R"({"type":"detained","where":"Colnbrook IRC"})"));
  const auto row = "FROM alerts WHERE id = " + std::to_string(alert);
  CHECK(n.db.Scalar("SELECT status || ' ' || created_by " + row) == "pending_approval case:" + std::to_string(id));
  CHECK(n.db.Scalar("SELECT requested_by " + row).rfind("token:", 0) == 0);

  // The coordinator who recorded it: refused, nothing sent.
  auto self = n.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/approve", "");
  INFO(self.body);
  CHECK(self.status == 403);
  CHECK(n.db.Scalar("SELECT status " + row) == "pending_approval");
  CHECK_FALSE(n.Contacted(alert, bail));

  // A second person (the admin's token): approved, the contact reached.
  auto second = as_admin.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/approve", "");
  INFO(second.body);
  REQUIRE(second.status == 200);
  CHECK(n.db.Scalar("SELECT status " + row) == "open");
  CHECK(Has(f.FirstTo("+447700900803"), "Colnbrook IRC"));
}

TEST_CASE("Case timeline: the alerts' later messages and the answers they drew are listed in order", "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  constexpr const char* kBail = "+447700900806";
  std::int64_t bail = 0;
  auto id = BailCase(f, kBail, &bail);
  const auto alert = AlertOf(f.Event(id, R"({"type":"detained","where":"Colnbrook IRC"})"));
  f.FirstTo(kBail);
  Eventually([&] { return n.db.Scalar("SELECT state FROM deliveries WHERE seq = 0 AND member_id = " +
                                      std::to_string(bail)) == "sent"; },
             "the alert sent to bail support");
  n.Reply(kBail, "1");
  Eventually([&] { return n.db.Scalar("SELECT count(*) FROM responses WHERE answer = 'going'") == "1"; },
             "the answer recorded");
  REQUIRE(n.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/updates",
                   R"({"message":"hearing moved to 2pm"})")
              .status == 202);
  Eventually([&] { return f.To(kBail).size() >= 2; }, "the update reaches bail support");

  auto timeline = n.c.Get("/v1/networks/demo/cases/" + std::to_string(id) + "/timeline");
  REQUIRE(timeline.status == 200);
  const auto body = timeline.Json();
  const auto& items = body.as_object().at("timeline").as_array();
  std::vector<std::string> types;
  for (const auto& i : items) types.emplace_back(i.as_object().at("type").as_string());
  INFO(timeline.body);
  REQUIRE(types == std::vector<std::string>{"detained", "alert", "answer", "message"});
  const auto& answer = items[2].as_object();
  CHECK(answer.at("alert").as_int64() == alert);
  CHECK(answer.at("answer").as_string() == "going");
  CHECK(answer.at("member").as_int64() == bail);
  const auto& message = items[3].as_object();
  CHECK(message.at("kind").as_string() == "update");
  CHECK(message.at("recipients").as_int64() == 1);
  CHECK(message.at("seq").as_int64() == 1);
  CHECK_FALSE(Has(timeline.body, "hearing moved"));  // kinds and counts, never the words
}

TEST_CASE("Case events in: a partner's signed webhook records detained and raises the alert, once per webhook-id",
          "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  constexpr const char* kBail = "+447700900807";
  std::int64_t bail = 0;
  auto id = BailCase(f, kBail, &bail);
  auto created = n.c.Post("/v1/networks/demo/inbound-sources", R"({"name":"legal-app","maps_to":"case"})");
  INFO(created.body);
  REQUIRE(created.status == 201);
  CHECK(created.Json().as_object().at("maps_to") == "case");
  CHECK(n.c.Post("/v1/networks/demo/inbound-sources", R"({"name":"other-app","maps_to":"cases"})").ErrorField() == "maps_to");
  const std::string secret(created.Json().as_object().at("secret").as_string());
  auto post = [&](const std::string& webhook_id, const std::string& body) {
    return f.Inbound("legal-app", secret, webhook_id, body);
  };

  // Bad input: 422 naming the field, nothing recorded.
  CHECK(post("msg_0", R"({"type":"detained","where":"Colnbrook IRC"})").ErrorField() == "case");
  CHECK(post("msg_1", R"({"case":)" + std::to_string(id) + R"(,"type":"detained"})").ErrorField() == "where");
  CHECK(post("msg_2", R"({"case":)" + std::to_string(id + 100) + R"(,"type":"released"})").status == 404);
  CHECK(n.db.Scalar("SELECT count(*) FROM case_events") == "0");

  const std::string body = R"({"case":)" + std::to_string(id) + R"(,"type":"detained","where":"Colnbrook IRC"})";
  auto first = post("msg_3", body);
  INFO(first.body);
  REQUIRE(first.status == 201);
  CHECK(first.Json().as_object().at("by") == "inbound:legal-app");
  CHECK(first.Json().as_object().at("where") == "Colnbrook IRC");
  CHECK(first.Json().as_object().at("alert").as_object().at("status") == "open");
  CHECK(n.db.Scalar("SELECT kind || ' ' || created_by || ' ' || requested_by FROM alerts") ==
        "detention case:" + std::to_string(id) + " inbound:legal-app");
  CHECK(Has(f.FirstTo(kBail), "Colnbrook IRC"));
  // The same webhook-id again: nothing more.
  auto again = post("msg_3", body);
  CHECK(again.status == 200);
  CHECK(again.Json().as_object().at("repeated") == true);
  CHECK(n.db.Scalar("SELECT count(*) FROM case_events") == "1");
  CHECK(n.db.Scalar("SELECT type || ' ' || actor FROM case_events") == "detained inbound:legal-app");
  CHECK(n.db.Scalar("SELECT count(*) FROM case_alerts") == "1");
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE action = 'cases.events.create'"
                    " AND actor = 'inbound:legal-app'") == "1");
  // A forged one: 401, nothing recorded.
  auto forged = n.server->Client().Send("POST", "/v1/networks/demo/inbound/legal-app",
                                        R"({"case":)" + std::to_string(id) + R"(,"type":"released"})",
                                        {{"Content-Type", "application/json"}, {"webhook-id", "msg_4"},
                                         {"webhook-timestamp", "1"}, {"webhook-signature", "v1,AAAA"}});
  CHECK(forged.status == 401);
  CHECK(n.db.Scalar("SELECT count(*) FROM case_events") == "1");
}
