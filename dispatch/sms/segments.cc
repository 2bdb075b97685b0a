#include "dispatch/sms/segments.h"

#include <cstddef>
#include <cstdint>

namespace tocsin {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at `*pos` and advances past it. Invalid input yields U+FFFD and
// advances past the maximal invalid subsequence (Unicode 15, section 3.9, "U+FFFD
// substitution of maximal subparts"), so a truncated 3-byte sequence is one replacement.
char32_t NextCodePoint(std::string_view s, std::size_t* pos) {
  const std::size_t i = *pos;
  const auto b0 = static_cast<std::uint8_t>(s[i]);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  int len = 0;
  std::uint8_t lo = 0x80, hi = 0xBF;  // valid range of the second byte
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // no overlongs
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // no overlongs
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *pos = i + 1;  // continuation byte or C0, C1, F5..FF: never valid as a lead
    return kReplacement;
  }
  for (int k = 1; k < len; ++k) {
    if (i + k >= s.size()) {
      *pos = i + k;
      return kReplacement;
    }
    const auto b = static_cast<std::uint8_t>(s[i + k]);
    const std::uint8_t min = k == 1 ? lo : 0x80;
    const std::uint8_t max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) {
      *pos = i + k;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  *pos = i + len;
  return cp;
}

// Parts needed for items of 1 or 2 units each when a part holds `per_part` units and a
// 2-unit item never straddles two parts. Called only when the message needs more than one.
template <typename UnitsOf>
int CountParts(std::string_view utf8, int per_part, UnitsOf units_of) {
  int parts = 1;
  int used = 0;
  for (std::size_t pos = 0; pos < utf8.size();) {
    const int u = units_of(NextCodePoint(utf8, &pos));
    if (used + u > per_part) {
      ++parts;
      used = 0;
    }
    used += u;
  }
  return parts;
}

int Utf16Units(char32_t cp) { return cp >= 0x10000 ? 2 : 1; }

}  // namespace

int Gsm7Septets(char32_t cp) {
  if (cp < 0x80) {
    switch (cp) {
      case '\n':
      case '\r':
        return 1;
      case '\f':
      case '^':
      case '{':
      case '}':
      case '\\':
      case '[':
      case '~':
      case ']':
      case '|':
        return 2;
      case '`':
        return 0;
      default:
        return cp >= 0x20 && cp < 0x7F ? 1 : 0;
    }
  }
  // The table reads best as a table.
  // clang-format off
  switch (cp) {
    // Latin-1 letters and signs of the basic table.
    case U'£': case U'¥': case U'è': case U'é': case U'ù': case U'ì': case U'ò': case U'Ç':
    case U'Ø': case U'ø': case U'Å': case U'å': case U'Æ': case U'æ': case U'ß': case U'É':
    case U'¤': case U'¡': case U'Ä': case U'Ö': case U'Ñ': case U'Ü': case U'§': case U'¿':
    case U'ä': case U'ö': case U'ñ': case U'ü': case U'à':
    // Greek capitals of the basic table.
    case U'Δ': case U'Φ': case U'Γ': case U'Λ': case U'Ω': case U'Π': case U'Ψ': case U'Σ':
    case U'Θ': case U'Ξ':
      return 1;
    case U'€':
      return 2;
    default:
      return 0;
  }
  // clang-format on
}

SmsEncoding MeasureSms(std::string_view utf8) {
  SmsEncoding out;
  int septets = 0;
  int utf16 = 0;
  bool gsm = true;
  for (std::size_t pos = 0; pos < utf8.size();) {
    const char32_t cp = NextCodePoint(utf8, &pos);
    utf16 += Utf16Units(cp);
    if (gsm) {
      const int s = Gsm7Septets(cp);
      if (s == 0) gsm = false;
      septets += s;
    }
  }
  out.ucs2 = !gsm;
  out.units = gsm ? septets : utf16;
  if (out.units == 0) return out;
  if (gsm) {
    out.segments =
        septets <= kGsm7SingleSegment ? 1 : CountParts(utf8, kGsm7MultiSegment, Gsm7Septets);
  } else {
    out.segments =
        utf16 <= kUcs2SingleSegment ? 1 : CountParts(utf8, kUcs2MultiSegment, Utf16Units);
  }
  return out;
}

}  // namespace tocsin
