#include "dispatch/model/reply_parser.h"
#include "tests/support/paths.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {
namespace {

// Names, so a failed CHECK prints "going" rather than "{?}".
std::string_view Name(ReplyKind kind) {
  switch (kind) {
    case ReplyKind::kGoing: return "going";
    case ReplyKind::kCannot: return "cannot";
    case ReplyKind::kStop: return "stop";
    case ReplyKind::kStart: return "start";
    case ReplyKind::kHelp: return "help";
    case ReplyKind::kList: return "list";
    case ReplyKind::kText: return "text";
  }
  return "?";
}

std::string_view KindOf(std::string_view body) { return Name(ParseReply(body).kind); }

std::optional<std::string> CodeOf(std::string_view body) { return ParseReply(body).alert_code; }

// Checks kind and code of `body`, and that text is the body as given minus the ends.
void CheckAnswer(std::string_view body, ReplyKind kind,
                 std::optional<std::string> code = std::nullopt) {
  INFO("body: " << body);
  const ParsedReply r = ParseReply(body);
  CHECK(Name(r.kind) == Name(kind));
  CHECK(r.alert_code == code);
}

constexpr auto kGoing = ReplyKind::kGoing;
constexpr auto kCannot = ReplyKind::kCannot;

}  // namespace

TEST_CASE("digits 1 and 2 in ASCII, Arabic-Indic and Persian", "[reply_parser]") {
  CheckAnswer("1", kGoing);
  CheckAnswer("2", kCannot);
  CheckAnswer("\u0661", kGoing);   // ١
  CheckAnswer("\u0662", kCannot);  // ٢
  CheckAnswer("\u06F1", kGoing);   // ۱
  CheckAnswer("\u06F2", kCannot);  // ۲
  CheckAnswer("\u0661 K7Q4", kGoing, "K7Q4");
  CheckAnswer("K7Q4 \u06F2", kCannot, "K7Q4");
  CHECK(KindOf("3") == "text");
  CHECK(KindOf("\u0663") == "text");  // ٣
  CHECK(KindOf("12") == "text");
  CHECK(KindOf("\u06F1\u06F2") == "text");
}

TEST_CASE("English words, any case", "[reply_parser]") {
  for (std::string_view w : {"yes", "YES", "Yes", "y", "Y", "going", "GOING", "ok", "OK", "Ok"}) {
    CheckAnswer(w, kGoing);
  }
  for (std::string_view w : {"no", "NO", "No", "n", "N"}) CheckAnswer(w, kCannot);
  CheckAnswer("yes k7q4", kGoing, "K7Q4");
  CheckAnswer("K7Q4 No", kCannot, "K7Q4");
  CHECK(KindOf("yeah") == "text");
  CHECK(KindOf("okay then") == "text");
}

TEST_CASE("French words, with and without a code", "[reply_parser]") {
  CheckAnswer("oui", kGoing);
  CheckAnswer("OUI", kGoing);
  CheckAnswer("non", kCannot);
  CheckAnswer("Non", kCannot);
  CheckAnswer("j'y vais", kGoing);
  CheckAnswer("J'y vais", kGoing);
  CheckAnswer("J\u2019y vais", kGoing);      // iOS smart apostrophe
  CheckAnswer("j'y   vais", kGoing);        // a run of spaces is one separator
  CheckAnswer("Oui K7Q4", kGoing, "K7Q4");
  CheckAnswer("k7q4 non", kCannot, "K7Q4");
  CheckAnswer("j'y vais K7Q4", kGoing, "K7Q4");
  CheckAnswer("K7Q4 j'y vais", kGoing, "K7Q4");
  CheckAnswer("Oui !", kGoing);             // French puts a space before ! and ?
  CheckAnswer("Oui\u202F!", kGoing);        // ... often a narrow no-break space
  CHECK(KindOf("j'y") == "text");
  CHECK(KindOf("vais") == "text");
  CHECK(KindOf("j'y vais pas") == "text");
  CHECK(KindOf("j'y K7Q4 vais") == "text");
}

TEST_CASE("Arabic words, with and without a code, and common spellings", "[reply_parser]") {
  CheckAnswer("نعم", kGoing);
  CheckAnswer("ايوه", kGoing);
  CheckAnswer("أيوه", kGoing);   // hamza on the alef
  CheckAnswer("إيوه", kGoing);   // hamza below
  CheckAnswer("ايوة", kGoing);   // teh marbuta for heh
  CheckAnswer("ايوا", kGoing);
  CheckAnswer("لا", kCannot);
  CheckAnswer("لأ", kCannot);    // Egyptian spelling
  CheckAnswer("\uFEFB", kCannot);  // lam-alef ligature
  CheckAnswer("نعـــم", kGoing);   // tatweel
  CheckAnswer("نَعَمْ", kGoing);      // diacritics
  CheckAnswer("نعم K7Q4", kGoing, "K7Q4");
  CheckAnswer("K7Q4 لا", kCannot, "K7Q4");
  CheckAnswer("نعم k7q4", kGoing, "K7Q4");
  CHECK(KindOf("نعم سأذهب") == "text");
  CHECK(KindOf("لا أستطيع") == "text");
}

