#include "dispatch/model/alert.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <sodium.h>

#include "dispatch/model/alert_code.h"
#include "dispatch/model/validation.h"

namespace tocsin {
namespace {

constexpr std::array<std::string_view, 4> kKinds = {"raid", "detention", "removal", "other"};

bool LooksLikeRfc3339(const std::string& s) {
  // YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or an offset; PostgreSQL checks the values.
  if (s.size() < 20 || s.size() > 35) return false;
  auto digits = [&](std::size_t at, std::size_t n) {
    return std::all_of(s.begin() + at, s.begin() + at + n, [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2) || s[13] != ':' || !digits(14, 2) ||
      s[16] != ':' || !digits(17, 2)) {
    return false;
  }
  std::size_t i = 19;
  if (s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == s.size();
  return i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && digits(i + 1, 2) && s[i + 3] == ':' &&
         digits(i + 4, 2);
}

}  // namespace

int ValiditySeconds(const std::string& kind) {
  if (kind == "raid") return 900;
  if (kind == "removal") return 4 * 3600;
  return 3600;
}

std::string NewAlertCode() {
  std::string code;
  for (int i = 0; i < static_cast<int>(kAlertCodeLength); ++i) code += kAlertCodeAlphabet[randombytes_uniform(kAlertCodeAlphabet.size())];
  return code;
}

Status ValidateAlertInput(const AlertInput& in) {
  if (std::find(kKinds.begin(), kKinds.end(), in.kind) == kKinds.end()) {
    return Error::Invalid("kind", "must be raid, detention, removal or other");
  }
  if (in.areas.empty()) return Error::Invalid("areas", "name at least one area");
  if (auto s = CheckText(in.location, "location", 200); !s.ok()) return s;
  if (!in.details.empty()) {
    if (auto s = CheckText(in.details, "details", 500); !s.ok()) return s;
  }
  if (in.kind == "removal" && !in.deadline) {
    return Error::Invalid("deadline", "a removal alert needs the deadline (the flight time)");
  }
  if (in.deadline && !LooksLikeRfc3339(*in.deadline)) {
    return Error::Invalid("deadline", "must be an RFC 3339 time such as 2026-11-23T06:40:00Z");
  }
  return Ok{};
}

}  // namespace tocsin
