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
  if (in.deadline) {
    if (auto s = CheckTime(*in.deadline, "deadline"); !s.ok()) return s;
  }
  return Ok{};
}

}  // namespace tocsin
