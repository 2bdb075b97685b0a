#include "dispatch/message/segments.h"

#include "dispatch/util/utf8.h"

#include <cstddef>
#include <cstdint>

namespace tocsin {
namespace {



// Parts needed for items of 1 or 2 units each when a part holds `per_part` units and a
// 2-unit item never straddles two parts. Called only when the message needs more than one.
template <typename UnitsOf>
int CountParts(std::string_view utf8, int per_part, UnitsOf units_of) {
  int parts = 1;
  int used = 0;
  for (std::size_t pos = 0; pos < utf8.size();) {
    const int u = units_of(NextCodePoint(utf8, &pos).value_or(kReplacementChar));
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
    const char32_t cp = NextCodePoint(utf8, &pos).value_or(kReplacementChar);
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
