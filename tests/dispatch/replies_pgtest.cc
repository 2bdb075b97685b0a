// Inbound SMS through the real binary: every reply form, alert codes, STOP/START/HELP,
// non-members, signatures, free text, repeats, and the counts and responses they feed.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "dispatch/channels/twilio_signature.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kAuthToken = "test_auth_token_0123456789";
constexpr const char* kNetworkNumber = "+447700900001";

struct Fixture {
  TestDatabase db;
  TocsindProcess server{db, std::string("[twilio]\nauth_token = \"") + kAuthToken +
                                "\"\ndefault_segments_per_second = 100\n"};
  HttpClient c = (server.Start(), server.Client(CreateNetworkWithToken(server, "demo")));
  int sid = 0;

  std::int64_t Member(const std::string& phone, const std::string& language) {
    auto r = c.Post("/v1/networks/demo/members",
                    R"({"phone":")" + phone + R"(","language":")" + language + R"(","areas":["SE15"]})");
    REQUIRE(r.status == 201);
    return r.Json().as_object().at("id").as_int64();
  }
  std::pair<std::int64_t, std::string> Alert() {
    auto r = c.Post("/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
    REQUIRE(r.status == 201);
    auto o = r.Json().as_object();
    return {o.at("id").as_int64(), std::string(o.at("code").as_string())};
  }
  // Posts a signed inbound SMS as Twilio would. `url_port` lets a test sign with ":80" added.
  HttpResult Sms(const std::string& from, const std::string& body, bool sign = true,
                 const std::string& sign_url = "", const std::string& message_sid = "") {
    auto id = message_sid.empty() ? "SM" + std::to_string(1000 + ++sid) : message_sid;
    FormParams params = {{"MessageSid", id}, {"From", from},
                         {"To", kNetworkNumber}, {"Body", body}, {"NumMedia", "0"},
                         {"AccountSid", "AC00000000000000000000000000000000"}};
    auto url = sign_url.empty() ? "http://127.0.0.1:" + std::to_string(server.port()) + "/twilio/sms" : sign_url;
    std::map<std::string, std::string> headers{{"Content-Type", "application/x-www-form-urlencoded"}};
    if (sign) headers["X-Twilio-Signature"] = TwilioSignature(kAuthToken, url, params);
    return c.Send("POST", "/twilio/sms", FormUrlEncode(params), headers);
  }
  std::string LatestAnswer(std::int64_t alert, std::int64_t member) {
    return db.Scalar("SELECT answer FROM responses WHERE alert_id = " + std::to_string(alert) +
                     " AND member_id = " + std::to_string(member) + " ORDER BY id DESC LIMIT 1");
  }
};

}  // namespace

TEST_CASE("replies: every form of yes and no, in every language", "[pg][replies]") {
  Fixture f;
  auto en = f.Member("+447700900401", "en");
  auto ar = f.Member("+447700900402", "ar");
  auto fa = f.Member("+447700900403", "fa");
  auto fr = f.Member("+447700900404", "fr");
  auto [alert, code] = f.Alert();

  struct Case { std::int64_t member; const char* phone; std::string body; const char* answer; };
  for (const auto& c : {Case{en, "+447700900401", "1", "going"}, Case{en, "+447700900401", " yes ", "going"},
                        Case{en, "+447700900401", "N", "cannot"}, Case{en, "+447700900401", "Going", "going"},
                        Case{en, "+447700900401", "no", "cannot"}, Case{en, "+447700900401", "OK", "going"},
                        Case{ar, "+447700900402", "\u0662", "cannot"}, Case{ar, "+447700900402", "\u0646\u0639\u0645", "going"},
                        Case{fa, "+447700900403", "\u06F2", "cannot"}, Case{fa, "+447700900403", "\u0628\u0644\u0647", "going"},
                        Case{fr, "+447700900404", "non", "cannot"}, Case{fr, "+447700900404", "Oui", "going"}}) {
    auto r = f.Sms(c.phone, c.body);
    INFO(c.body << " -> " << r.body);
    REQUIRE(r.status == 200);
    CHECK(r.headers["content-type"].find("text/xml") == 0);
    CHECK(r.body.find("<Message>") != std::string::npos);
    CHECK(r.body.find(code) != std::string::npos);  // the confirmation names the alert
    CHECK(f.LatestAnswer(alert, c.member) == c.answer);
  }
  // The confirmation is in the member's language.
  CHECK(f.Sms("+447700900402", "1").body.find("\u0634\u0643\u0631\u064B\u0627") != std::string::npos);  // "شكرًا"
  CHECK(f.Sms("+447700900404", "1").body.find("Merci") != std::string::npos);

  auto a = f.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert)).Json().as_object();
  auto counts = a.at("counts").as_object();
  CHECK(counts.at("going") == 4);  // each member's latest answer was a yes
  CHECK(counts.at("cannot") == 0);
  CHECK(counts.at("no_answer") == 0);
  // A change of mind moves the counts.
  f.Sms("+447700900403", "2");
  auto after = f.c.Get("/v1/networks/demo/alerts/" + std::to_string(alert)).Json().as_object().at("counts").as_object();
  CHECK(after.at("going") == 3);
  CHECK(after.at("cannot") == 1);
}

