#include "dispatch/util/utf8.h"

#include <cstdint>

namespace tocsin {

std::optional<char32_t> NextCodePoint(std::string_view s, std::size_t* pos) {
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
    return std::nullopt;
  }
  for (int k = 1; k < len; ++k) {
    if (i + k >= s.size()) {
      *pos = i + k;
      return std::nullopt;
    }
    const auto b = static_cast<std::uint8_t>(s[i + k]);
    const std::uint8_t min = k == 1 ? lo : 0x80;
    const std::uint8_t max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) {
      *pos = i + k;
      return std::nullopt;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  *pos = i + len;
  return cp;
}

bool IsValidUtf8(std::string_view s) {
  for (std::size_t pos = 0; pos < s.size();) {
    if (!NextCodePoint(s, &pos)) return false;
  }
  return true;
}

}  // namespace tocsin
