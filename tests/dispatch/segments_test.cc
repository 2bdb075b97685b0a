#include "dispatch/message/segments.h"

#include <catch2/catch.hpp>
#include <string>

namespace tocsin {
namespace {

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("empty text is GSM-7 with nothing to send", "[segments]") {
  const SmsEncoding e = MeasureSms("");
  CHECK_FALSE(e.ucs2);
  CHECK(e.units == 0);
  CHECK(e.segments == 0);
}

TEST_CASE("GSM-7: 160 characters fit one segment, 161 need two", "[segments]") {
  SmsEncoding e = MeasureSms(std::string(160, 'a'));
  CHECK_FALSE(e.ucs2);
  CHECK(e.units == 160);
  CHECK(e.segments == 1);

  e = MeasureSms(std::string(161, 'a'));
  CHECK(e.units == 161);
  CHECK(e.segments == 2);
}

TEST_CASE("GSM-7: parts hold 153 septets", "[segments]") {
  CHECK(MeasureSms(std::string(153 * 2, 'x')).segments == 2);
  CHECK(MeasureSms(std::string(153 * 2 + 1, 'x')).segments == 3);
  CHECK(MeasureSms(std::string(153 * 3, 'x')).segments == 3);
  CHECK(MeasureSms(std::string(153 * 3 + 1, 'x')).segments == 4);
}

TEST_CASE("GSM-7: extension characters cost two septets", "[segments]") {
  SmsEncoding e = MeasureSms(Repeat("€", 80));
  CHECK_FALSE(e.ucs2);
  CHECK(e.units == 160);
  CHECK(e.segments == 1);

  // 162 septets: 76 pairs (152 septets) fill the first part, the 77th pair would straddle
  // the 153 boundary and moves on, so the parts hold 152 + 10 septets.
  e = MeasureSms(Repeat("€", 81));
  CHECK(e.units == 162);
  CHECK(e.segments == 2);

  // 306 septets would fit two parts of 153 exactly if pairs could be split; they cannot.
  e = MeasureSms(Repeat("€", 153));
  CHECK(e.units == 306);
  CHECK(e.segments == 3);

  // 152 plain + one escape pair = 154 septets over two parts, the pair wholly in the second.
  e = MeasureSms(std::string(152, 'a') + "€" + std::string(152, 'a'));
  CHECK(e.units == 306);
  CHECK(e.segments == 3);
  e = MeasureSms(std::string(151, 'a') + "€" + std::string(153, 'a'));
  CHECK(e.units == 306);
  CHECK(e.segments == 2);

  for (const char* ext : {"^", "{", "}", "\\", "[", "~", "]", "|", "\f"}) {
    INFO(ext);
    e = MeasureSms(ext);
    CHECK_FALSE(e.ucs2);
    CHECK(e.units == 2);
  }
}

TEST_CASE("GSM-7: accented letters in the basic table stay GSM-7", "[segments]") {
  for (const char* text : {"£", "é", "è", "à", "Ç", "Ñ", "ü", "ß", "Δ", "¿", "@$_", "\r\n"}) {
    INFO(text);
    const SmsEncoding e = MeasureSms(text);
    CHECK_FALSE(e.ucs2);
  }
  const SmsEncoding e = MeasureSms("Café à 5£ près de l'église");
  CHECK_FALSE(e.ucs2);
  CHECK(e.units == 26);
}

TEST_CASE("one character outside the tables makes the message UCS-2", "[segments]") {
  // Lowercase ç is not in the table (only Ç is); neither are ê, the backtick or curly quotes.
  for (const char* text : {"ç", "Reçu", "ê", "`", "\xE2\x80\x99"}) {
    INFO(text);
    CHECK(MeasureSms(text).ucs2);
  }
  const SmsEncoding e = MeasureSms("Raid at Peckham Rye ا");  // one Arabic letter
  CHECK(e.ucs2);
  CHECK(e.units == 21);
  CHECK(e.segments == 1);
  // In UCS-2 an extension character is one unit like any other.
  CHECK(MeasureSms("€ç").units == 2);
}

TEST_CASE("UCS-2: 70 units fit one segment, 71 need two", "[segments]") {
  SmsEncoding e = MeasureSms(Repeat("ب", 70));
  CHECK(e.ucs2);
  CHECK(e.units == 70);
  CHECK(e.segments == 1);

  e = MeasureSms(Repeat("ب", 71));
  CHECK(e.units == 71);
  CHECK(e.segments == 2);

  CHECK(MeasureSms(Repeat("ب", 67 * 2)).segments == 2);
  CHECK(MeasureSms(Repeat("ب", 67 * 2 + 1)).segments == 3);
}

TEST_CASE("UCS-2: surrogate pairs count two units and never straddle a part", "[segments]") {
  const std::string emoji = "\xF0\x9F\x9A\xA8";  // U+1F6A8 POLICE CARS REVOLVING LIGHT
  SmsEncoding e = MeasureSms(emoji);
  CHECK(e.ucs2);
  CHECK(e.units == 2);
  CHECK(e.segments == 1);

  e = MeasureSms(Repeat(emoji, 35));
  CHECK(e.units == 70);
  CHECK(e.segments == 1);

  // 36 pairs = 72 units: parts of 67 hold 33 pairs (66 units), so 33 + 3.
  e = MeasureSms(Repeat(emoji, 36));
  CHECK(e.units == 72);
  CHECK(e.segments == 2);

  // 66 units then a pair at the 67 boundary: the pair moves to part two.
  e = MeasureSms(Repeat("ب", 66) + emoji + Repeat("ب", 66));
  CHECK(e.units == 134);
  CHECK(e.segments == 3);
  e = MeasureSms(Repeat("ب", 65) + emoji + Repeat("ب", 67));
  CHECK(e.units == 134);
  CHECK(e.segments == 2);

  // 67 pairs = 134 units would be exactly two parts if pairs could split; they need three.
  e = MeasureSms(Repeat(emoji, 67));
  CHECK(e.units == 134);
  CHECK(e.segments == 3);
}

TEST_CASE("invalid UTF-8 is measured as UCS-2 with replacement characters", "[segments]") {
  SmsEncoding e = MeasureSms("abc\xFF");
  CHECK(e.ucs2);
  CHECK(e.units == 4);

  // A truncated 3-byte sequence is one replacement, then the next character.
  e = MeasureSms("\xE2\x82z");
  CHECK(e.ucs2);
  CHECK(e.units == 2);

  // Encoded surrogate (ED A0 80) and overlong '/' (C0 AF): one replacement per byte.
  CHECK(MeasureSms("\xED\xA0\x80").units == 3);
  CHECK(MeasureSms("\xC0\xAF").units == 2);

  // A truncated emoji at the end of the text.
  e = MeasureSms("hi\xF0\x9F\x9A");
  CHECK(e.ucs2);
  CHECK(e.units == 3);
}

TEST_CASE("Gsm7Septets classifies single code points", "[segments]") {
  CHECK(Gsm7Septets(U'a') == 1);
  CHECK(Gsm7Septets(U'£') == 1);
  CHECK(Gsm7Septets(U'€') == 2);
  CHECK(Gsm7Septets(U'[') == 2);
  CHECK(Gsm7Septets(U'ç') == 0);
  CHECK(Gsm7Septets(U'\t') == 0);
  CHECK(Gsm7Septets(0x1F6A8) == 0);
}

}  // namespace tocsin
