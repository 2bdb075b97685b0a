#include "dispatch/message/templates.h"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "dispatch/message/segments.h"
#include "tests/support/paths.h"
#include "tests/support/shipped_templates.h"

namespace tocsin {
namespace {

namespace fs = std::filesystem;

const fs::path kShipped = test::kShippedTemplates;

const std::map<std::string, std::string> kVars = {
    {"code", "K7Q2"},          {"location", "Peckham Rye estate"}, {"details", "3 vans."},
    {"deadline", "Tue 14:05"}, {"message", "Officers gone."},      {"network", "South London"},
    {"codes", "K7Q2, M3PX"},
    {"people", "Amal +447700900111, Bo +447700900112"},           {"count", "3"},
    {"organisation", "Hackney Law Centre"}, {"areas", "SE15, SE22"}};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A fresh directory under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("tocsin_templates_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

const auto LoadShipped = test::LoadShippedTemplates;

}  // namespace

TEST_CASE("the shipped templates load with every language", "[templates]") {
  const TemplateSet set = LoadShipped();
  CHECK(set.Languages() == std::vector<std::string>{"ar", "en", "fa", "fr"});
  CHECK(set.HasLanguage("fa"));
  CHECK_FALSE(set.HasLanguage("de"));
  CHECK_FALSE(set.HasLanguage(""));
}

TEST_CASE("every shipped language renders every kind and key with the code", "[templates]") {
  const TemplateSet set = LoadShipped();
  for (const std::string& language : set.Languages()) {
    for (const std::string& kind : TemplateSet::Kinds()) {
      for (const std::string& key : TemplateSet::KindKeys()) {
        INFO(language << " " << kind << "." << key);
        const Result<std::string> text = set.Render(language, "en", kind, key, kVars);
        REQUIRE(text.ok());
        CHECK(text.value().find("K7Q2") != std::string::npos);
        CHECK(text.value().find('{') == std::string::npos);
        if (key == "alert") {
          CHECK(text.value().find("Peckham Rye estate") != std::string::npos);
          CHECK(text.value().find('1') != std::string::npos);
          CHECK(text.value().find('2') != std::string::npos);
          if (kind == "removal") CHECK(text.value().find("Tue 14:05") != std::string::npos);
        } else if (key == "alert_tiered") {  // the areas, never the place or the details
          CHECK(text.value().find("SE15, SE22") != std::string::npos);
          CHECK(text.value().find("Peckham") == std::string::npos);
          CHECK(text.value().find("vans") == std::string::npos);
          if (kind == "removal") CHECK(text.value().find("Tue 14:05") != std::string::npos);
        } else {
          CHECK(text.value().find("Officers gone.") != std::string::npos);
        }
      }
    }
    for (const std::string& key : TemplateSet::TopLevelKeys()) {
      INFO(language << " " << key);
      const Result<std::string> text = set.Render(language, "en", "", key, kVars);
      REQUIRE(text.ok());
      CHECK_FALSE(text.value().empty());
      if (key == "reminder_tiered" || key == "approval_needed") {
        CHECK(text.value().find("K7Q2") != std::string::npos);
        CHECK(text.value().find("Peckham") == std::string::npos);
      }
      if (key == "confirm_going_place") CHECK(text.value().find("Peckham Rye estate") != std::string::npos);
    }
  }
}

TEST_CASE("alerts say how to answer in each language", "[templates]") {
  const TemplateSet set = LoadShipped();
  const std::map<std::string, std::string> answer = {
      {"en", "Reply 1 if you can go, 2 if not"},
      {"fr", "Répondez 1 si vous pouvez y aller, 2 sinon"},
      {"ar", "رد 1 إن استطعت الذهاب، 2 إن لم تستطع"},
      {"fa", "اگر می‌توانید بروید 1 بفرستید، اگر نه 2"},
  };
  for (const auto& [language, phrase] : answer) {
    for (const std::string& kind : TemplateSet::Kinds()) {
      INFO(language << " " << kind);
      const Result<std::string> text = set.Render(language, "en", kind, "alert", kVars);
      REQUIRE(text.ok());
      CHECK(text.value().find(phrase) != std::string::npos);
    }
  }
  // The reply line on a line of its own, and no double space when there are no details.
  CHECK(set.Render("en", "en", "raid", "alert", kVars).value() ==
        "RAID K7Q2: Peckham Rye estate. 3 vans.\nReply 1 if you can go, 2 if not.");
  auto no_details = kVars;
  no_details["details"] = "";
  for (const auto& [language, phrase] : answer) {
    auto text = set.Render(language, "en", "raid", "alert", no_details).value();
    INFO(language << ": " << text);
    CHECK(text.find("  ") == std::string::npos);
    CHECK(text.find(" \n") == std::string::npos);
    CHECK(text.find("\n" + phrase) != std::string::npos);
  }
  CHECK(set.Render("en", "en", "raid", "alert", no_details).value() ==
        "RAID K7Q2: Peckham Rye estate.\nReply 1 if you can go, 2 if not.");
  CHECK(Tidy("  a  b \n  c  \n\n") == "a b\nc");
}

TEST_CASE("English and French alerts stay GSM-7 and short", "[templates]") {
  const TemplateSet set = LoadShipped();
  for (const std::string language : {"en", "fr"}) {
    for (const std::string& kind : TemplateSet::Kinds()) {
      for (const std::string& key : TemplateSet::KindKeys()) {
        INFO(language << " " << kind << "." << key);
        const SmsEncoding e = MeasureSms(set.Render(language, "en", kind, key, kVars).value());
        CHECK_FALSE(e.ucs2);
        CHECK(e.segments == 1);
      }
    }
    for (const std::string& key : TemplateSet::TopLevelKeys()) {
      INFO(language << " " << key);
      CHECK_FALSE(MeasureSms(set.Render(language, "en", "", key, kVars).value()).ucs2);
    }
  }
  for (const std::string language : {"ar", "fa"}) {
    INFO(language);
    const SmsEncoding e = MeasureSms(set.Render(language, "en", "raid", "alert", kVars).value());
    CHECK(e.ucs2);
    CHECK(e.segments <= 2);
  }
}

TEST_CASE("Render falls back to the fallback language, then English", "[templates]") {
  const TemplateSet set = LoadShipped();
  const std::string fr = set.Render("fr", "en", "raid", "alert", kVars).value();
  const std::string en = set.Render("en", "en", "raid", "alert", kVars).value();
  const std::string ar = set.Render("ar", "en", "raid", "alert", kVars).value();
  CHECK(set.Render("de", "fr", "raid", "alert", kVars).value() == fr);
  CHECK(set.Render("de", "xx", "raid", "alert", kVars).value() == en);
  CHECK(set.Render("", "", "raid", "alert", kVars).value() == en);
  CHECK(set.Render("ar", "fr", "raid", "alert", kVars).value() == ar);
}

TEST_CASE("Render substitutes values verbatim and checks its arguments", "[templates]") {
  const TemplateSet set = LoadShipped();
  std::map<std::string, std::string> vars = kVars;
  vars["details"] = "{code} {{network}} }";
  const Result<std::string> text = set.Render("en", "en", "raid", "alert", vars);
  REQUIRE(text.ok());
  CHECK(text.value() ==
        "RAID K7Q2: Peckham Rye estate. {code} {{network}} }\nReply 1 if you can go, 2 if not.");

  vars.erase("location");
  Result<std::string> missing = set.Render("en", "en", "raid", "alert", vars);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::kInvalid);
  CHECK(missing.error().field == "location");

