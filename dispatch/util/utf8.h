// UTF-8 decoding, one code point at a time, shared by everything that reads member text
// (segment counting, reply parsing, field validation) so they all agree on what is valid.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace tocsin {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point at `*pos` (< s.size()) and advances past it. Invalid input returns
// nullopt and advances past the maximal invalid subpart (Unicode 15, section 3.9, "U+FFFD
// substitution of maximal subparts"): a truncated 3-byte sequence is one error, not three.
// Overlongs, surrogates and values above U+10FFFF are invalid.
std::optional<char32_t> NextCodePoint(std::string_view s, std::size_t* pos);

bool IsValidUtf8(std::string_view s);

}  // namespace tocsin
