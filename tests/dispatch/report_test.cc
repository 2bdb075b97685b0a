// The pure parts of reports from the street (issue 12): settings, codes, postcode places and
// area matching, the policy's verification block, and the report words of the templates.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <vector>

#include "dispatch/message/report_words.h"
#include "dispatch/message/templates.h"
#include "dispatch/model/alert_code.h"
#include "dispatch/model/policy.h"
#include "dispatch/model/report.h"
#include "dispatch/model/report_codes.h"
#include "dispatch/model/verification.h"
#include "tests/support/paths.h"

using namespace tocsin;

namespace {

using Places = std::vector<std::string>;

}  // namespace

TEST_CASE("reports: postcode places in a report's text", "[reports]") {
  CHECK(PostcodePlaces("RAID SE15 Peckham Rye estate, 3 vans") == Places{"SE15"});
  CHECK(PostcodePlaces("vans at E8 4 near the market") == Places{"E8 4", "E8"});
  CHECK(PostcodePlaces("outside se15 3ab now") == Places{"SE15 3", "SE15"});
  CHECK(PostcodePlaces("W1A and EC1A,N1") == Places{"W1A", "EC1A", "N1"});
  // Not outward codes: too many letters, no digit, digits first, a number alone.
  CHECK(PostcodePlaces("ABC1 SE 15 1SE 3 vans").empty());
  // A sector needs a single space before it: "E8, 4 vans" is E8 and a count.
  CHECK(PostcodePlaces("E8, 4 vans") == Places{"E8"});
  CHECK(PostcodePlaces("").empty());
}

TEST_CASE("reports: the area of a report is the first place that is a network area", "[reports]") {
  const Places areas = {"E8", "Hackney Wick", "SE15", "N16 7"};
  CHECK(MatchReportArea("RAID se15 Rye Lane", areas) == "SE15");
  CHECK(MatchReportArea("vans N16 7 and E8", areas) == "N16 7");  // the sector, as the network names it
  CHECK(MatchReportArea("vans in N16 8", areas) == std::nullopt);  // N16 is not an area
  CHECK(MatchReportArea("E8 4 near the market", areas) == "E8");   // sector unknown: its district
  CHECK(MatchReportArea("three vans on the high street", areas) == std::nullopt);
  CHECK(MatchReportArea("first SW9 then SE15", Places{"SE15", "SW9"}) == "SW9");
}

TEST_CASE("reports: codes are R and three unambiguous characters", "[reports]") {
  std::set<std::string> seen;
  for (int b = 0; b < 256; ++b) {
    auto code = ReportCodeFromBytes({static_cast<std::uint8_t>(b), static_cast<std::uint8_t>(255 - b),
                                     static_cast<std::uint8_t>(b * 7)});
    REQUIRE(code.size() == kReportCodeLength);
    CHECK(code[0] == 'R');
    for (std::size_t i = 1; i < code.size(); ++i) CHECK(kAlertCodeAlphabet.find(code[i]) != std::string_view::npos);
    CHECK(LooksLikeReportCode(code));
    seen.insert(code);
  }
  CHECK(seen.size() == 161);  // distinct (b % 23, (255 - b) % 23, (7b mod 256) % 23) over b = 0..255
  CHECK(LooksLikeReportCode("r7k3"));
  CHECK_FALSE(LooksLikeReportCode("R7K2"));   // 2 is not in the alphabet (looks like Z)
  CHECK_FALSE(LooksLikeReportCode("K7Q4"));
  CHECK_FALSE(LooksLikeReportCode("R7K"));
  CHECK_FALSE(LooksLikeReportCode("R7K33"));
}

TEST_CASE("reports: a seeded code source gives the same codes for the same seed", "[reports]") {
  auto a = SeededReportCodes(7), b = SeededReportCodes(7), c = SeededReportCodes(8);
  std::vector<std::string> from_a, from_c;
  for (int i = 0; i < 50; ++i) {
    from_a.push_back(a());
    CHECK(LooksLikeReportCode(from_a.back()));
    CHECK(b() == from_a.back());
    from_c.push_back(c());
  }
  CHECK(from_a != from_c);
  CHECK(std::set<std::string>(from_a.begin(), from_a.end()).size() > 40);  // spread over the codes
}