  // Only the placeholders a template uses are needed.
  CHECK(set.Render("en", "en", "", "started", {{"network", "N"}}).ok());

  Result<std::string> bad_kind = set.Render("en", "en", "flood", "alert", kVars);
  REQUIRE_FALSE(bad_kind.ok());
  CHECK(bad_kind.error().field == "kind");
  Result<std::string> bad_key = set.Render("en", "en", "raid", "help", kVars);
  REQUIRE_FALSE(bad_key.ok());
  CHECK(bad_key.error().field == "key");
  bad_key = set.Render("en", "en", "", "alert", kVars);
  REQUIRE_FALSE(bad_key.ok());
  CHECK(bad_key.error().field == "key");
}

TEST_CASE("loading reports the broken file and key", "[templates]") {
  const std::string en = ReadFile(kShipped / "en.toml");
  REQUIRE_FALSE(en.empty());
  TempDir dir;
  dir.Write("en.toml", en);

  SECTION("the copy loads as it is") {
    const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
    REQUIRE(set.ok());
    CHECK(set.value().Languages() == std::vector<std::string>{"en"});
  }
  SECTION("a missing key") {
    dir.Write("xx.toml", Replace(en, "\nupdate = \"DETENTION", "\nupdat = \"DETENTION"));
    const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().code == ErrorCode::kInvalid);
    CHECK(set.error().field == "detention.update");
    CHECK(set.error().message.find("xx.toml") != std::string::npos);
    CHECK(set.error().message.find("detention.update") != std::string::npos);
  }
  SECTION("a missing top-level key") {
    dir.Write("xx.toml", Replace(en, "confirm_cannot = ", "confirm_can = "));
    const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().field == "confirm_cannot");
    CHECK(set.error().message.find("xx.toml") != std::string::npos);
  }
  SECTION("a missing kind") {
    dir.Write("xx.toml", Replace(en, "[removal]", "[removals]"));
    const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().field == "removal");
    CHECK(set.error().message.find("xx.toml") != std::string::npos);
  }
  SECTION("a key that is not a string") {
    dir.Write("xx.toml", Replace(en, "cancel = \"RAID {code} cancelled: {message} No need to go.\"",
                                 "cancel = 3"));
    const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().field == "raid.cancel");
  }
  SECTION("an unknown placeholder") {
    dir.Write("xx.toml", Replace(en, "RAID {code} update", "RAID {cod} update"));
    const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().field == "raid.update");
    CHECK(set.error().message.find("{cod}") != std::string::npos);
    CHECK(set.error().message.find("xx.toml") != std::string::npos);
  }
  SECTION("unbalanced braces") {
    dir.Write("xx.toml", Replace(en, "RAID {code} update", "RAID {code update"));
    CHECK_FALSE(TemplateSet::LoadDirectory(dir.path()).ok());
    dir.Write("xx.toml", Replace(en, "RAID {code} update", "RAID code} update"));
    CHECK_FALSE(TemplateSet::LoadDirectory(dir.path()).ok());
  }
  SECTION("escaped braces are literal") {
    dir.Write("xx.toml",
              Replace(en, "RAID {code} update: {message}", "{{RAID}} {code}: {message}"));
    const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
    REQUIRE(set.ok());
    CHECK(set.value().Render("xx", "en", "raid", "update", kVars).value() ==
          "{RAID} K7Q2: Officers gone.");
  }
  SECTION("a TOML syntax error names the file and line") {
    dir.Write("yy.toml", "help = \"unterminated\n");
    const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().code == ErrorCode::kMalformed);
    CHECK(set.error().message.find("yy.toml:1") != std::string::npos);
  }
  SECTION("English is required") {
    fs::remove(dir.path() / "en.toml");
    dir.Write("fr.toml", ReadFile(kShipped / "fr.toml"));
    const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
    REQUIRE_FALSE(set.ok());
    CHECK(set.error().message.find("en.toml") != std::string::npos);
  }
  SECTION("files other than *.toml are ignored") {
    dir.Write("README.md", "not a template {oops}");
    CHECK(TemplateSet::LoadDirectory(dir.path()).ok());
  }
}