TEST_CASE("replies: alert codes, STOP/START/HELP, text, strangers, signatures", "[pg][replies]") {
  Fixture f;
  auto m = f.Member("+447700900401", "en");
  auto [first, first_code] = f.Alert();
  auto [second, second_code] = f.Alert();

  SECTION("a code picks the alert; without one the most recent open alert") {
    CHECK(f.Sms("+447700900401", "1 " + first_code).status == 200);
    CHECK(f.LatestAnswer(first, m) == "going");
    CHECK(f.LatestAnswer(second, m) == "");
    CHECK(f.Sms("+447700900401", "2").status == 200);
    CHECK(f.LatestAnswer(second, m) == "cannot");
    auto lower = f.Sms("+447700900401", first_code + " no");
    CHECK(lower.body.find(first_code) != std::string::npos);
    CHECK(f.LatestAnswer(first, m) == "cannot");
  }
  SECTION("a code of nothing open is answered, with what is open (issue 9, defect 9)") {
    // A word meant as a code: kept as text, and the member told, in English here.
    auto typo = f.Sms("+447700900401", "1 ZZZZ");
    CHECK(typo.body.find("We have no alert ZZZZ.") != std::string::npos);
    CHECK(typo.body.find("Open now: " + second_code + ", " + first_code) != std::string::npos);
    CHECK(f.LatestAnswer(second, m) == "text");
    CHECK(f.LatestAnswer(first, m) == "");
    // An alert that has ended: said so, and nothing recorded.
    REQUIRE(f.c.Post("/v1/networks/demo/alerts/" + std::to_string(first) + "/resolve", "{}").status == 200);
    auto over = f.Sms("+447700900401", "1 " + first_code);
    CHECK(over.body.find("Alert " + first_code + " is over") != std::string::npos);
    CHECK(over.body.find("Open now: " + second_code + ".") != std::string::npos);
    CHECK(f.LatestAnswer(first, m) == "");
    // Nothing open at all.
    REQUIRE(f.c.Post("/v1/networks/demo/alerts/" + std::to_string(second) + "/cancel", "{}").status == 200);
    CHECK(f.Sms("+447700900401", "1").body.find("No alert is open now.") != std::string::npos);
    // In the member's language.
    f.Member("+447700900402", "ar");
    auto ar = f.Sms("+447700900402", "1 " + second_code);
    CHECK(ar.body.find("\u0627\u0646\u062a\u0647\u0649 \u0627\u0644\u062a\u0646\u0628\u064a\u0647 " + second_code) !=
          std::string::npos);  // "انتهى التنبيه <code>"
  }
  SECTION("STOP opts out at once; nothing more until START") {
    auto stop = f.Sms("+447700900401", "stop");
    CHECK(stop.body.find("no more messages") != std::string::npos);
    CHECK(f.db.Scalar("SELECT status FROM members WHERE id = " + std::to_string(m)) == "opted_out");
    f.Sms("+447700900401", "1");
    CHECK(f.LatestAnswer(second, m) == "");  // not recorded while opted out
    auto r = f.c.Post("/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"X"})");
    CHECK(r.Json().as_object().at("recipients") == 0);  // and sent nothing
    for (auto word : {"STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}) {
      f.db.Scalar("UPDATE members SET status = 'active' WHERE id = " + std::to_string(m));
      f.Sms("+447700900401", word);
      CHECK(f.db.Scalar("SELECT status FROM members WHERE id = " + std::to_string(m)) == "opted_out");
    }
    auto start = f.Sms("+447700900401", "START");
    CHECK(start.body.find("again") != std::string::npos);
    CHECK(f.db.Scalar("SELECT status FROM members WHERE id = " + std::to_string(m)) == "active");
  }
  SECTION("HELP answers the network's help text") {
    auto help = f.Sms("+447700900401", "help");
    CHECK(help.body.find("Reply 1 if you can go") != std::string::npos);
    CHECK(f.Sms("+447700900401", "INFO").body == help.body);
  }
  SECTION("free text is kept, sealed, for coordinators") {
    auto r = f.Sms("+447700900401", "Vans left towards Peckham Road");
    CHECK(r.status == 200);
    CHECK(r.body.find("<Message>") == std::string::npos);
    auto list = f.c.Get("/v1/networks/demo/alerts/" + std::to_string(second) + "/responses").Json();
    auto items = list.as_object().at("responses").as_array();
    REQUIRE(items.size() == 1);
    CHECK(items[0].as_object().at("answer") == "text");
    CHECK(items[0].as_object().at("text") == "Vans left towards Peckham Road");
    CHECK(f.db.Scalar("SELECT count(*) FROM responses WHERE position('Peckham' in encode(text_enc, 'escape')) > 0") == "0");
  }
  SECTION("a stranger learns nothing; unsigned requests change nothing") {
    auto stranger = f.Sms("+447700900999", "1");
    CHECK(stranger.status == 200);
    CHECK(stranger.body.find("<Message>") == std::string::npos);
    CHECK(f.Sms("+447700900401", "1", /*sign=*/false).status == 403);
    CHECK(f.db.Scalar("SELECT count(*) FROM responses") == "0");
    // Twilio may sign with the default port in the URL: accepted too.
    auto with_port = f.Sms("+447700900401", "1", true, "http://127.0.0.1:" + std::to_string(f.server.port()) + "/twilio/sms");
    CHECK(with_port.status == 200);
  }
  SECTION("a webhook Twilio repeats is recorded once") {
    FormParams params = {{"MessageSid", "SMrepeat"}, {"From", "+447700900401"}, {"To", kNetworkNumber}, {"Body", "1"}};
    auto url = "http://127.0.0.1:" + std::to_string(f.server.port()) + "/twilio/sms";
    std::map<std::string, std::string> headers{{"X-Twilio-Signature", TwilioSignature(kAuthToken, url, params)}};
    CHECK(f.c.Send("POST", "/twilio/sms", FormUrlEncode(params), headers).status == 200);
    CHECK(f.c.Send("POST", "/twilio/sms", FormUrlEncode(params), headers).status == 200);
    CHECK(f.db.Scalar("SELECT count(*) FROM responses") == "1");
  }
}

TEST_CASE("replies: a webhook Twilio repeats has its effects once (issue 9, defect 4)", "[pg][replies]") {
  Fixture f;
  auto m = f.Member("+447700900401", "en");
  auto [alert, code] = f.Alert();
  auto status = [&] { return f.db.Scalar("SELECT status FROM members WHERE id = " + std::to_string(m)); };
  // The same STOP three times: opted out once; after START, a late repeat of that STOP is not
  // applied again.
  for (int i = 0; i < 3; ++i) REQUIRE(f.Sms("+447700900401", "STOP", true, "", "SMstop1").status == 200);
  CHECK(status() == "opted_out");
  REQUIRE(f.Sms("+447700900401", "START", true, "", "SMstart1").status == 200);
  CHECK(status() == "active");
  auto repeat = f.Sms("+447700900401", "STOP", true, "", "SMstop1");
  CHECK(repeat.status == 200);
  CHECK(status() == "active");
  // The same answer three times: one response.
  for (int i = 0; i < 3; ++i) REQUIRE(f.Sms("+447700900401", "1", true, "", "SManswer1").status == 200);
  CHECK(f.db.Scalar("SELECT count(*) FROM responses WHERE alert_id = " + std::to_string(alert)) == "1");
  CHECK(f.db.Scalar("SELECT count(*) FROM inbound_messages") == "2");  // the STOP and START ids only
}

TEST_CASE("replies: a member's answers held through a database outage keep their order (issue 9, defect 5)",
          "[pg][replies][pgrestart]") {
  Fixture f;
  auto m = f.Member("+447700900401", "en");
  auto [alert, code] = f.Alert();
  auto waiting = [&] {
    auto text = f.server.Admin().Get("/metrics").body;
    auto at = text.find("\ntocsin_replies_waiting ");
    return at == std::string::npos ? -1 : std::stoi(text.substr(at + 24));
  };
  TestClusterCtl("stop");
  // "1", then "2": each is held (its webhook not answered) until it is recorded.
  std::vector<std::thread> senders;
  std::vector<long> statuses(2, 0);
  senders.emplace_back([&] { statuses[0] = f.Sms("+447700900401", "1").status; });
  Eventually([&] { return waiting() == 1; }, "the first reply held");
  senders.emplace_back([&] { statuses[1] = f.Sms("+447700900401", "2").status; });
  Eventually([&] { return waiting() == 2; }, "both replies held");
  TestClusterCtl("start");
  for (auto& t : senders) t.join();
  CHECK(statuses == std::vector<long>{200, 200});
  CHECK(waiting() == 0);
  // Stored in arrival order: the member's latest word is "2".
  CHECK(f.LatestAnswer(alert, m) == "cannot");
  CHECK(f.db.Scalar("SELECT string_agg(answer, ',' ORDER BY id) FROM responses") == "going,cannot");
}