TEST_CASE("reports: settings names, statuses and bounds", "[reports]") {
  ReportSettings s;
  CHECK(s.from == ReportsFrom::kReporters);
  CHECK_FALSE(s.public_check);
  CHECK(s.max_per_hour_per_number == 3);
  CHECK(s.merge_window_ms == 30 * 60 * 1000);
  CHECK(CheckReportSettings(s).ok());
  for (auto from : {ReportsFrom::kReporters, ReportsFrom::kMembers, ReportsFrom::kAnyone}) {
    CHECK(ParseReportsFrom(ReportsFromName(from), "f").value() == from);
  }
  CHECK(ParseReportsFrom("everyone", "reports.from").error().field == "reports.from");
  s.max_per_hour_per_number = 0;
  CHECK(CheckReportSettings(s).error().field == "reports.max_per_hour_per_number");
  s.max_per_hour_per_number = kMaxReportsPerHour + 1;
  CHECK(CheckReportSettings(s).error().field == "reports.max_per_hour_per_number");
  s = {};
  s.merge_window_ms = 0;
  CHECK(CheckReportSettings(s).error().field == "reports.merge_window");
  for (auto st : {ReportStatus::kAwaitingArea, ReportStatus::kPending, ReportStatus::kConfirmed,
                  ReportStatus::kDismissed, ReportStatus::kMerged}) {
    CHECK(ParseReportStatus(ReportStatusName(st), "status").value() == st);
  }
  CHECK(ParseReportStatus("open", "status").error().field == "status");
}

TEST_CASE("reports: the verification block of a policy", "[reports][policy]") {
  auto raid = DefaultVerification("raid");
  CHECK(raid.required);
  CHECK(raid.confirmations == 1);
  CHECK(raid.wait_ms == 5 * 60 * 1000);
  CHECK(raid.on_timeout == OnTimeout::kCoordinators);
  for (auto kind : {"detention", "removal", "other"}) CHECK_FALSE(DefaultVerification(kind).required);

  // Without the block a policy takes its kind's default.
  auto plain = ParsePolicyText(R"({"steps": [{"audience": {}, "channel": "sms"}]})");
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->verification.has_value());
  CHECK(EffectiveVerification(plain->verification, "raid").required);
  CHECK_FALSE(EffectiveVerification(plain->verification, "detention").required);

  // A block given: its missing keys take the raid's values; it round-trips.
  auto p = ParsePolicyText(R"({"steps": [{"audience": {}, "channel": "sms"}],
                               "verification": {"wait": "3m", "on_timeout": "send", "confirmations": 2}})");
  REQUIRE(p.ok());
  REQUIRE(p->verification.has_value());
  CHECK(p->verification->required);
  CHECK(p->verification->confirmations == 2);
  CHECK(p->verification->wait_ms == 3 * 60 * 1000);
  CHECK(p->verification->on_timeout == OnTimeout::kSend);
  CHECK(EffectiveVerification(p->verification, "other") == *p->verification);
  auto back = ParsePolicy(PolicyToJson(p.value()));
  REQUIRE(back.ok());
  CHECK(back.value() == p.value());

  struct Bad { const char* block; const char* field; };
  for (auto bad : {Bad{R"("yes")", "verification"}, Bad{R"({"required": 1})", "verification.required"},
                   Bad{R"({"confirmations": 0})", "verification.confirmations"},
                   Bad{R"({"confirmations": 21})", "verification.confirmations"},
                   Bad{R"({"wait": "5x"})", "verification.wait"}, Bad{R"({"wait": 300})", "verification.wait"},
                   Bad{R"({"on_timeout": "shrug"})", "verification.on_timeout"},
                   Bad{R"({"colour": "red"})", "verification.colour"}}) {
    auto r = ParsePolicyText(std::string(R"({"steps": [{"audience": {}, "channel": "sms"}], "verification": )") +
                             bad.block + "}");
    INFO(bad.block);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == bad.field);
  }
}

