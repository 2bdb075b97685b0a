// Call lists (model/call_list.h): who in a walk is owed one, how many people fit in a number of
// SMS segments, and the texts in the shipped languages.
#include "dispatch/model/call_list.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dispatch/message/segments.h"
#include "dispatch/message/templates.h"
#include "tests/support/paths.h"

using namespace tocsin;

namespace {

// 1 -> {2, 3}, 2 -> {4}; 1's backup is 9.
std::vector<WalkNode> SmallTree() { return {{1, 0, 9}, {2, 1, 0}, {3, 1, 0}, {4, 2, 0}}; }

const TemplateSet& Shipped() {
  static const TemplateSet set = [] {
    auto loaded = TemplateSet::LoadDirectory(tocsin::test::SourceDir() + "/config/templates");
    REQUIRE(loaded.ok());
    return std::move(loaded).value();
  }();
  return set;
}

// n people: "Person1 +447700900101", "Person2 +447700900102", ...
std::vector<CallListPerson> People(int n) {
  std::vector<CallListPerson> out;
  for (int i = 1; i <= n; ++i)
    out.push_back({"Person" + std::to_string(i),
                   "+4477009001" + std::to_string(i / 10) + std::to_string(i % 10)});
  return out;
}

int Segments(const std::string& text) { return MeasureSms(text).segments; }

int Occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

constexpr const char* kAlert = "RAID K7Q2: Rye Lane.\nReply 1 if you can go, 2 if not.";

}  // namespace

TEST_CASE("call lists: relay nodes with children are owed one, as are backups standing in",
          "[call_list][unit]") {
  auto nodes = SmallTree();
  auto owed = CallListsOwed(nodes, TreeMode::kRelay, {1});
  REQUIRE(owed.size() == 1);
  CHECK(owed[0].relayer == 1);
  CHECK(owed[0].people == std::vector<std::int64_t>{2, 3});  // calling order
  // A leaf has nobody to call; a node below the root calls its own children only.
  CHECK(CallListsOwed(nodes, TreeMode::kRelay, {3}).empty());
  owed = CallListsOwed(nodes, TreeMode::kRelay, {3, 2, 2});
  REQUIRE(owed.size() == 1);
  CHECK(owed[0].relayer == 2);
  CHECK(owed[0].people == std::vector<std::int64_t>{4});
  // Automated trees: Tocsin messages each level itself.
  CHECK(CallListsOwed(nodes, TreeMode::kAutomated, {1, 2}).empty());
  // The backup is owed the node's list only while it stands in for the node.
  CHECK(CallListsOwed(nodes, TreeMode::kRelay, {9}).empty());
  nodes[0].state = NodeState::kBackup;
  owed = CallListsOwed(nodes, TreeMode::kRelay, {9});
  REQUIRE(owed.size() == 1);
  CHECK(owed[0].relayer == 9);
  CHECK(owed[0].people == std::vector<std::int64_t>{2, 3});
}

TEST_CASE("call lists: how many people fit in a number of segments", "[call_list][unit]") {
  // Each person adds 50 GSM-7 characters: two segments hold 306.
  auto text = [](std::size_t n) { return std::string(50 * n, 'a'); };
  CHECK(PeopleThatFit(0, 2, text) == 0);
  CHECK(PeopleThatFit(3, 2, text) == 3);   // 150: all of them
  CHECK(PeopleThatFit(6, 2, text) == 6);   // 300
  CHECK(PeopleThatFit(10, 2, text) == 6);  // 350 does not fit
  CHECK(PeopleThatFit(10, 1, text) == 3);  // 160 in one segment
  CHECK(PeopleThatFit(10, 0, text) == 1);  // nothing fits: the first is named all the same
  // UCS-2 counts 67 units per segment past the first: 10 characters a person.
  auto arabic = [](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < 10 * n; ++i) s += "\u0628";
    return s;
  };
  CHECK(PeopleThatFit(20, 1, arabic) == 7);   // 70 units in one segment
  CHECK(PeopleThatFit(20, 2, arabic) == 13);  // 134 units in two
  // All fit only when the whole list does: the text naming everyone differs (no "more" line).
  auto with_more = [](std::size_t total) {
    return [total](std::size_t n) {
      return std::string(50 * n, 'a') + (n < total ? std::string(200, 'b') : "");
    };
  };
  CHECK(PeopleThatFit(5, 2, with_more(5)) == 5);  // 250
  CHECK(PeopleThatFit(7, 2, with_more(7)) == 2);  // 350 for all; 300 for two and the rest
}

