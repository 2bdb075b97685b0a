// Relay trees tell the relayer whom to call (issue 9, defect 7), through the real binary: the
// SMS of a node with children names them with their numbers, in the relayer's language, within
// two segments (else the first that fit and "reply LIST"); LIST answers with everyone; nothing
// of a call list reaches the log. Messages are read from the fake Twilio, replies from TwiML.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dispatch/message/segments.h"
#include "tests/fakes/fake_twilio.h"
#include "tests/support/alert_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kRelayer = "+447700900601";
constexpr const char* kSpare = "+447700900699";
const std::vector<std::string> kNames = {"Amal Haddad", "Bo Chen",     "Cy Obi",      "Dina Rahimi",
                                         "Eli Stone",   "Fatima Noor", "Gul Karimi",  "Hamid Azizi",
                                         "Ines Silva",  "Jamal Osman", "Kofi Mensah", "Lena Novak"};

std::string ChildPhone(std::size_t i) { return "+4477009006" + std::to_string(10 + i); }

// A relay tree "street" (wait 1s): the relayer (backup: spare) above `children` named members,
// and a raid policy whose one step is the tree.
struct RelayTree {
  std::int64_t relayer = 0, spare = 0;
  std::vector<std::int64_t> children;

  RelayTree(AlertNetwork& net, std::size_t n, const std::string& language = "en") {
    relayer = net.AddMember(R"({"phone":")" + std::string(kRelayer) +
                            R"(","name":"Rosa","language":")" + language + R"("})");
    spare = net.AddMember(R"({"phone":")" + std::string(kSpare) + R"(","language":")" + language +
                          R"("})");
    std::string ids;
    for (std::size_t i = 0; i < n; ++i) {
      children.push_back(
          net.AddMember(R"({"phone":")" + ChildPhone(i) + R"(","name":")" + kNames[i] + R"("})"));
      ids += (i ? "," : "") + std::to_string(children.back());
    }
    auto put =
        net.c.Put("/v1/networks/demo/trees/street",
                  R"({"mode":"relay","wait":"1s","nodes":[{"member":)" + std::to_string(relayer) +
                      R"(,"backup":)" + std::to_string(spare) + R"(,"children":[)" + ids + "]}]}");
    INFO(put.body);
    REQUIRE(put.status == 200);
    REQUIRE(net.c
                .Put("/v1/networks/demo/policies/raid",
                     R"({"steps":[{"audience":{"tree":"street"},"channel":"sms"}]})")
                .status == 200);
  }
};

FakeTwilioConfig TwilioConfig() {
  FakeTwilioConfig cfg;
  cfg.numbers = {AlertNetwork::kNumber};
  cfg.auth_token = AlertNetwork::kAuthToken;
  return cfg;
}

// A network whose SMS go to a fake Twilio that keeps them.
struct Fixture {
  FakeTwilio fake{TwilioConfig()};
  AlertNetwork net{"[sms]\nprovider = \"twilio\"\n",
                   "account_sid = \"" + TwilioConfig().account_sid + "\"\napi_base = \"" +
                       fake.BaseUrl() + "\"\n"};

  // The one message sent to `to`, once it is sent.
  FakeTwilioMessage MessageTo(const std::string& to) {
    std::optional<FakeTwilioMessage> found;
    Eventually(
        [&] {
          for (const auto& m : fake.Messages()) {
            if (m.to == to) found = m;
          }
          return found.has_value();
        },
        "a message");
    return *found;
  }
};

