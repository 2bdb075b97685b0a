// Email to organisations' caseworkers through the real binary, the fake SMTP relay over loopback
// and real PostgreSQL: contact points (validation, sealing, viewer masking, audit), the alert
// email in the organisation's language, 5xx failing at once, 4xx retried on
// webhooks.retry_schedule on the manual clock, a server without [email], and the CLI's
// integration token for an organisation.
#include <catch2/catch.hpp>

#include "dispatch/util/crypto.h"
#include "dispatch/util/sealed_places.h"
#include "tests/fakes/fake_smtp.h"
#include "tests/support/eventually.h"
#include "tests/support/mime_decode.h"
#include "tests/support/webhook_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kDetention =
    R"({"kind":"detention","areas":["E8"],"location":"Colnbrook IRC","details":"A. detained at reporting"})";
constexpr const char* kAddress = "cases@hackney-law.example";

// The webhook test config (short retry schedule: 1m, 5m) and the fake relay as [email].
std::string EmailToml(const FakeSmtp& smtp) {
  return std::string(kWebhooksToml) + "[email]\nsmtp_url = \"" + smtp.Url() +
         "\"\nstarttls = \"off\"\nfrom = \"alerts@tocsin.example.org\"\n";
}

std::string EmailsPath(std::int64_t org) { return "/v1/networks/demo/organisations/" + std::to_string(org) + "/emails"; }

std::int64_t AddEmail(WebhookNetwork& n, std::int64_t org, const std::string& address) {
  auto r = n.c.Post(EmailsPath(org), R"({"address":")" + address + "\"}");
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("id").as_int64();
}

// "state:attempts" of the email deliveries, oldest first.
std::string EmailState(WebhookNetwork& n) {
  return n.db.Scalar("SELECT coalesce(string_agg(state || ':' || attempts, ',' ORDER BY id), '') FROM deliveries"
                     " WHERE channel = 'email'");
}

std::string Body(const FakeSmtpMessage& m) { return DecodeQuotedPrintable(m.data.substr(m.data.find("\r\n\r\n") + 4)); }

}  // namespace

TEST_CASE("Organisation emails: added, listed (masked for viewers), deleted; bad addresses are 422",
          "[pg][emails][organisations]") {
  WebhookNetwork n;
  auto org = n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law"})");
  auto post = [&](const std::string& body) { return n.c.Post(EmailsPath(org), body); };
  CHECK(post(R"({"address":"not an address"})").ErrorField() == "address");
  CHECK(post(R"({"address":"a@b"})").ErrorField() == "address");
  CHECK(post(R"({"address":"cases@example.org\r\nBcc: x@example.org"})").ErrorField() == "address");
  CHECK(post(R"({})").ErrorField() == "address");
  CHECK(post(R"({"address":"cases@example.org","cc":"x"})").status == 422);
  CHECK(n.db.Scalar("SELECT count(*) FROM organisation_emails") == "0");
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'organisation_emails.%'") == "0");
  CHECK(n.c.Post(EmailsPath(org + 99), R"({"address":"cases@example.org"})").status == 404);

  auto id = AddEmail(n, org, kAddress);
  auto list = n.c.Get(EmailsPath(org));
  REQUIRE(list.status == 200);
  auto items = list.Json().as_object().at("emails").as_array();
  REQUIRE(items.size() == 1);
  CHECK(items[0].as_object().at("address").as_string() == kAddress);
  CHECK(items[0].as_object().at("id").as_int64() == id);

  // A viewer reads the list with the address masked, and may not add one.
  auto t = n.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"viewer"})");
  REQUIRE(t.status == 201);
  auto viewer = n.server->Client(std::string(t.Json().as_object().at("token").as_string()));
  auto masked = viewer.Get(EmailsPath(org));
  REQUIRE(masked.status == 200);
  CHECK(masked.body.find(kAddress) == std::string::npos);
  CHECK(masked.Json().as_object().at("emails").as_array()[0].as_object().at("address").as_string() ==
        "c***@h***.example");
  CHECK(viewer.Post(EmailsPath(org), R"({"address":"x@example.org"})").status == 403);

  // Sealed at rest; audited without the address.
  CHECK(n.db.Scalar("SELECT count(*) FROM organisation_emails WHERE position('hackney'::bytea in address_enc) > 0") ==
        "0");
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%hackney-law.example%'") == "0");

  CHECK(n.c.Delete(EmailsPath(org) + "/" + std::to_string(id)).status == 204);
  CHECK(n.c.Delete(EmailsPath(org) + "/" + std::to_string(id)).status == 404);
  CHECK(n.db.Scalar("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE action LIKE "
                    "'organisation_emails.%'") == "organisation_emails.create,organisation_emails.delete");
}

