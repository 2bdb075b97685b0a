#include "dispatch/message/email_text.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "dispatch/message/email_message.h"
#include "tests/support/shipped_templates.h"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

using test::kShippedTemplates;
const auto LoadShipped = test::LoadShippedTemplates;

AlertEmailFields Fields(std::string kind) {
  AlertEmailFields f;
  f.kind = std::move(kind);
  f.code = "K7Q4";
  f.areas = "E8";
  f.location = "Mare Street police station";
  f.details = "Held since 6am; speaks Tigrinya.";
  f.deadline = "Tue 25 Nov 06:40";
  f.network = "Hackney Anti-Raids";
  return f;
}

// The answer sentence each language uses when there is a link, and when there is none.
struct Answer {
  std::string link_phrase;
  std::string coordinator_phrase;
};
const std::map<std::string, Answer> kAnswers = {
    {"en", {"can POST its answer to this URL with your Tocsin integration token", "contact its coordinators directly"}},
    {"fr", {"en POST à cette adresse, avec votre jeton d'intégration Tocsin", "contactez directement ses coordinateurs"}},
    {"ar", {"بطلب POST إلى هذا العنوان", "تواصلوا مع منسقيها مباشرة"}},
    {"fa", {"با درخواست POST و توکن یکپارچه‌سازی", "مستقیم با هماهنگ‌کنندگانش تماس بگیرید"}},
};

TEST_CASE("the subject names the kind, the area and the code", "[email]") {
  const TemplateSet set = LoadShipped();
  const Result<EmailText> text = RenderAlertEmail(set, "en", Fields("detention"));
  REQUIRE(text.ok());
  CHECK(text->subject == "[Tocsin] Detention — E8 — K7Q4");
  CHECK(RenderAlertEmail(set, "en", Fields("raid"))->subject == "[Tocsin] Raid — E8 — K7Q4");
  CHECK(RenderAlertEmail(set, "fr", Fields("removal"))->subject ==
        "[Tocsin] Expulsion — E8 — K7Q4");
  // No areas: the location stands in.
  AlertEmailFields no_areas = Fields("other");
  no_areas.areas.clear();
  CHECK(RenderAlertEmail(set, "en", no_areas)->subject ==
        "[Tocsin] Alert — Mare Street police station — K7Q4");
}

TEST_CASE("every shipped language renders every kind's email, link or not", "[email]") {
  const TemplateSet set = LoadShipped();
  REQUIRE(set.Languages() == std::vector<std::string>{"ar", "en", "fa", "fr"});
  for (const std::string& language : set.Languages()) {
    for (const std::string& kind : TemplateSet::Kinds()) {
      for (const bool with_link : {true, false}) {
        INFO(language << " " << kind << (with_link ? " with a link" : " without a link"));
        AlertEmailFields f = Fields(kind);
        if (with_link) f.answer_link = "https://alerts.example.org/v1/answer/abc123";
        const Result<EmailText> text = RenderAlertEmail(set, language, f);
        REQUIRE(text.ok());
        CHECK(text->subject.starts_with("[Tocsin] "));
        CHECK(text->subject.find("E8") != std::string::npos);
        CHECK(text->subject.find("K7Q4") != std::string::npos);
        CHECK(text->subject.find('\n') == std::string::npos);
        const std::string& body = text->body;
        CHECK(body.find('{') == std::string::npos);
        CHECK(body.find("K7Q4") != std::string::npos);
        CHECK(body.find("Mare Street police station") != std::string::npos);
        CHECK(body.find("Held since 6am; speaks Tigrinya.") != std::string::npos);
        CHECK(body.find("Hackney Anti-Raids") != std::string::npos);
        CHECK((body.find("Tue 25 Nov 06:40") != std::string::npos) == (kind == "removal"));
        const Answer& answer = kAnswers.at(language);
        CHECK((body.find(answer.link_phrase) != std::string::npos) == with_link);
        CHECK((body.find(answer.coordinator_phrase) != std::string::npos) == !with_link);
        CHECK((body.find("https://alerts.example.org/v1/answer/abc123") != std::string::npos) ==
              with_link);
        // And it makes a valid message.
        EmailMessage m;
        m.from = "alerts@tocsin.example.org";
        m.to = "cases@example.org";
        m.subject = text->subject;
        m.body = text->body;
        m.message_id = "<1.a@tocsin.example.org>";
        CHECK(BuildEmail(m).ok());
      }
    }
  }
}

TEST_CASE("the English emails read as written", "[email]") {
  const TemplateSet set = LoadShipped();
  AlertEmailFields f = Fields("removal");
  f.details.clear();
  const Result<EmailText> text = RenderAlertEmail(set, "en", f);
  REQUIRE(text.ok());
  CHECK(text->body ==
        "Hackney Anti-Raids reports removal directions: Mare Street police station (alert "
        "K7Q4).\n\nDeadline (flight): Tue 25 Nov 06:40\n\nWe ask you to check before the deadline "
        "whether a legal challenge, an injunction or representations to the Home Office are "
        "possible, and to tell us what you can do.\n\nTo tell Hackney Anti-Raids what you can "
        "do, contact its coordinators directly. Replies to this email are not read.\n\nSent by "
        "Tocsin for Hackney Anti-Raids, which lists your organisation as a contact for its "
        "alerts.");
}

TEST_CASE("a field with a line break cannot reach the subject", "[email]") {
  const TemplateSet set = LoadShipped();
  AlertEmailFields f = Fields("raid");
  f.areas = "E8\r\nBcc: x@evil.example";
  const Result<EmailText> text = RenderAlertEmail(set, "en", f);
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().field == "subject");
  CHECK_FALSE(RenderAlertEmail(set, "en", Fields("flood")).ok());
}

TEST_CASE("every template file must carry every email key", "[email]") {
  std::ifstream in(kShippedTemplates / "fr.toml", std::ios::binary);
  std::string fr((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string en_path = (kShippedTemplates / "en.toml").string();
  std::ifstream en_in(en_path, std::ios::binary);
  const std::string en((std::istreambuf_iterator<char>(en_in)), std::istreambuf_iterator<char>());
  const fs::path dir = fs::temp_directory_path() / ("tocsin_email_templates_" +
                                                    std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "en.toml", std::ios::binary) << en;
  auto load_with = [&](const std::string& from, const std::string& to) {
    std::string broken = fr;
    const std::size_t at = broken.find(from);
    REQUIRE(at != std::string::npos);
    broken.replace(at, from.size(), to);
    std::ofstream(dir / "fr.toml", std::ios::binary | std::ios::trunc) << broken;
    return TemplateSet::LoadDirectory(dir);
  };
  Result<TemplateSet> missing_body = load_with("[email.removal]\nsubject", "[email.removal]\nsubjec");
  REQUIRE_FALSE(missing_body.ok());
  CHECK(missing_body.error().field == "email.removal.subject");
  CHECK(missing_body.error().message.find("fr.toml") != std::string::npos);
  Result<TemplateSet> missing_kind = load_with("[email.other]", "[email.others]");
  REQUIRE_FALSE(missing_kind.ok());
  CHECK(missing_kind.error().field == "email.other");
  Result<TemplateSet> missing_answer = load_with("\nanswer_link =", "\nanswer_lnk =");
  REQUIRE_FALSE(missing_answer.ok());
  CHECK(missing_answer.error().field == "email.answer_link");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace tocsin