TEST_CASE("Farsi words, with and without a code, Persian and Arabic letters alike",
          "[reply_parser]") {
  CheckAnswer("بله", kGoing);
  CheckAnswer("بلی", kGoing);           // Persian yeh
  CheckAnswer("بلي", kGoing);           // Arabic yeh
  CheckAnswer("بلى", kGoing);           // alef maksura
  CheckAnswer("آره", kGoing);
  CheckAnswer("اره", kGoing);           // without the madda
  CheckAnswer("نه", kCannot);
  CheckAnswer("خیر", kCannot);          // Persian yeh U+06CC
  CheckAnswer("خير", kCannot);          // Arabic yeh U+064A
  CheckAnswer("بله K7Q4", kGoing, "K7Q4");
  CheckAnswer("K7Q4 آره", kGoing, "K7Q4");
  CheckAnswer("k7q4 نه", kCannot, "K7Q4");
  CheckAnswer("\u06F2 k7q4", kCannot, "K7Q4");
  CHECK(KindOf("نه نمی\u200Cتوانم") == "text");  // "no, I can't" is for coordinators
}

TEST_CASE("the alert code before or after the answer, any case, uppercase out",
          "[reply_parser]") {
  CheckAnswer("1 K7Q4", kGoing, "K7Q4");
  CheckAnswer("K7Q4 1", kGoing, "K7Q4");
  CheckAnswer("1 k7q4", kGoing, "K7Q4");
  CheckAnswer("k7Q4 2", kCannot, "K7Q4");
  CheckAnswer("  2\t\tyx3a \n", kCannot, "YX3A");
  CheckAnswer("1 K\u0667Q\u0664", kGoing, "K7Q4");  // Arabic-Indic digits in the code
  CHECK(ParseReply("1 k7q4").text == "1 k7q4");       // text is as typed
  CHECK(CodeOf("1") == std::nullopt);
}

TEST_CASE("a 4-character word outside the code alphabet is not a code", "[reply_parser]") {
  CHECK(KindOf("1 K0Q4") == "text");  // 0 is not in the alphabet
  CHECK(KindOf("1 KIQ4") == "text");  // nor I
  CHECK(KindOf("1 BBBB") == "text");
  CHECK(KindOf("2 5678") == "text");
  CHECK(KindOf("yes SURE") == "text");
  CHECK(KindOf("K0Q4 1") == "text");
  CHECK(CodeOf("1 K0Q4") == std::nullopt);
  CHECK(KindOf("1 K7Q") == "text");    // too short
  CHECK(KindOf("1 K7Q44") == "text");  // too long
  CHECK(KindOf("1K7Q4") == "text");    // no separator
  CHECK(KindOf("1 \u0643\u0645") == "text");  // 4 bytes of Arabic, not a code
}

TEST_CASE("an answer with a word meant as a code that is none flags it (issue 9, defect 9)", "[reply_parser]") {
  auto mistyped = [](std::string_view body) { return ParseReply(body).unknown_code; };
  CHECK(mistyped("1 ZZZZ") == "ZZZZ");   // capitals
  CHECK(mistyped("1 k0q4") == "K0Q4");   // a digit, any case
  CHECK(mistyped("K0Q4 2") == "K0Q4");   // before the answer too
  CHECK(mistyped("yes BBBB") == "BBBB");
  CHECK(KindOf("1 ZZZZ") == "text");     // still text: kept for coordinators
  CHECK(mistyped("1 soon") == std::nullopt);  // a word, not a code
  CHECK(mistyped("yes sure") == std::nullopt);
  CHECK(mistyped("1 K7Q4") == std::nullopt);  // a real code is alert_code
  CHECK(mistyped("1 ZZZZZ") == std::nullopt);
  CHECK(mistyped("hello ZZZZ") == std::nullopt);  // no answer
  CHECK(mistyped("1 ZZZZ please") == std::nullopt);
  CHECK(mistyped("1 \u0643\u0645") == std::nullopt);
}