TEST_CASE("Organisation emails: a detention alert is emailed once, in the organisation's language",
          "[pg][emails][organisations]") {
  FakeSmtp smtp({});
  WebhookNetwork n(EmailToml(smtp));
  auto legal = n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law","kinds":["detention"],"areas":["E8"],
                         "language":"fr"})");
  auto raids = n.Org(R"({"name":"Raid watch","slug":"raid-watch","kinds":["raid"]})");
  AddEmail(n, legal, kAddress);
  AddEmail(n, raids, "watch@raids.example");
  n.OrganisationClient("hackney-law");  // it can answer: the email links to the answer endpoint

  auto alert = n.Raise(kDetention);
  Eventually([&] { return EmailState(n) == "sent:1"; }, "one email sent");
  auto messages = smtp.Messages();
  REQUIRE(messages.size() == 1);
  const auto& m = messages[0];
  CHECK(m.recipients == std::vector<std::string>{kAddress});
  CHECK(m.mail_from == "alerts@tocsin.example.org");
  auto code = n.db.Scalar("SELECT code FROM alerts WHERE id = " + std::to_string(alert));
  CHECK(DecodeHeader(HeaderOf(m.data, "Subject")) == "[Tocsin] Arrestation — E8 — " + code);
  auto body = Body(m);
  INFO(body);
  CHECK(body.find("Colnbrook IRC") != std::string::npos);
  CHECK(body.find("A. detained at reporting") != std::string::npos);
  CHECK(body.find("/v1/networks/demo/alerts/" + std::to_string(alert) + "/responses") != std::string::npos);
  CHECK(body.find("en POST à cette adresse, avec votre jeton d'intégration Tocsin") != std::string::npos);
  // The delivery records the Message-ID; the email is sealed at rest; the log has no address.
  CHECK(n.db.Scalar("SELECT provider_id FROM deliveries WHERE channel = 'email'") == HeaderOf(m.data, "Message-ID"));
  CHECK(n.db.Scalar("SELECT count(*) FROM deliveries WHERE position('Colnbrook'::bytea in body_enc) > 0") == "0");
  CHECK(n.server->Log().find(kAddress) == std::string::npos);

  // Later events are not emailed (webhooks carry them).
  REQUIRE(n.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/resolve", R"({"message":"Released"})")
              .status == 200);
  n.Advance("10m");
  CHECK(smtp.Messages().size() == 1);
  CHECK(EmailState(n) == "sent:1");
}

TEST_CASE("Organisation emails: without an integration token the email says to contact the coordinators",
          "[pg][emails][organisations]") {
  FakeSmtp smtp({});
  WebhookNetwork n(EmailToml(smtp));
  AddEmail(n, n.Org(R"({"name":"Bail support","slug":"bail","language":"en"})"), "bail@support.example");
  n.Raise(kDetention);
  Eventually([&] { return EmailState(n) == "sent:1"; }, "sent");
  auto body = Body(smtp.Messages().at(0));
  INFO(body);
  CHECK(DecodeHeader(HeaderOf(smtp.Messages()[0].data, "Subject")).rfind("[Tocsin] Detention — E8 — ", 0) == 0);
  CHECK(body.find("contact its coordinators directly") != std::string::npos);
  CHECK(body.find("/responses") == std::string::npos);
}

