// What each contact of a detained person's case may see (model/case_texts.h), and the [cases]
// texts shipped in every language (config/templates/*.toml).
#include <catch2/catch.hpp>

#include "dispatch/message/report_words.h"
#include "dispatch/model/case_texts.h"
#include "tests/support/shipped_templates.h"

using namespace tocsin;

namespace {

std::string Rendered(const TemplateSet& t, const std::string& language, const std::string& role, const CaseFacts& f) {
  const auto text = CaseTextFor(role, f);
  auto r = t.RenderCase(language, "en", text.key, CaseTextVars(text, "A.", "Colnbrook IRC", "H1234567", "K7Q4", "Peckham"));
  REQUIRE(r.ok());
  return r.value();
}

bool Has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("Case texts: consent gates the details for mp and legal", "[cases][unit]") {
  const CaseFacts none{};
  for (const char* role : {"mp", "legal"}) {
    auto t = CaseTextFor(role, none);
    CHECK(t.key == "withheld");
    CHECK(t.consent_missing);
    auto vars = CaseTextVars(t, "A.", "Colnbrook", "H1", "K7Q4", "Net");
    CHECK(vars.at("where").empty());
    CHECK(vars.at("reference").empty());
    CHECK(vars.at("pseudonym").empty());
  }
  const CaseFacts both{true, true, false};
  CHECK(CaseTextFor("mp", both).key == "mp");
  CHECK(CaseTextFor("mp", both).reference);
  CHECK(CaseTextFor("legal", both).where);
  CHECK_FALSE(CaseTextFor("legal", both).consent_missing);
  // Consent for one role does not open the other.
  CHECK(CaseTextFor("legal", CaseFacts{true, false, false}).key == "withheld");
  CHECK(CaseTextFor("mp", CaseFacts{false, true, false}).key == "withheld");
}

TEST_CASE("Case texts: campaign supporters get the reference only when public, never where", "[cases][unit]") {
  auto priv = CaseTextFor("campaign", CaseFacts{true, true, false});
  CHECK(priv.key == "campaign_private");
  CHECK_FALSE(priv.reference);
  CHECK_FALSE(priv.where);
  auto pub = CaseTextFor("campaign", CaseFacts{false, false, true});
  CHECK(pub.key == "campaign");
  CHECK(pub.reference);
  CHECK_FALSE(pub.where);
  CHECK(CaseTextFor("bail", {}).where);
  CHECK(CaseTextFor("family", {}).where);
  CHECK_FALSE(CaseTextFor("family", {}).reference);
}

TEST_CASE("Case texts: roles missing consent, sorted and once", "[cases][unit]") {
  CHECK(RolesMissingConsent({"mp", "campaign", "legal", "mp", "bail"}, {}) ==
        std::vector<std::string>{"legal", "mp"});
  CHECK(RolesMissingConsent({"mp", "legal"}, CaseFacts{true, true, false}).empty());
  CHECK(RolesMissingConsent({"mp"}, CaseFacts{false, true, false}) == std::vector<std::string>{"mp"});
}

TEST_CASE("Case texts: every shipped language renders every [cases] key", "[cases][unit][templates]") {
  auto t = test::LoadShippedTemplates();
  const std::map<std::string, std::string> vars = {
      {"pseudonym", "A."}, {"where", "Colnbrook"}, {"reference", "H1"},      {"code", "K7Q4"}, {"network", "Net"},
      {"roles", "mp"},     {"deadline", "3 Dec"},  {"message", "Write."}, {"count", "3"}};
  for (const auto& language : {"en", "fr", "ar", "fa"}) {
    REQUIRE(t.HasLanguage(language));
    for (const auto& key : TemplateSet::CaseKeys()) {
      INFO(language << " " << key);
      // Rendered from the language's own file, not a fallback: a file with the key renders it in
      // "xx" (no such language) only through English, so compare with English for non-English.
      auto r = t.RenderCase(language, language, key, vars);
      REQUIRE(r.ok());
      CHECK_FALSE(r.value().empty());
      if (key != "detained_received") CHECK(Has(r.value(), "K7Q4"));  // the only one without an alert
      if (std::string(language) != "en") CHECK(r.value() != t.RenderCase("en", "en", key, vars).value());
    }
  }
  // What withheld says, and that it says nothing of the case.
  auto withheld = Rendered(t, "en", "mp", {});
  CHECK(Has(withheld, "a case of yours needs attention: contact the coordinators"));
  CHECK_FALSE(Has(withheld, "H1234567"));
  CHECK_FALSE(Has(withheld, "Colnbrook"));
  CHECK_FALSE(Has(withheld, "A."));
  CHECK(Has(Rendered(t, "en", "legal", CaseFacts{false, true, false}), "urgent"));
  CHECK(Has(Rendered(t, "en", "mp", CaseFacts{true, false, false}), "please contact the Home Office about A."));
  CHECK(Has(Rendered(t, "en", "campaign", CaseFacts{false, false, true}), "quoting ref H1234567"));
  CHECK_FALSE(Has(Rendered(t, "fr", "campaign", CaseFacts{false, false, false}), "H1234567"));
}

TEST_CASE("Case texts: DETAINED and its words in each shipped language open a detained message", "[cases][unit]") {
  auto words = ReportWords::LoadDirectory(test::kShippedTemplates);
  REQUIRE(words.ok());
  for (const char* body : {"DETAINED Colnbrook IRC", "detained: Colnbrook IRC", "Détenu Colnbrook IRC",
                           "\xD9\x85\xD8\xAD\xD8\xAA\xD8\xAC\xD8\xB2 Colnbrook IRC",             // محتجز
                           "\xD8\xA8\xD8\xA7\xD8\xB2\xD8\xAF\xD8\xA7\xD8\xB4\xD8\xAA Colnbrook IRC"}) {  // بازداشت
    INFO(body);
    auto m = words->Match(body);
    REQUIRE(m);
    CHECK(m->word == ReportWord::kDetained);
    CHECK(m->rest == "Colnbrook IRC");
  }
  CHECK(ReportWords().Match("DETAINED")->word == ReportWord::kDetained);  // built in
}

TEST_CASE("Case texts: a removal tells the deadline, never where, and keeps consent", "[cases][unit]") {
  const CaseFacts none{};
  for (const char* role : {"mp", "legal"}) {
    auto t = RemovalTextFor(role, none);
    CHECK(t.key == "withheld");
    auto vars = RemovalTextVars(t, "A.", "03 Dec 06:10", "H1", "Write.", "K7Q4", "Net");
    CHECK(vars.at("deadline").empty());
    CHECK(vars.at("message").empty());
    CHECK(vars.at("pseudonym").empty());
  }
  auto bail = RemovalTextFor("bail", none);
  CHECK(bail.key == "removal");
  CHECK(bail.deadline);
  CHECK_FALSE(bail.where);
  CHECK(RemovalTextFor("campaign", none).key == "removal_private");
  CHECK(RemovalTextFor("campaign", CaseFacts{false, false, true}).key == "removal");
  CHECK(RemovalTextFor("mp", CaseFacts{true, false, false}).key == "removal");
  CHECK(RemovalTextFor("coordinator", none).key == "removal");
  const auto t = RemovalTextFor("campaign", none);
  const auto templates = test::LoadShippedTemplates();
  auto r = templates.RenderCase("en", "en", t.key,
                                 RemovalTextVars(t, "A.", "03 Dec 06:10", "H1234567", "Call the airline.",
                                                 "K7Q4", "Peckham"));
  REQUIRE(r.ok());
  CHECK(Has(r.value(), "flight 03 Dec 06:10"));
  CHECK(Has(r.value(), "Call the airline."));
  CHECK_FALSE(Has(r.value(), "H1234567"));
}
