#include "dispatch/model/reply_parser.h"

#include "dispatch/model/alert_code.h"
#include "dispatch/util/utf8.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <utility>
#include <vector>

namespace tocsin {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";


// One decoded character and the bytes it came from.
struct Unit {
  char32_t cp = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
  bool valid = true;
};

// Decodes the code point at `*pos` and advances past it (dispatch/util/utf8.h: the same rules
// as segment counting, so the two agree on what a carrier shows).
Unit NextUnit(std::string_view s, std::size_t* pos) {
  const std::size_t begin = *pos;
  auto cp = NextCodePoint(s, pos);
  return {cp.value_or(kReplacement), begin, *pos, cp.has_value()};
}

std::vector<Unit> Decode(std::string_view s) {
  std::vector<Unit> units;
  units.reserve(s.size());
  for (std::size_t pos = 0; pos < s.size();) units.push_back(NextUnit(s, &pos));
  return units;
}

// Unicode White_Space: separates words.
bool IsSpace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Invisible format characters that phones and keyboards insert: trimmed from the ends of the
// body and ignored inside words (a Persian keyboard puts ZWNJ inside and after words).
bool IsInvisible(char32_t cp) {
  return cp == 0xAD ||                     // soft hyphen
         cp == 0x061C ||                   // Arabic letter mark
         cp == 0x180E ||                   // Mongolian vowel separator (once a space)
         (cp >= 0x200B && cp <= 0x200F) ||  // ZWSP, ZWNJ, ZWJ, LRM, RLM
         (cp >= 0x202A && cp <= 0x202E) ||  // bidi embeddings and overrides
         (cp >= 0x2060 && cp <= 0x2064) ||  // word joiner and invisible operators
         (cp >= 0x2066 && cp <= 0x2069) ||  // bidi isolates
         cp == 0xFEFF;                     // BOM / ZWNBSP
}

// Ignored inside words only: they change how a word looks, not which word it is.
bool IsIgnoredInWord(char32_t cp) {
  return IsInvisible(cp) || cp == 0x0640 ||  // tatweel (kashida)
         (cp >= 0x064B && cp <= 0x065F) ||   // harakat, shadda, sukun, ...
         cp == 0x0670;                       // superscript alef
}

bool IsTrailingPunctuation(char32_t cp) {
  switch (cp) {
    case '.': case ',': case '!': case '?': case ';': case ':':
    case 0x2026:  // …
    case 0x060C:  // ، Arabic comma
    case 0x061B:  // ؛ Arabic semicolon
    case 0x061F:  // ؟ Arabic question mark
    case 0x06D4:  // ۔ Arabic full stop
    case 0xFF01:  // ！
    case 0xFF1F:  // ？
      return true;
    default:
      return false;
  }
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Appends the comparison form of `cp` (header, contract 2) to `out`.
void AppendFolded(char32_t cp, std::u32string* out) {
  if (cp >= 'A' && cp <= 'Z') {
    out->push_back(cp - 'A' + 'a');
  } else if (cp >= 0x0660 && cp <= 0x0669) {  // Arabic-Indic digits
    out->push_back(cp - 0x0660 + '0');
  } else if (cp >= 0x06F0 && cp <= 0x06F9) {  // Extended Arabic-Indic (Persian) digits
    out->push_back(cp - 0x06F0 + '0');
  } else if (cp == 0x0622 || cp == 0x0623 || cp == 0x0625 || cp == 0x0671) {  // آ أ إ ٱ
    out->push_back(0x0627);                                                      // ا
  } else if (cp == 0x0649 || cp == 0x06CC) {  // ى ی
    out->push_back(0x064A);                   // ي
  } else if (cp == 0x06A9) {  // ک
    out->push_back(0x0643);   // ك
  } else if (cp == 0x0629 || cp == 0x06C0 || cp == 0x06C1) {  // ة ۀ ہ
    out->push_back(0x0647);                                   // ه
  } else if (cp >= 0xFEF5 && cp <= 0xFEFC) {  // lam-alef ligatures, any alef
    out->push_back(0x0644);
    out->push_back(0x0627);
  } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC || cp == '`' || cp == 0xB4) {
    out->push_back('\'');
  } else {
    out->push_back(cp);
  }
}

// The comparison forms of the words in `units` (header, contracts 1 and 2), empty words
// dropped. Invalid units never reach here.
std::vector<std::string> Words(std::span<const Unit> units) {
  std::vector<std::string> words;
  std::u32string word;
  auto flush = [&] {
    while (!word.empty() && IsTrailingPunctuation(word.back())) word.pop_back();
    if (word.empty()) return;
    std::string utf8;
    for (char32_t cp : word) AppendUtf8(cp, &utf8);
    words.push_back(std::move(utf8));
    word.clear();
  };
  for (const Unit& u : units) {
    if (IsSpace(u.cp)) {
      flush();
    } else if (!IsIgnoredInWord(u.cp)) {
      AppendFolded(u.cp, &word);
    }
  }
  flush();
  return words;
}

std::vector<std::string> Words(std::string_view utf8) { return Words(Decode(utf8)); }

struct Phrase {
  ReplyKind kind;
  std::vector<std::string> words;  // comparison forms
};

// Keywords and answers are written as people spell them and folded once, so the tables and
// the replies go through the same normalisation.
std::vector<Phrase> Fold(std::initializer_list<std::pair<ReplyKind, std::string_view>> entries) {
  std::vector<Phrase> phrases;
  for (const auto& [kind, spelling] : entries) phrases.push_back({kind, Words(spelling)});
  return phrases;
}

// Whole-body keywords: those Twilio acts on (PROTOCOLS.md), less YES, and LIST.
const std::vector<Phrase>& Keywords() {
  static const std::vector<Phrase> kKeywords = Fold({
      {ReplyKind::kStop, "STOP"},
      {ReplyKind::kStop, "STOPALL"},
      {ReplyKind::kStop, "UNSUBSCRIBE"},
      {ReplyKind::kStop, "CANCEL"},
      {ReplyKind::kStop, "END"},
      {ReplyKind::kStop, "QUIT"},
      {ReplyKind::kStart, "START"},
      {ReplyKind::kStart, "UNSTOP"},
      {ReplyKind::kHelp, "HELP"},
      {ReplyKind::kHelp, "INFO"},
      // Not Twilio's: a relay node asks for their whole call list, in any reply language.
      {ReplyKind::kList, "LIST"},
      {ReplyKind::kList, "LISTE"},
      {ReplyKind::kList, "قائمة"},
      {ReplyKind::kList, "فهرست"},
      {ReplyKind::kList, "لیست"},
  });
  return kKeywords;
}

// Answers in every language of kReplyLanguages. Digits in any script fold to ASCII.
const std::vector<Phrase>& Answers() {
  static const std::vector<Phrase> kAnswers = Fold({
      {ReplyKind::kGoing, "1"},
      {ReplyKind::kCannot, "2"},
      // en
      {ReplyKind::kGoing, "yes"},
      {ReplyKind::kGoing, "y"},
      {ReplyKind::kGoing, "going"},
      {ReplyKind::kGoing, "ok"},
      {ReplyKind::kCannot, "no"},
      {ReplyKind::kCannot, "n"},
      // fr
      {ReplyKind::kGoing, "oui"},
      {ReplyKind::kGoing, "j'y vais"},
      {ReplyKind::kCannot, "non"},
      // ar (أيوه folds to ايوه; ايوا is the other common spelling)
      {ReplyKind::kGoing, "نعم"},
      {ReplyKind::kGoing, "ايوه"},
      {ReplyKind::kGoing, "ايوا"},
      {ReplyKind::kCannot, "لا"},
      // fa (بلی is the older spelling of بله; آره folds to اره)
      {ReplyKind::kGoing, "بله"},
      {ReplyKind::kGoing, "بلی"},
      {ReplyKind::kGoing, "آره"},
      {ReplyKind::kCannot, "نه"},
      {ReplyKind::kCannot, "خیر"},
  });
  return kAnswers;
}

std::optional<ReplyKind> Match(const std::vector<Phrase>& phrases,
                               std::span<const std::string> words) {
  for (const Phrase& p : phrases) {
    if (std::equal(p.words.begin(), p.words.end(), words.begin(), words.end())) return p.kind;
  }
  return std::nullopt;
}

// The alert code `word` spells, uppercase, if it is one (header, contract 5).
std::optional<std::string> AsCode(std::string_view word) {
  if (word.size() != 4) return std::nullopt;
  std::string code;
  for (char c : word) {
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (kAlertCodeAlphabet.find(upper) == std::string_view::npos) return std::nullopt;
    code.push_back(upper);
  }
  return code;
}

// `word` (folded) uppercase if it looks like a code that is none (header, contract 5a): 4 ASCII
// letters or digits, with a digit or written in capitals somewhere in `text`.
std::optional<std::string> AsMistypedCode(std::string_view word, std::string_view text) {
  if (word.size() != 4) return std::nullopt;
  std::string upper;
  bool digit = false;
  for (char c : word) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c < 'a' || c > 'z') {
      return std::nullopt;
    }
    upper.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  if (!digit && text.find(upper) == std::string_view::npos) return std::nullopt;
  return upper;
}