TEST_CASE("only {answer} or {answer, code} is an answer", "[reply_parser]") {
  CHECK(KindOf("1 person coming later") == "text");
  CHECK(KindOf("2 of us") == "text");
  CHECK(KindOf("1 2") == "text");
  CHECK(KindOf("yes yes") == "text");
  CHECK(KindOf("1 K7Q4 K7Q4") == "text");
  CHECK(KindOf("K7Q4 1 K7Q4") == "text");
  CHECK(KindOf("K7Q4") == "text");
  CHECK(KindOf("yes no") == "text");
  const ParsedReply r = ParseReply("2 of us");
  CHECK(r.text == "2 of us");
  CHECK(r.alert_code == std::nullopt);
}

TEST_CASE("trailing punctuation is stripped from the words", "[reply_parser]") {
  CheckAnswer("yes!", kGoing);
  CheckAnswer("Yes!!!", kGoing);
  CheckAnswer("no.", kCannot);
  CheckAnswer("1.", kGoing);
  CheckAnswer("ok?", kGoing);
  CheckAnswer("نعم!", kGoing);
  CheckAnswer("آره؟", kGoing);   // Arabic question mark
  CheckAnswer("لا،", kCannot);   // Arabic comma
  CheckAnswer("yes, K7Q4.", kGoing, "K7Q4");
  CheckAnswer("1 K7Q4 !", kGoing, "K7Q4");
  CHECK(ParseReply("Yes!").text == "Yes!");
  CHECK(KindOf("!yes") == "text");  // leading punctuation is not stripped
  CHECK(KindOf("?") == "text");
  CHECK(ParseReply("?").text == "?");
}

TEST_CASE("Unicode spaces and invisible characters at the ends are trimmed", "[reply_parser]") {
  CheckAnswer(" 1 ", kGoing);
  CheckAnswer("\t\r\n1\r\n", kGoing);
  CheckAnswer("\u00A01\u00A0", kGoing);            // NBSP
  CheckAnswer("\u200C\u06F1\u200C", kGoing);       // ZWNJ
  CheckAnswer("\u200Fنعم\u200F", kGoing);          // RLM
  CheckAnswer("\uFEFFyes", kGoing);                // BOM
  CheckAnswer("\u3000no\u2003", kCannot);          // ideographic and em spaces
  CheckAnswer("1\u00A0K7Q4", kGoing, "K7Q4");      // NBSP as the separator
  CheckAnswer("K7Q4\u202F\u200C 2", kCannot, "K7Q4");
  CHECK(ParseReply("\u00A0 \u200C1 K7Q4\u200C \u00A0").text == "1 K7Q4");
  CHECK(ParseReply("\u200C hello \u00A0there\u00A0").text == "hello \u00A0there");
  CHECK(ParseReply("  STOP\n").text == "STOP");
}

TEST_CASE("STOP and its synonyms, whole body only", "[reply_parser]") {
  for (std::string_view w :
       {"STOP", "stop", "Stop", "STOPALL", "stopall", "UNSUBSCRIBE", "Unsubscribe", "CANCEL",
        "cancel", "END", "end", "QUIT", "quit", "  STOP  ", "\u00A0Stop\u200C", "Stop."}) {
    INFO("body: " << w);
    CHECK(KindOf(w) == "stop");
    CHECK(CodeOf(w) == std::nullopt);
  }
  CHECK(KindOf("stop sending me these") == "text");
  CHECK(KindOf("STOP K7Q4") == "text");
  CHECK(KindOf("please stop") == "text");
  CHECK(KindOf("STOP ALL") == "text");
}

TEST_CASE("START and UNSTOP opt in; YES is going, not START", "[reply_parser]") {
  for (std::string_view w : {"START", "start", "Start", "UNSTOP", "unstop", " Unstop "}) {
    INFO("body: " << w);
    CHECK(KindOf(w) == "start");
  }
  CHECK(KindOf("YES") == "going");  // Twilio's opt-in word, but for us it answers an alert
  CHECK(KindOf("start now") == "text");
}

TEST_CASE("HELP and INFO", "[reply_parser]") {
  for (std::string_view w : {"HELP", "help", "Help", "INFO", "info", "help?"}) {
    INFO("body: " << w);
    CHECK(KindOf(w) == "help");
  }
  CHECK(KindOf("help me") == "text");
}

TEST_CASE("anything else is text, trimmed", "[reply_parser]") {
  ParsedReply r = ParseReply("  On my way, 10 min  ");
  CHECK(r.kind == ReplyKind::kText);
  CHECK(r.text == "On my way, 10 min");
  CHECK(r.alert_code == std::nullopt);

  r = ParseReply("\u200Cمی\u200Cآیم، ده دقیقه\u00A0");
  CHECK(r.kind == ReplyKind::kText);
  CHECK(r.text == "می\u200Cآیم، ده دقیقه");  // internal ZWNJ kept

  r = ParseReply("line one\nline two");
  CHECK(r.kind == ReplyKind::kText);
  CHECK(r.text == "line one\nline two");
}

