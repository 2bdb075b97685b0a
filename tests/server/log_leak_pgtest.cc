// Logs: a full run of the real binary at trace level, with every kind of personal data and
// secret seeded (names, phone numbers, a location and details, a reply's text, an update's and
// a resolve's text, tokens, webhook and inbound secrets), then the whole log searched for each.
// The sandbox provider (demos) may show a message's text, never a number, a name or a token.
//
// The same run checks that a coordinator cannot undo a member's STOP: neither a re-import of
// their row nor a PATCH of their status opts them back in.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/fakes/fake_twilio.h"
#include "tests/support/eventually.h"
#include "tests/support/webhook_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

struct Person {
  std::string phone, name;
};
const std::vector<Person> kPeople = {{"+447700958317", "Zainab Leakcheck"},
                                     {"+447700964271", "Obafemi Quillfeather"},
                                     {"+447700973852", "Rosalind Varganyx"}};
const std::string kLocation = "Marigold Terrace seventeen";
const std::string kDetails = "four white vans by the laundrette";
const std::string kReplyText = "bringing my cousin Ifeoma";
const std::string kUpdate = "officers moved to Quince Street";
const std::string kResolve = "all clear, Tamarisk Yard is quiet";
const std::string kStranger = "+447700981624";  // not a member: texts the network's number

std::string Csv(const std::vector<Person>& people) {
  std::string csv = "phone,name,areas,roles\n";
  for (const auto& p : people) csv += p.phone + "," + p.name + ",SE15,responder\n";
  return csv;
}

std::string Str(const boost::json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}

// Everything a coordinator and the members do in an alert's life; returns the secrets made on
// the way (tokens, webhook and inbound secrets).
std::vector<std::string> FullRun(WebhookNetwork& f, WebhookReceiver& rx) {
  std::vector<std::string> secrets = {f.c.bearer(), TocsindProcess::kAdminToken};
  const auto& p = kPeople;
  f.AddMember(R"({"phone":")" + p[0].phone + R"(","name":")" + p[0].name +
              R"(","areas":["SE15"],"roles":["responder"]})");
  auto imported = f.c.Post("/v1/networks/demo/members/import", Csv({p[1], p[2]}), "text/csv");
  REQUIRE(imported.status == 200);
  REQUIRE(f.c.Get("/v1/networks/demo/members").status == 200);

  // An organisation with a webhook, and a partner's inbound source: secrets shown once.
  auto org = f.Org(R"({"name":"Leakcheck Law","slug":"leak-law","kinds":["detention"]})");
  auto hook = f.c.Post(WebhookNetwork::Path(org),
                       R"({"url":")" + rx.Url() + R"(","events":["alert.raised","alert.resolved"]})");
  REQUIRE(hook.status == 201);
  secrets.push_back(Str(hook.Json(), "secret"));
  rx.SetSecrets({secrets.back()});
  auto source = f.c.Post("/v1/networks/demo/inbound-sources", R"({"name":"leak-app","maps_to":"alert"})");
  REQUIRE(source.status == 201);
  secrets.push_back(Str(source.Json(), "secret"));
  secrets.push_back(f.OrganisationClient("leak-law").bearer());

  auto id = f.Raise(R"({"kind":"raid","areas":["SE15"],"location":")" + kLocation +
                    R"(","details":")" + kDetails + R"("})");
  auto sent = [&](const std::string& extra) {
    return f.db.Scalar("SELECT count(*) FROM deliveries WHERE channel = 'sms' AND state IN ('sent','delivered')" + extra);
  };
  Eventually([&] { return sent("") == "3"; }, "the alert to reach all three");
  f.Reply(p[0].phone, "1");
  f.Reply(p[1].phone, kReplyText);
  f.Reply(p[2].phone, "STOP");
  f.Reply(kStranger, "help, vans at Juniper Close");
  auto path = "/v1/networks/demo/alerts/" + std::to_string(id);
  REQUIRE(f.c.Post(path + "/updates", R"({"message":")" + kUpdate + R"("})").status == 202);
  REQUIRE(f.c.Get(path).status == 200);
  REQUIRE(f.c.Get(path + "/responses").status == 200);
  REQUIRE(f.c.Post(path + "/resolve", R"({"message":")" + kResolve + R"("})").status == 200);
  Eventually([&] { return f.db.Scalar("SELECT count(*) FROM deliveries WHERE channel = 'sms' AND state IN ('queued','sending')") == "0"; },
             "every message sent");
  // A detention alert reaches the organisation's webhook.
  f.Raise(R"({"kind":"detention","areas":["SE15"],"location":")" + kLocation + R"("})");
  f.WaitCount(rx, 1, "the organisation's webhook");

  // The member who texted STOP stays out: a re-import of their row does not opt them back in,
  // nor does a coordinator's PATCH (only their own START does).
  auto stopped = f.db.Scalar("SELECT id FROM members WHERE status = 'opted_out'");
  REQUIRE(!stopped.empty());
  REQUIRE(f.c.Post("/v1/networks/demo/members/import", Csv(p), "text/csv").status == 200);
  CHECK(f.db.Scalar("SELECT status FROM members WHERE id = " + stopped) == "opted_out");
  auto patch = f.c.Patch("/v1/networks/demo/members/" + stopped, R"({"status":"active"})");
  CHECK(patch.status == 409);
  CHECK(patch.ErrorField() == "status");
  CHECK(f.db.Scalar("SELECT status FROM members WHERE id = " + stopped) == "opted_out");
  return secrets;
}