TEST_CASE("reports: report words, built in and from the shipped templates", "[reports][templates]") {
  ReportWords builtin;
  auto raid = builtin.Match("  raid: SE15 three vans ");
  REQUIRE(raid.has_value());
  CHECK(raid->word == ReportWord::kRaid);
  CHECK(raid->rest == "SE15 three vans");
  CHECK(builtin.Match("CHECK")->word == ReportWord::kCheck);
  CHECK(builtin.Match("CHECK")->rest.empty());
  CHECK(builtin.Match("Report detention at the station")->word == ReportWord::kReport);
  CHECK_FALSE(builtin.Match("1").has_value());
  CHECK_FALSE(builtin.Match("RAIDS everywhere").has_value());
  CHECK_FALSE(builtin.Match("RAFLE SE15").has_value());  // French only once the templates are read

  auto loaded = ReportWords::LoadDirectory(tocsin::test::SourceDir() + "/config/templates");
  REQUIRE(loaded.ok());
  REQUIRE(loaded->Match("rafle SE15").has_value());
  CHECK(loaded->Match("rafle SE15")->word == ReportWord::kRaid);
  REQUIRE(loaded->Match("Vérifier SE15").has_value());
  CHECK(loaded->Match("Vérifier SE15")->rest == "SE15");
  CHECK(loaded->Match("VERIFIER SE15")->word == ReportWord::kCheck);
  CHECK(loaded->Match("\xD9\x85\xD8\xAF\xD8\xA7\xD9\x87\xD9\x85\xD8\xA9 SE15")->word == ReportWord::kRaid);  // مداهمة
  CHECK(loaded->Match("\xD8\xA8\xD8\xB1\xD8\xB1\xD8\xB3\xDB\x8C SE15")->word == ReportWord::kCheck);  // بررسی
  CHECK(loaded->Match("RAID E8")->word == ReportWord::kRaid);  // English still understood

  // The templates still load beside their [reports] tables.
  auto templates = TemplateSet::LoadDirectory(tocsin::test::SourceDir() + "/config/templates");
  REQUIRE(templates.ok());
}

TEST_CASE("reports: the texts of reports in each shipped language", "[reports][templates]") {
  auto templates = TemplateSet::LoadDirectory(tocsin::test::SourceDir() + "/config/templates");
  REQUIRE(templates.ok());
  const std::map<std::string, std::string> vars = {{"code", "R7K3"}, {"network", "Peckham"}, {"location", "Rye Lane"},
                                                   {"areas", "SE15"}, {"details", ""}, {"message", "K7Q4"},
                                                   {"count", "1"}};
  for (const auto& lang : templates->Languages()) {
    for (const auto& key : TemplateSet::ReportKeys()) {
      auto text = templates->RenderReport(lang, "en", key, vars);
      INFO(lang << " " << key);
      REQUIRE(text.ok());
      if (key == "received" || key == "verify" || key == "confirmed" || key == "thanks" || key == "verify_timeout" ||
          key == "merged_update") {
        CHECK(text->find("R7K3") != std::string::npos);
      }
    }
  }
  CHECK(templates->RenderReport("fr", "en", "received", vars).value().starts_with("Merci"));
  CHECK(templates->RenderReport("xx", "en", "received", vars).value().starts_with("Thank you"));
  CHECK(templates->RenderReport("fr", "en", "nonsense", vars).error().field == "key");
  auto verify = templates->RenderReport("en", "en", "verify", vars).value();
  CHECK(verify == "Peckham needs a check (R7K3): reported Rye Lane in SE15.\nCan you check safely? Reply 1 R7K3 = I "
                 "see it, 2 R7K3 = not there.");
}

TEST_CASE("reports: a report word tells its language; the texts for many reporters say how many",
          "[reports][templates]") {
  auto words = ReportWords::LoadDirectory(tocsin::test::SourceDir() + "/config/templates");
  REQUIRE(words.ok());
  CHECK(words->Match("RAFLE SE15")->language == "fr");
  CHECK(words->Match("raid SE15")->language.empty());  // English: the sender's language stands
  auto templates = TemplateSet::LoadDirectory(tocsin::test::SourceDir() + "/config/templates");
  REQUIRE(templates.ok());
  const std::map<std::string, std::string> vars = {{"code", "R7K3"}, {"network", "Peckham"}, {"location", "Rye Lane"},
                                                   {"areas", "SE15"}, {"details", ""}, {"count", "3"}};
  for (const auto& lang : templates->Languages()) {
    for (const std::string key : {"verify_many", "thanks_many"}) {
      INFO(lang << " " << key);
      auto text = templates->RenderReport(lang, "en", key, vars);
      REQUIRE(text.ok());
      CHECK(text->find("3") != std::string::npos);
      CHECK(text->find("R7K3") != std::string::npos);
      // Each language has its own, not English's.
      if (lang != "en") CHECK(text.value() != templates->RenderReport("en", "en", key, vars).value());
    }
  }
}
