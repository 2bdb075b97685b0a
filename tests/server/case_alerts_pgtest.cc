// A case's detention alert (issue 13) through the real binary, the fake Twilio, the fake SMTP and
// real PostgreSQL: `detained` reaches each contact by its channel (member SMS, the campaign tree,
// the organisation by email) with the text its role and the case's consent allow; the
// coordinators are told when consent is missing; a private case never sends its reference to
// supporters; DETAINED from the case's own phone records the event and raises the alert;
// `released` resolves it and tells those reached.
#include <catch2/catch.hpp>

#include "tests/support/case_fixture.h"
#include "tests/support/mime_decode.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kMp = "+447700900601";
constexpr const char* kSupporter = "+447700900602";
constexpr const char* kBail = "+447700900603";
constexpr const char* kLegal = "+447700900604";
constexpr const char* kCoordinator = "+447700900609";
constexpr const char* kPerson = "+447700900777";

}  // namespace

TEST_CASE("Case alerts: detained reaches each contact by its channel; consent withheld keeps the MP's text bare",
          "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  auto mp = n.AddMember(std::string(R"({"phone":")") + kMp + R"(","name":"MP caseworker"})");
  auto bail = n.AddMember(std::string(R"({"phone":")") + kBail + R"(","name":"Bail support"})");
  auto supporter = n.AddMember(std::string(R"({"phone":")") + kSupporter + R"(","language":"fr"})");
  n.AddMember(std::string(R"({"phone":")") + kCoordinator + R"(","roles":["coordinator"]})");
  f.Tree(supporter);
  auto org = n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law"})");
  // An MP's office by webhook, as the case's second mp contact (no consent: nothing of the case).
  WebhookReceiver office_rx;
  auto office = n.Org(R"({"name":"MP office","slug":"mp-office"})");
  n.Hook(office, office_rx, R"(["alert.raised"])");
  REQUIRE(n.c.Post("/v1/networks/demo/organisations/" + std::to_string(org) + "/emails",
                   R"({"address":"cases@hackney-law.example"})")
              .status == 201);
  // Legal consent only; not public.
  auto id = f.Case(R"({"name":"Amina Hassan","pseudonym":"A.","areas":["M8"],"home_office_ref":"H1234567",)"
                   R"("public":false,"consent":{"legal":"2026-09-14"}})");
  f.Contact(id, R"({"role":"legal","organisation":)" + std::to_string(org) + "}");
  f.Contact(id, R"({"role":"mp","member":)" + std::to_string(mp) + "}");
  f.Contact(id, R"({"role":"bail","member":)" + std::to_string(bail) + "}");
  f.Contact(id, R"({"role":"campaign","tree":"supporters"})");
  f.Contact(id, R"({"role":"mp","organisation":)" + std::to_string(office) + "}");

  auto detained = f.Event(id, R"({"type":"detained","where":"Colnbrook IRC"})");
  INFO(detained.body);
  REQUIRE(detained.status == 201);
  const auto alert = detained.Json().as_object().at("alert").as_object().at("id").as_int64();
  const auto code = std::string(detained.Json().as_object().at("alert").as_object().at("code").as_string());
  const auto alert_row = "FROM alerts WHERE id = " + std::to_string(alert);
  CHECK(n.db.Scalar("SELECT kind || ' ' || created_by || ' ' || array_to_string(areas, ',') " + alert_row) ==
        "detention case:" + std::to_string(id) + " M8");
  CHECK(n.db.Scalar("SELECT case_id FROM case_alerts WHERE alert_id = " + std::to_string(alert)) ==
        std::to_string(id));

  // The MP contact without consent: the bare text, nothing of the case.
  CheckNothingOfCase(f.FirstTo(kMp));
  // Bail: where and the reference, and what is asked.
  auto to_bail = f.FirstTo(kBail);
  CHECK(Has(to_bail, "Colnbrook IRC"));
  CHECK(Has(to_bail, "H1234567"));
  CHECK(Has(to_bail, "bail"));
  // The campaign tree's supporter, in French: asked to write, no reference (private), no place.
  auto to_supporter = f.FirstTo(kSupporter);
  CHECK(Has(to_supporter, "Home Office"));
  CHECK(Has(to_supporter, "A."));
  CHECK_FALSE(Has(to_supporter, "H1234567"));
  CHECK_FALSE(Has(to_supporter, "Colnbrook"));
  CHECK(Has(to_supporter, "rétention"));
  // The coordinators: one SMS that the MP contact has no consent.
  auto to_coordinator = f.FirstTo(kCoordinator);
  CHECK(Has(to_coordinator, "no consent on file for its mp contact"));
  CHECK_FALSE(Has(to_coordinator, "H1234567"));
  // The law centre by email, legal consent on file: its role's text, where and the reference.
  Eventually([&] { return f.smtp.Messages().size() == 1; }, "one email");
  auto email = f.smtp.Messages()[0];
  CHECK(email.recipients == std::vector<std::string>{"cases@hackney-law.example"});
  auto body = DecodeQuotedPrintable(email.data.substr(email.data.find("\r\n\r\n") + 4));
  CHECK(Has(body, code));
  CHECK(Has(body, "urgent: client A. detained at Colnbrook IRC"));
  CHECK(Has(body, "H1234567"));
  // The MP's office by webhook, no consent: the bare text, the alert without the pseudonym.
  n.WaitCount(office_rx, 1, "alert.raised at the MP's office");
  const auto office_body = office_rx.Received()[0].body;
  auto data = boost::json::parse(office_body).as_object().at("data").as_object();
  CHECK(data.at("case").as_object().at("role").as_string() == "mp");
  CHECK(data.at("alert").as_object().at("location").as_string() == "");
  CheckNothingOfCase(office_body);
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE channel = 'webhook' AND alert_id = " +
                    std::to_string(alert)) == "1");

  // Counted as the alert's recipients; the timeline shows the alert after the event.
  CHECK(n.Contacted(alert, mp));
  CHECK(n.Contacted(alert, bail));
  CHECK(n.Contacted(alert, supporter));
  auto timeline = n.c.Get("/v1/networks/demo/cases/" + std::to_string(id) + "/timeline");
  REQUIRE(timeline.status == 200);
  auto items = timeline.Json().as_object().at("timeline").as_array();
  REQUIRE(items.size() == 3);
  CHECK(items[0].as_object().at("type").as_string() == "detained");
  CHECK(items[1].as_object().at("type").as_string() == "alert");
  CHECK(items[1].as_object().at("code").as_string() == code);
  CHECK(items[1].as_object().at("status").as_string() == "open");
  CHECK(items[2].as_object().at("type").as_string() == "message");  // the coordinators told of consent
  CHECK(items[2].as_object().at("kind").as_string() == "case_consent");
  // Nothing personal in the alert row or the audit.
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%Colnbrook%' OR detail::text LIKE "
                    "'%H1234567%'") == "0");

  // A second detained while the alert is open raises no second alert.
  REQUIRE(f.Event(id, R"({"type":"detained","where":"Harmondsworth"})").status == 201);
  CHECK(n.db.Scalar("SELECT count(*) FROM case_alerts") == "1");

  // Released: the alert is resolved and those reached are told.
  auto released = f.Event(id, R"({"type":"released"})");
  INFO(released.body);
  REQUIRE(released.status == 201);
  CHECK(released.Json().as_object().at("alert").as_object().at("status").as_string() == "resolved");
  CHECK(n.db.Scalar("SELECT status " + alert_row) == "resolved");
  Eventually([&] { return f.To(kBail).size() == 2; }, "the resolve message reaches bail support");
  CHECK(Has(f.To(kBail)[1], code));
  CHECK(n.Messages(alert, mp, "resolve") == 1);
  CHECK(n.db.Scalar("SELECT state FROM escalations WHERE alert_id = " + std::to_string(alert)) == "stopped");
  // Releasing again finds no open alert: only the event.
  auto again = f.Event(id, R"({"type":"released"})");
  REQUIRE(again.status == 201);
  CHECK_FALSE(again.Json().as_object().contains("alert"));
}

