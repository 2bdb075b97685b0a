// Small readers of Twilio's form fields and formats that the fake Twilio's parts share.
// Test code only.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

#include "dispatch/channels/twilio_signature.h"

namespace tocsin::fake {

// E.164 as Twilio checks it: '+', no leading 0, 8 to 15 digits.
inline bool IsE164(std::string_view s) {
  if (s.size() < 9 || s.size() > 16 || s[0] != '+' || s[1] == '0') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The first value of `name`, empty if absent.
inline std::string_view FirstValue(const FormParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

inline bool HasParam(const FormParams& params, std::string_view name) {
  return std::any_of(params.begin(), params.end(), [&](const auto& p) { return p.first == name; });
}

inline bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

// Twilio's dates: "Wed, 02 Dec 2026 00:00:00 +0000".
inline std::string Rfc2822(std::chrono::system_clock::time_point tp) {
  const std::time_t t = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

}  // namespace tocsin::fake
