// Classifies the body of an inbound SMS from a member (DESIGN.md "Replies by SMS").
//
// A reply has no thread, so the body alone must say what the member means. ParseReply is a
// pure function of the body: it knows nothing of the member, their language, their open alerts
// or their opt-out state, and the caller decides what each kind does. It accepts the answer
// words of every language in kReplyLanguages whatever the member's language, because members
// answer in whichever script their phone has at hand.
//
// Contract:
//   1. Words. The body is decoded as UTF-8 and split on whitespace: any Unicode White_Space
//      character (NBSP U+00A0, U+202F, U+3000, ... included), a run counting as one separator.
//      Leading and trailing whitespace and invisible format characters (ZWNJ U+200C, ZWJ, ZWSP,
//      word joiner, BOM, soft hyphen, LRM/RLM/ALM and the other bidi controls) are ignored.
//   2. Within a word, when comparing: those invisible characters, the tatweel U+0640 and Arabic
//      diacritics are ignored; ASCII letters are compared without case; Arabic-Indic and
//      Persian digits are the ASCII digits (U+0661 '١' and U+06F1 '۱' are 1); أ إ آ ٱ are ا;
//      ى and Persian ی are ي; Persian ک is ك; ة ۀ ہ are ه; the lam-alef ligatures are لا;
//      ’ ‘ ʼ ` ´ are '. A run of trailing punctuation (. , ! ? ; : … ؟ ، ؛ ۔ ！ ？) is removed
//      from each word, and a word that was nothing but punctuation is dropped, so French
//      "Oui !" is one word.
//   3. kStop, kStart, kHelp: the body is exactly one word, one of STOP STOPALL UNSUBSCRIBE
//      CANCEL END QUIT (kStop), START UNSTOP (kStart), HELP INFO (kHelp). These are the words
//      Twilio acts on itself (PROTOCOLS.md "Twilio: inbound SMS"), except YES (see 6).
//      "STOP." is kStop; "stop sending me these" is kText.
//      kList: the body is exactly one word, LIST or its word in a language of kReplyLanguages
//      (fr LISTE, ar قائمة, fa فهرست or لیست): a relay tree's node asks for everyone they must
//      call (model/call_list.h). Twilio does not act on it.
//   4. kGoing, kCannot: the words are an answer, or an answer and an alert code in either
//      order, and nothing else ("1", "yes k7q4", "K7Q4 1"). Answers:
//        going:  1 ١ ۱ | en: yes, y, going, ok | fr: oui, j'y vais |
//                ar: نعم, ايوه (أيوه, ايوا) | fa: بله (بلی), آره
//        cannot: 2 ٢ ۲ | en: no, n | fr: non | ar: لا | fa: نه, خیر
//      Anything more is kText, so "1 person coming later" and "2 of us" reach coordinators.
//   5. Alert code: a word of exactly 4 characters, all from the alert code alphabet
//      "ACDEFHJKMNPQRTUVWXY3479" (the one dispatch/model/alert_code.h defines, NewAlertCode draws from),
//      compared without case and returned uppercase in alert_code. A 4-character word outside
//      the alphabet is not a code, so "1 K0Q4" is kText. alert_code is set only with kGoing and
//      kCannot, and only when the reply names a code; the parser does not check that the code
//      names an open alert.
//   5a. A reply that is an answer and one more word of 4 ASCII letters or digits that is not a
//      code, but looks like one (it has a digit, or is written in capitals: "1 ZZZZ", "K0Q4 2",
//      not "1 soon"), is kText with that word, uppercase, in unknown_code: the member meant an
//      alert we cannot find and should be told so.
//   6. YES (and Y) is always kGoing. Twilio also treats YES as an opt-in and lifts its own block
//      (error 21610) on the number; ParseReply does not report that. A YES from an opted-out
//      member is therefore a kGoing reply from someone on our suppression list: whether it
//      re-subscribes them is the server's decision, made with the member's state in hand.
//   7. Anything else is kText: other words, the empty or all-whitespace body, and any body that
//      is not valid UTF-8 (stray continuation bytes, truncated or overlong sequences, encoded
//      surrogates, values above U+10FFFF), whatever it looks like otherwise.
//   8. text, for every kind, is the body with the leading and trailing characters of 1 removed
//      and nothing else changed, except that it is always valid UTF-8 without NUL: each maximal
//      invalid subsequence and each U+0000 becomes U+FFFD, so it can be stored in a PostgreSQL
//      text column and shown to coordinators as is.
//
// Pure functions of their input, no I/O; safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace tocsin {

enum class ReplyKind { kGoing, kCannot, kStop, kStart, kHelp, kList, kText };

struct ParsedReply {
  ReplyKind kind = ReplyKind::kText;
  std::optional<std::string> alert_code;  // 4 chars, uppercase, if the reply names one ("1 K7Q4")
  std::optional<std::string> unknown_code;  // kText only: a word meant as a code that is none (5a)
  std::string text;                       // the body, trimmed (for kText: what coordinators see)
};

ParsedReply ParseReply(std::string_view utf8_body);

// For the language-specific words: which languages the parser knows (template language codes,
// sorted, as TemplateSet::Languages() lists them). A language added to config/templates/ needs
// its yes/no and LIST words added to reply_parser.cc and here.
inline constexpr std::array<std::string_view, 4> kReplyLanguages = {"ar", "en", "fa", "fr"};

}  // namespace tocsin