// Fails for every `needle` found in `log`, saying which and where.
void CheckAbsent(const std::string& log, const std::vector<std::string>& needles) {
  for (const auto& needle : needles) {
    auto at = log.find(needle);
    INFO("'" << needle << "' in the log: ..." << (at == std::string::npos ? "" : log.substr(at > 200 ? at - 200 : 0, 400)));
    CHECK(at == std::string::npos);
  }
}

std::vector<std::string> PeopleSecrets() {
  std::vector<std::string> out = {kStranger, kStranger.substr(kStranger.size() - 6), "Juniper"};
  for (const auto& p : kPeople) {
    out.push_back(p.phone);
    out.push_back(p.phone.substr(1));                  // without the +
    out.push_back("0" + p.phone.substr(3));            // the UK national form
    out.push_back(p.phone.substr(p.phone.size() - 6));  // the last six digits
    out.push_back(p.name);
    out.push_back(p.name.substr(0, p.name.find(' ')));  // the first name alone
  }
  return out;
}

}  // namespace

TEST_CASE("logs: a full run through Twilio logs no number, name, place, text or secret",
          "[pg][logs]") {
  FakeTwilioConfig cfg;
  cfg.numbers = {AlertNetwork::kNumber};
  cfg.auth_token = AlertNetwork::kAuthToken;
  FakeTwilio fake(cfg);
  fake.SetAutoCallbacks(true, std::chrono::milliseconds(1), std::chrono::milliseconds(2));
  fake.FailNextWith500(1);  // a failed send and its retry are logged too
  WebhookReceiver rx;
  rx.AnswerNext({{500}});    // so is a failed webhook
  WebhookNetwork f(std::string(kWebhooksToml) + "[sms]\nprovider = \"twilio\"\n[log]\nlevel = \"trace\"\n",
                   "account_sid = \"" + cfg.account_sid + "\"\napi_base = \"" + fake.BaseUrl() + "\"\n");
  auto secrets = FullRun(f, rx);
  Eventually([&] { return f.db.Scalar("SELECT count(*) FROM deliveries WHERE state = 'delivered'") != "0"; },
             "status callbacks");
  REQUIRE(f.server->Stop() == 0);

  auto log = f.server->Log();
  REQUIRE(log.find("tocsind listening") != std::string::npos);  // the log is the server's
  CheckAbsent(log, PeopleSecrets());
  CheckAbsent(log, {kLocation, kDetails, kReplyText, kUpdate, kResolve, "Marigold", "Ifeoma", "Quince"});
  CheckAbsent(log, secrets);
}

TEST_CASE("logs: the sandbox shows message text, never a number, a name or a secret", "[pg][logs]") {
  WebhookReceiver rx;
  WebhookNetwork f(std::string(kWebhooksToml) + "[log]\nlevel = \"trace\"\n");
  auto secrets = FullRun(f, rx);
  REQUIRE(f.server->Stop() == 0);

  auto log = f.server->Log();
  CHECK(log.find("sandbox sms") != std::string::npos);
  CheckAbsent(log, PeopleSecrets());
  CheckAbsent(log, {kReplyText, "Ifeoma"});  // a member's reply is not a message the sandbox sends
  CheckAbsent(log, secrets);
}