TEST_CASE("empty and blank bodies are text with empty text", "[reply_parser]") {
  for (std::string_view body : {"", " ", "\n\t", "\u00A0\u200C\u200F"}) {
    const ParsedReply r = ParseReply(body);
    CHECK(r.kind == ReplyKind::kText);
    CHECK(r.text.empty());
    CHECK(r.alert_code == std::nullopt);
  }
}

TEST_CASE("the text of every kind is the trimmed body", "[reply_parser]") {
  CHECK(ParseReply(" yes k7q4 ").text == "yes k7q4");
  CHECK(ParseReply("\u06F2").text == "\u06F2");
  CHECK(ParseReply("help ").text == "help");
}

TEST_CASE("invalid UTF-8 is text, and text is valid UTF-8", "[reply_parser]") {
  using namespace std::string_literals;
  const std::string replacement = "\xEF\xBF\xBD";
  struct Case {
    std::string body;
    std::string text;
  };
  const Case cases[] = {
      {"1\xFF"s, "1" + replacement},                       // invalid lead byte
      {"\x80"s, replacement},                              // stray continuation byte
      {"yes \xD9"s, "yes " + replacement},                 // truncated 2-byte sequence
      {"\xE2\x80 1"s, replacement + " 1"},                 // truncated 3-byte, one U+FFFD
      {"\xC0\xB1"s, replacement + replacement},            // overlong '1'
      {"\xED\xA0\x80"s, replacement + replacement + replacement},  // encoded surrogate
      {"\xF4\x90\x80\x80"s, std::string()},               // above U+10FFFF: filled below
      {"STOP\xFE"s, "STOP" + replacement},
      {"\xD9\xA1"s.substr(0, 1), replacement},             // half of '١'
  };
  for (const Case& c : cases) {
    INFO("body bytes: " << c.body.size());
    const ParsedReply r = ParseReply(c.body);
    CHECK(r.kind == ReplyKind::kText);
    CHECK(r.alert_code == std::nullopt);
    if (!c.text.empty()) CHECK(r.text == c.text);
    CHECK(r.text.find('\xFF') == std::string::npos);
  }
  // Each byte of a sequence above U+10FFFF is its own maximal invalid subsequence.
  CHECK(ParseReply("\xF4\x90\x80\x80"s).text == replacement + replacement + replacement +
                                                    replacement);
  // A literal U+FFFD in valid input is just a character.
  CHECK(ParseReply("\uFFFD").text == replacement);
  // NUL is valid UTF-8 but cannot be stored in a PostgreSQL text column.
  const ParsedReply nul = ParseReply("a\0b"s);
  CHECK(nul.kind == ReplyKind::kText);
  CHECK(nul.text == "a" + replacement + "b");
  CHECK(ParseReply("1\0"s).kind == ReplyKind::kText);
}

TEST_CASE("LIST and its word in every reply language, alone", "[reply_parser]") {
  for (const char* body : {"LIST", "list", " List. ", "LISTE", "liste",
                           "\u0642\u0627\u0626\u0645\u0629",         // قائمة
                           "\u0642\u0627\u0626\u0645\u0647",         // قائمه (ة typed as ه)
                           "\u0641\u0647\u0631\u0633\u062A",         // فهرست
                           "\u0644\u06CC\u0633\u062A"}) {            // لیست
    INFO(body);
    CHECK(KindOf(body) == "list");
  }
  CHECK(KindOf("list please") == "text");
  CHECK(KindOf("LIST K7Q4") == "text");
  CHECK(KindOf("1 LIST") == "text");
}

TEST_CASE("the parser knows every shipped template language", "[reply_parser]") {
  CHECK(std::is_sorted(kReplyLanguages.begin(), kReplyLanguages.end()));
  CHECK(std::vector<std::string_view>(kReplyLanguages.begin(), kReplyLanguages.end()) ==
        std::vector<std::string_view>{"ar", "en", "fa", "fr"});
  // A language added to config/templates/ needs its yes/no words in the parser.
  std::vector<std::string> shipped;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(tocsin::test::SourceDir()) / "config" /
                                           "templates")) {
    if (entry.path().extension() == ".toml") shipped.push_back(entry.path().stem().string());
  }
  std::sort(shipped.begin(), shipped.end());
  CHECK(shipped == std::vector<std::string>(kReplyLanguages.begin(), kReplyLanguages.end()));
}

}  // namespace tocsin