TEST_CASE("a template file older than email_failed still loads, and renders it from a fallback",
          "[templates][email_failed]") {
  const TemplateSet shipped = LoadShipped();
  const std::string en_text = shipped.Render("en", "en", "", "email_failed", kVars).value();
  CHECK(en_text.find("Hackney Law Centre") != std::string::npos);
  CHECK(en_text.find("K7Q2") != std::string::npos);
  CHECK(shipped.Render("fr", "en", "", "email_failed", kVars).value() != en_text);  // French of its own
  TempDir dir;
  const std::string key = "\nemail_failed = ";
  const std::string en = ReadFile(kShipped / "en.toml");
  const std::string fr = ReadFile(kShipped / "fr.toml");
  auto without = [&](const std::string& text) {
    const std::size_t at = text.find(key);
    REQUIRE(at != std::string::npos);
    return text.substr(0, at) + text.substr(text.find('\n', at + 1));
  };
  dir.Write("en.toml", without(en));
  dir.Write("fr.toml", without(fr));
  const Result<TemplateSet> set = TemplateSet::LoadDirectory(dir.path());
  REQUIRE(set.ok());
  // An operator's en.toml without the key: the shipped English; any other language without it: its fallback's.
  CHECK(set->Render("en", "en", "", "email_failed", kVars).value() == en_text);
  CHECK(set->Render("fr", "en", "", "email_failed", kVars).value() == en_text);
  // A broken email_failed is still an error.
  dir.Write("fr.toml", Replace(fr, "email_failed = \"", "email_failed = \"{nope} "));
  const Result<TemplateSet> broken = TemplateSet::LoadDirectory(dir.path());
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().field == "email_failed");
}

TEST_CASE("a missing directory is an error", "[templates]") {
  const Result<TemplateSet> set =
      TemplateSet::LoadDirectory(fs::path(tocsin::test::SourceDir()) / "no" / "such" / "dir");
  REQUIRE_FALSE(set.ok());
  CHECK(set.error().code == ErrorCode::kInvalid);
}

}  // namespace tocsin