TEST_CASE("Organisation emails: a 5xx from the relay fails the delivery at once", "[pg][emails][organisations]") {
  FakeSmtp smtp({});
  smtp.SetRecipientReply(kAddress, 550);
  WebhookNetwork n(EmailToml(smtp));
  auto org = n.Org(R"({"name":"Legal","slug":"legal"})");
  auto email = AddEmail(n, org, kAddress);
  auto alert = n.Raise(kDetention);
  Eventually([&] { return EmailState(n) == "failed:1"; }, "failed at once");
  CHECK(n.db.Scalar("SELECT error_code FROM deliveries WHERE channel = 'email'") == "smtp_550");
  // The contact point's deliveries, as a webhook endpoint's (no body, no address).
  auto list = n.c.Get(EmailsPath(org) + "/" + std::to_string(email) + "/deliveries");
  INFO(list.body);
  REQUIRE(list.status == 200);
  auto items = list.Json().as_object().at("deliveries").as_array();
  REQUIRE(items.size() == 1);
  CHECK(items[0].as_object().at("alert_id").as_int64() == alert);
  CHECK(items[0].as_object().at("state").as_string() == "failed");
  CHECK(items[0].as_object().at("error_code").as_string() == "smtp_550");
  CHECK(list.body.find("Colnbrook") == std::string::npos);
  CHECK(list.body.find(kAddress) == std::string::npos);
  CHECK(n.c.Get(EmailsPath(org) + "/" + std::to_string(email + 1) + "/deliveries").status == 404);
  n.Advance("10m");
  CHECK(EmailState(n) == "failed:1");
  CHECK(smtp.Messages().empty());
}

TEST_CASE("Organisation emails: an email failing for good tells the coordinators once, naming the organisation",
          "[pg][emails][organisations][email_failed]") {
  FakeSmtp smtp({});
  smtp.SetRecipientReply(kAddress, 550);
  smtp.SetRecipientReply("intake@hackney-law.example", 550);
  WebhookNetwork n(EmailToml(smtp));
  auto org = n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law"})");
  AddEmail(n, org, kAddress);
  AddEmail(n, org, "intake@hackney-law.example");
  auto coordinator = n.AddMember(R"({"phone":"+447700900801","roles":["coordinator"]})");
  auto responder = n.AddMember(R"({"phone":"+447700900802","areas":["N1"]})");
  auto alert = n.Raise(kDetention);
  Eventually([&] { return EmailState(n) == "failed:1,failed:1"; }, "both failed at once");
  Eventually([&] { return n.Messages(alert, coordinator, "email_failed") == 1; }, "the coordinator is told");
  CHECK(n.Messages(alert, responder, "email_failed") == 0);
  // Once for the alert and organisation, however many of its addresses failed.
  CHECK(n.db.Scalar("SELECT count(DISTINCT seq) FROM alert_messages WHERE kind = 'email_failed' AND alert_id = " +
                    std::to_string(alert)) == "1");
  // The text (sealed: opened here) names the organisation and the code, never an address.
  auto row = n.db.Scalar("SELECT encode(body_enc, 'hex') || ' ' || seq FROM alert_messages WHERE kind = 'email_failed'"
                         " AND language = 'en' AND alert_id = " + std::to_string(alert));
  auto space = row.find(' ');
  auto network_id = std::stoll(n.db.Scalar("SELECT id FROM networks WHERE slug = 'demo'"));
  auto cipher = DataCipher::FromHex(n.server->data_key());
  REQUIRE(cipher.ok());
  auto text = cipher->Open(FromHex(row.substr(0, space)).value_or(""),
                           places::MessageBody(network_id, alert, std::stoi(row.substr(space + 1)), "en"));
  REQUIRE(text);
  INFO(*text);
  CHECK(text->find("Hackney Law Centre") != std::string::npos);
  CHECK(text->find(n.db.Scalar("SELECT code FROM alerts WHERE id = " + std::to_string(alert))) != std::string::npos);
  CHECK(text->find("could not be emailed") != std::string::npos);
  CHECK(text->find("hackney-law.example") == std::string::npos);
}

TEST_CASE("Organisation emails: a 4xx is retried on webhooks.retry_schedule, on the engine's clock",
          "[pg][emails][organisations]") {
  FakeSmtp smtp({});
  smtp.FailNext(FakeSmtpStage::kRcpt, 1, 451);
  WebhookNetwork n(EmailToml(smtp));
  AddEmail(n, n.Org(R"({"name":"Legal","slug":"legal"})"), kAddress);
  n.Raise(kDetention);
  Eventually([&] { return EmailState(n) == "queued:1"; }, "queued for a retry");
  CHECK(n.db.Scalar("SELECT error_code FROM deliveries WHERE channel = 'email'") == "smtp_451");
  n.Advance("59s");
  CHECK(EmailState(n) == "queued:1");
  CHECK(smtp.Messages().empty());
  n.Advance("1s");
  Eventually([&] { return EmailState(n) == "sent:2"; }, "sent on the retry after 1m");
  CHECK(smtp.Messages().size() == 1);
}