TEST_CASE("Case alerts: with consent the lawyer and MP get the details; a public case gives supporters the reference",
          "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  auto legal = n.AddMember(std::string(R"({"phone":")") + kLegal + R"("})");
  auto mp = n.AddMember(std::string(R"({"phone":")") + kMp + R"("})");
  auto supporter = n.AddMember(std::string(R"({"phone":")") + kSupporter + R"("})");
  n.AddMember(std::string(R"({"phone":")") + kCoordinator + R"(","roles":["coordinator"]})");
  f.Tree(supporter);
  auto id = f.Case(R"({"name":"Amina Hassan","pseudonym":"A.","areas":["M8"],"home_office_ref":"H1234567","public":true,)"
                   R"("consent":{"mp":"2026-10-02","legal":"2026-09-14"}})");
  f.Contact(id, R"({"role":"legal","member":)" + std::to_string(legal) + "}");
  f.Contact(id, R"({"role":"mp","member":)" + std::to_string(mp) + "}");
  f.Contact(id, R"({"role":"campaign","tree":"supporters"})");
  REQUIRE(f.Event(id, R"({"type":"detained","where":"Colnbrook IRC"})").status == 201);

  auto to_legal = f.FirstTo(kLegal);
  CHECK(Has(to_legal, "urgent: client A. detained at Colnbrook IRC"));
  CHECK(Has(to_legal, "H1234567"));
  auto to_mp = f.FirstTo(kMp);
  CHECK(Has(to_mp, "please contact the Home Office about A."));
  CHECK(Has(to_mp, "H1234567"));
  auto to_supporter = f.FirstTo(kSupporter);
  CHECK(Has(to_supporter, "quoting ref H1234567"));
  CHECK_FALSE(Has(to_supporter, "Colnbrook"));
  // Consent on file: the coordinators are not told anything.
  f.FirstTo(kMp);
  CHECK(f.To(kCoordinator).empty());
  CHECK(n.db.Scalar("SELECT count(*) FROM alert_messages WHERE kind = 'case_consent'") == "0");
}

TEST_CASE("Case alerts: DETAINED from the case's own phone records the event and raises the alert", "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  auto bail = n.AddMember(std::string(R"({"phone":")") + kBail + R"("})");
  auto id = f.Case(std::string(R"({"name":"Amina Hassan","pseudonym":"A.","language":"fr","phone":")") + kPerson +
                   R"(","areas":["M8"]})");
  f.Contact(id, R"({"role":"bail","member":)" + std::to_string(bail) + "}");

  // From another number, DETAINED is not the case's: nothing recorded.
  n.Reply(kSupporter, "DETAINED Colnbrook");
  CHECK(n.db.Scalar("SELECT count(*) FROM case_events") == "0");

  auto answer = n.Reply(kPerson, "détenu Colnbrook IRC");
  INFO(answer.body);
  CHECK(Has(answer.body, "nous avons reçu votre message"));
  CHECK(n.db.Scalar("SELECT type || ' ' || actor FROM case_events") == "detained sms");
  CHECK(n.db.Scalar("SELECT count(*) FROM case_events WHERE encode(detail_enc, 'escape') LIKE '%Colnbrook%'") == "0");
  REQUIRE(n.db.Scalar("SELECT count(*) FROM case_alerts") == "1");
  auto to_bail = f.FirstTo(kBail);
  CHECK(Has(to_bail, "Colnbrook IRC"));
  auto timeline = n.c.Get("/v1/networks/demo/cases/" + std::to_string(id) + "/timeline");
  auto items = timeline.Json().as_object().at("timeline").as_array();
  REQUIRE(items.size() == 2);
  CHECK(items[0].as_object().at("where").as_string() == "Colnbrook IRC");
  CHECK(items[0].as_object().at("by").as_string() == "sms");
}

