// An alert's code: 4 characters members quote in replies ("1 K7Q4"), drawn from letters and
// digits that cannot be mistaken for one another on a phone screen or read aloud (no 0/O,
// 1/I/L, 2/Z, 5/S, 6/G, 8/B).
#pragma once

#include <string_view>

namespace tocsin {

inline constexpr std::string_view kAlertCodeAlphabet = "ACDEFHJKMNPQRTUVWXY3479";
inline constexpr std::size_t kAlertCodeLength = 4;

}  // namespace tocsin