TEST_CASE("call lists: the relayer's alert names their people within two segments",
          "[call_list][unit]") {
  CallListTexts en(Shipped(), "en", "en");
  auto three = People(3);
  three[1].name = "";  // no name: the number alone
  auto text = en.AlertText(kAlert, three).value();
  CHECK(text == std::string(kAlert) +
                    "\nPlease call: Person1 +447700900101, +447700900102, Person3 +447700900103");
  CHECK(en.AlertText(kAlert, {}).value() == kAlert);

  auto twelve = People(12);
  text = en.AlertText(kAlert, twelve).value();
  INFO(text);
  CHECK(Segments(text) <= kCallListSegments);
  int named = 0;
  for (const auto& p : twelve) named += Occurrences(text, p.phone);
  REQUIRE(named >= 1);
  REQUIRE(named < 12);
  CHECK(text.find("and " + std::to_string(12 - named) + " more: reply LIST") != std::string::npos);
  for (int i = 0; i < named; ++i)
    CHECK(Occurrences(text, twelve[static_cast<std::size_t>(i)].phone) == 1);
  // As many as fit: one more would not.
  auto one_more = text;
  one_more.insert(text.find(" and "), ", " + twelve[static_cast<std::size_t>(named)].name + " " +
                                          twelve[static_cast<std::size_t>(named)].phone);
  CHECK(Segments(one_more) > kCallListSegments);
}

TEST_CASE("call lists: Arabic and Farsi relayers read their own language", "[call_list][unit]") {
  for (const std::string language : {"ar", "fa"}) {
    CallListTexts texts(Shipped(), language, "en");
    auto text = texts.AlertText("\u0645\u062F\u0627\u0647\u0645\u0629 K7Q2", People(12)).value();
    INFO(language << ": " << text);
    CHECK(MeasureSms(text).ucs2);
    CHECK(Segments(text) <= kCallListSegments);
    CHECK(text.find("\u060C ") != std::string::npos);  // the Arabic comma between people
    CHECK(text.find("more") == std::string::npos);
    CHECK(text.find(language == "ar" ? "\u0642\u0627\u0626\u0645\u0629"
                                     : "\u0641\u0647\u0631\u0633\u062A") !=
          std::string::npos);  // how to ask for the rest: قائمة / فهرست
  }
  CHECK(CallListTexts(Shipped(), "ar", "en")
            .AlertText(kAlert, People(1))
            .value()
            .find("\u064A\u0631\u062C\u0649 \u0627\u0644\u0627\u062A\u0635\u0627\u0644") !=
        std::string::npos);  // يرجى الاتصال
  // A language without templates falls back to the network's.
  CHECK(CallListTexts(Shipped(), "de", "fr")
            .AlertText(kAlert, People(1))
            .value()
            .find("Merci d'appeler") != std::string::npos);
}

TEST_CASE("call lists: LIST names everyone, over as many SMS as it takes", "[call_list][unit]") {
  for (const std::string language : {"en", "fr", "ar", "fa"}) {
    CallListTexts texts(Shipped(), language, "en");
    auto people = People(40);
    auto sms = texts.ListTexts(people).value();
    INFO(language);
    CHECK(sms.size() > 1);
    std::string all;
    for (const auto& s : sms) {
      CHECK(Segments(s) <= kCallListSegments);
      all += s + "\n";
    }
    std::size_t at = 0;
    for (const auto& p : people) {  // each once, in calling order
      CHECK(Occurrences(all, p.phone) == 1);
      auto found = all.find(p.phone, at);
      CHECK(found != std::string::npos);
      at = found;
    }
    auto none = texts.ListTexts({}).value();
    REQUIRE(none.size() == 1);
    CHECK_FALSE(none[0].empty());
  }
  CHECK(CallListTexts(Shipped(), "en", "en").ListTexts({}).value() ==
        std::vector<std::string>{"You have nobody to call for an open alert."});
  CHECK(CallListTexts(Shipped(), "en", "en").ListTexts(People(2)).value() ==
        std::vector<std::string>{"Please call: Person1 +447700900101, Person2 +447700900102"});
}