TEST_CASE("Case alerts: held for approval, the alert goes to the case's contacts once approved", "[pg][cases]") {
  CaseFixture f;
  auto& n = f.n;
  auto bail = n.AddMember(std::string(R"({"phone":")") + kBail + R"("})");
  // A responder of the case's area: the detention policy's own first step would reach them.
  auto responder = n.AddMember(R"({"phone":"+447700900610","areas":["M8"],"roles":["responder"]})");
  auto id = f.Case(R"({"name":"Amina Hassan","pseudonym":"A.","areas":["M8"],"home_office_ref":"H1234567"})");
  f.Contact(id, R"({"role":"bail","member":)" + std::to_string(bail) + "}");
  auto admin = n.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"admin","label":"ops"})");
  REQUIRE(admin.status == 201);
  const auto admin_token = std::string(admin.Json().as_object().at("token").as_string());
  REQUIRE(n.server->Client(admin_token).Patch("/v1/networks/demo", R"({"approval":{"min_recipients":1}})").status ==
          200);

  auto detained = f.Event(id, R"({"type":"detained","where":"Colnbrook IRC"})");
  INFO(detained.body);
  REQUIRE(detained.status == 201);
  const auto alert = detained.Json().as_object().at("alert").as_object().at("id").as_int64();
  CHECK(n.db.Scalar("SELECT status FROM alerts WHERE id = " + std::to_string(alert)) == "pending_approval");
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0 AND alert_id = " + std::to_string(alert)) == "0");

  // A second person approves (the admin; the token that recorded the event may not: case_asks_pgtest).
  auto approved = n.server->Client(admin_token).Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/approve", "");
  INFO(approved.body);
  REQUIRE(approved.status == 200);
  CHECK(n.Contacted(alert, bail));
  CHECK_FALSE(n.Contacted(alert, responder));
  auto to_bail = f.FirstTo(kBail);
  CHECK(Has(to_bail, "Colnbrook IRC"));
  CHECK(Has(to_bail, "H1234567"));
}