// The body without its leading and trailing whitespace and invisible characters, as valid
// UTF-8 without NUL (header, contract 8).
std::string TrimmedText(std::string_view body, std::span<const Unit> units) {
  auto blank = [](const Unit& u) { return u.valid && (IsSpace(u.cp) || IsInvisible(u.cp)); };
  std::size_t first = 0, last = units.size();
  while (first < last && blank(units[first])) ++first;
  while (last > first && blank(units[last - 1])) --last;
  std::string text;
  text.reserve(body.size());
  for (std::size_t i = first; i < last; ++i) {
    const Unit& u = units[i];
    if (u.valid && u.cp != 0) {
      text.append(body.substr(u.begin, u.end - u.begin));
    } else {
      text.append(kReplacementUtf8);
    }
  }
  return text;
}

}  // namespace

ParsedReply ParseReply(std::string_view utf8_body) {
  const std::vector<Unit> units = Decode(utf8_body);
  ParsedReply reply;
  reply.text = TrimmedText(utf8_body, units);
  for (const Unit& u : units) {
    if (!u.valid) return reply;  // kText: we cannot be sure what the member typed
  }

  const std::vector<std::string> words = Words(units);
  const std::span<const std::string> all(words);
  if (words.size() == 1) {
    if (auto kind = Match(Keywords(), all)) {
      reply.kind = *kind;
      return reply;
    }
  }
  if (auto kind = Match(Answers(), all)) {
    reply.kind = *kind;
    return reply;
  }
  if (words.size() >= 2) {
    // The code first ("K7Q4 1") or last ("1 K7Q4"); the answer is everything else.
    if (auto code = AsCode(words.front())) {
      if (auto kind = Match(Answers(), all.subspan(1))) {
        reply.kind = *kind;
        reply.alert_code = std::move(code);
        return reply;
      }
    }
    if (auto code = AsCode(words.back())) {
      if (auto kind = Match(Answers(), all.first(words.size() - 1))) {
        reply.kind = *kind;
        reply.alert_code = std::move(code);
        return reply;
      }
    }
    // Not a code, but meant as one: still kText, flagged (contract 5a).
    if (Match(Answers(), all.subspan(1))) reply.unknown_code = AsMistypedCode(words.front(), reply.text);
    if (!reply.unknown_code && Match(Answers(), all.first(words.size() - 1))) {
      reply.unknown_code = AsMistypedCode(words.back(), reply.text);
    }
  }
  return reply;
}

}  // namespace tocsin