const std::pair<std::string, char> kEntities[] = {
    {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};

// The texts of a TwiML answer's <Message> elements, unescaped.
std::vector<std::string> TwimlTexts(const std::string& twiml) {
  std::vector<std::string> out;
  for (auto at = twiml.find("<Message>"); at != std::string::npos;
       at = twiml.find("<Message>", at)) {
    at += 9;
    auto end = twiml.find("</Message>", at);
    REQUIRE(end != std::string::npos);
    std::string text;
    for (std::size_t i = at; i < end; ++i) {
      bool entity = false;
      for (const auto& [escaped, plain] : kEntities) {
        if (twiml.compare(i, escaped.size(), escaped) == 0) {
          text += plain;
          i += escaped.size() - 1;
          entity = true;
          break;
        }
      }
      if (!entity) text += twiml[i];
    }
    out.push_back(text);
    at = end;
  }
  return out;
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Checks that `texts` name every child of `tree` once, each SMS within two segments.
void CheckWholeList(const std::vector<std::string>& texts, std::size_t children) {
  REQUIRE_FALSE(texts.empty());
  std::string all;
  for (const auto& t : texts) {
    INFO(t);
    CHECK(MeasureSms(t).segments <= 2);
    all += t + "\n";
  }
  for (std::size_t i = 0; i < children; ++i) {
    INFO(all);
    CHECK(Count(all, kNames[i] + " " + ChildPhone(i)) == 1);
  }
}

}  // namespace

TEST_CASE(
    "relay: the relayer's SMS names each child and their phone; the backup standing in gets "
    "the list too",
    "[pg][relay][trees]") {
  Fixture f;
  RelayTree tree(f.net, 3);
  auto alert = f.net.Raise();
  auto sms = f.MessageTo(kRelayer);
  INFO(sms.body);
  CHECK(sms.body.find("RAID ") == 0);  // the alert itself comes first
  CHECK(sms.body.find("\nPlease call: Amal Haddad +447700900610, Bo Chen +447700900611, Cy Obi "
                      "+447700900612") != std::string::npos);
  CHECK(sms.segments <= 2);
  CHECK(f.net.db.Scalar("SELECT segments FROM deliveries WHERE seq = 0 AND member_id = " +
                        std::to_string(tree.relayer)) == std::to_string(sms.segments));
  // The relayer phones them: Tocsin does not message them while they wait for that call.
  for (std::size_t i = 0; i < 3; ++i) CHECK_FALSE(f.net.Contacted(alert, tree.children[i]));
  // The relayer stays silent: the backup standing in for them is sent the same list.
  f.net.Advance("1s");
  auto backup = f.MessageTo(kSpare);
  INFO(backup.body);
  CHECK(
      backup.body.find(
          "Please call: Amal Haddad +447700900610, Bo Chen +447700900611, Cy Obi +447700900612") !=
      std::string::npos);
  // Members who are nobody's relayer get the alert as it is.
  f.net.Advance("1s");  // the backup is silent too: the children are contacted directly
  auto child = f.MessageTo(ChildPhone(0));
  CHECK(child.body.find("Please call") == std::string::npos);
}

TEST_CASE(
    "relay: twelve children: the first that fit in two segments and 'reply LIST'; LIST "
    "answers with all of them",
    "[pg][relay][trees]") {
  Fixture f;
  RelayTree tree(f.net, 12);
  f.net.Raise();
  auto sms = f.MessageTo(kRelayer);
  INFO(sms.body);
  CHECK(sms.segments <= 2);
  CHECK(MeasureSms(sms.body).segments <= 2);
  std::size_t named = 0;
  while (named < 12 && sms.body.find(kNames[named] + " " + ChildPhone(named)) != std::string::npos)
    ++named;
  CHECK(named >= 1);
  CHECK(named < 12);
  CHECK(sms.body.find(" and " + std::to_string(12 - named) + " more: reply LIST") !=
        std::string::npos);
  for (std::size_t i = named; i < 12; ++i) CHECK(sms.body.find(ChildPhone(i)) == std::string::npos);

  auto reply = f.net.Reply(kRelayer, "LIST");
  INFO(reply.body);
  auto texts = TwimlTexts(reply.body);
  CHECK(texts.size() == 2);  // twelve people take two SMS of up to two segments
  CheckWholeList(texts, 12);
  // LIST is not an answer: nothing recorded, the relayer still owes one.
  CHECK(f.net.db.Scalar("SELECT count(*) FROM responses") == "0");
  // A child who texted STOP is not phoned either: left out of the list.
  f.net.Reply(ChildPhone(11), "STOP");
  texts = TwimlTexts(f.net.Reply(kRelayer, "LIST").body);
  CheckWholeList(texts, 11);
  for (const auto& t : texts) CHECK(t.find(ChildPhone(11)) == std::string::npos);
  // A child has nobody to call.
  CHECK(TwimlTexts(f.net.Reply(ChildPhone(0), "list").body) ==
        std::vector<std::string>{"You have nobody to call for an open alert."});
}

TEST_CASE(
    "relay: an Arabic relayer reads their call list in Arabic and asks for the rest with "
    "\u0642\u0627\u0626\u0645\u0629",
    "[pg][relay][trees]") {
  Fixture f;
  RelayTree tree(f.net, 12, "ar");
  f.net.Raise();
  auto sms = f.MessageTo(kRelayer);
  INFO(sms.body);
  CHECK(sms.segments <= 2);
  // UCS-2: two segments hold 134 characters, so the alert and the first child fit, not more.
  CHECK(sms.body.find(
            "\n\u064A\u0631\u062C\u0649 \u0627\u0644\u0627\u062A\u0635\u0627\u0644 \u0628\u0640: "
            "Amal Haddad +447700900610 ") != std::string::npos);  // يرجى الاتصال بـ: Amal ...
  CHECK(sms.body.find("\u0648" + std::to_string(11) +
                      " \u063A\u064A\u0631\u0647\u0645: \u0623\u0631\u0633\u0644 "
                      "\u0643\u0644\u0645\u0629 \u0642\u0627\u0626\u0645\u0629") !=
        std::string::npos);  // و11 غيرهم: أرسل كلمة قائمة
  auto texts = TwimlTexts(f.net.Reply(kRelayer, "\u0642\u0627\u0626\u0645\u0629").body);  // قائمة
  CheckWholeList(texts, 12);
  for (const auto& t : texts)
    CHECK(t.find("\u064A\u0631\u062C\u0649 \u0627\u0644\u0627\u062A\u0635\u0627\u0644") == 0);
}

TEST_CASE("relay: a call list's numbers never reach the log", "[pg][relay][trees]") {
  AlertNetwork net;  // the sandbox provider logs every message it "sends"
  RelayTree tree(net, 3);
  auto alert = net.Raise();
  Eventually(
      [&] {
        return net.db.Scalar("SELECT state FROM deliveries WHERE seq = 0 AND alert_id = " +
                             std::to_string(alert) +
                             " AND member_id = " + std::to_string(tree.relayer)) == "delivered";
      },
      "the relayer's SMS");
  CHECK(TwimlTexts(net.Reply(kRelayer, "LIST").body).size() == 1);
  auto log = net.server->Log();
  CHECK(log.find("Please call: Amal Haddad +44******0610") !=
        std::string::npos);  // logged, redacted
  for (std::size_t i = 0; i < 3; ++i) CHECK(log.find(ChildPhone(i).substr(3)) == std::string::npos);
}