TEST_CASE("Organisation emails: a relay that keeps answering 4xx fails the delivery when the schedule ends",
          "[pg][emails][organisations]") {
  FakeSmtp smtp({});
  smtp.SetRecipientReply(kAddress, 451);
  WebhookNetwork n(EmailToml(smtp));
  AddEmail(n, n.Org(R"({"name":"Legal","slug":"legal"})"), kAddress);
  n.Raise(kDetention);
  Eventually([&] { return EmailState(n) == "queued:1"; }, "first attempt");
  n.Advance("1m");
  Eventually([&] { return EmailState(n) == "queued:2"; }, "second attempt");
  n.Advance("5m");
  Eventually([&] { return EmailState(n) == "failed:3"; }, "failed after the schedule");
  CHECK(n.db.Scalar("SELECT count(*) FROM alert_messages WHERE kind = 'email_failed'") != "0");  // coordinators told
}

TEST_CASE("Organisation emails: without [email] deliveries fail with email_not_configured",
          "[pg][emails][organisations]") {
  WebhookNetwork n;
  AddEmail(n, n.Org(R"({"name":"Legal","slug":"legal"})"), kAddress);
  n.Raise(kDetention);
  Eventually([&] { return EmailState(n) == "failed:1"; }, "failed");
  CHECK(n.db.Scalar("SELECT error_code FROM deliveries WHERE channel = 'email'") == "email_not_configured");
  n.Raise(kDetention);
  Eventually([&] { return EmailState(n) == "failed:1,failed:1"; }, "the second fails too");
  auto log = n.server->Log();
  auto first = log.find("email_not_configured");
  CHECK(first != std::string::npos);
  CHECK(log.find("email_not_configured", first + 1) == std::string::npos);  // logged once
  CHECK(log.find(kAddress) == std::string::npos);
}

TEST_CASE("CLI: token create --organisation makes an integration token answering for it",
          "[pg][emails][organisations][cli]") {
  WebhookNetwork n;
  auto org = n.Org(R"({"name":"Hackney Law Centre","slug":"hackney-law"})");
  auto made = n.server->Cli({"token", "create", "--network", "demo", "--role", "integration", "--organisation",
                             "hackney-law"});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  auto token = made.out.substr(0, made.out.find('\n'));
  CHECK(n.db.Scalar("SELECT organisation_id FROM api_tokens WHERE role = 'integration'") == std::to_string(org));

  // It answers an alert its organisation was sent.
  auto alert = n.Raise(kDetention);
  auto answer = n.c.WithToken(token).Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/responses",
                                          R"({"answer":"going"})");
  INFO(answer.body);
  CHECK(answer.status == 201);

  auto unknown = n.server->Cli({"token", "create", "--network", "demo", "--role", "integration", "--organisation",
                                "nobody"});
  CHECK(unknown.exit_code != 0);
  CHECK(unknown.err.find("organisation") != std::string::npos);
  auto wrong_role = n.server->Cli({"token", "create", "--network", "demo", "--role", "viewer", "--organisation",
                                   "hackney-law"});
  CHECK(wrong_role.exit_code != 0);
  CHECK(n.db.Scalar("SELECT count(*) FROM api_tokens WHERE organisation_id IS NOT NULL") == "1");
}

TEST_CASE("Organisation emails: the retention purge takes an alert's email deliveries, not the contact point",
          "[pg][emails][organisations][retention]") {
  WebhookNetwork n;
  REQUIRE(n.server->Cli({"network", "set", "--network", "demo", "--retention-days", "1"}).exit_code == 0);
  AddEmail(n, n.Org(R"({"name":"Legal","slug":"legal"})"), kAddress);
  auto alert = n.Raise(kDetention);
  Eventually([&] { return EmailState(n) == "failed:1"; }, "the email's delivery recorded");
  REQUIRE(n.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/resolve", R"({"message":"Released"})")
              .status == 200);
  n.Advance("23h");
  CHECK(EmailState(n) == "failed:1");
  n.Advance("2h");
  Eventually([&] { return EmailState(n).empty(); }, "purged with the alert");
  CHECK(n.db.Scalar("SELECT count(*) FROM organisation_emails") == "1");
}
