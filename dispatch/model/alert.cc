#include "dispatch/model/alert.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <boost/json.hpp>
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

namespace {

boost::json::value Opt(const std::optional<std::string>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::array Strings(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const auto& i : items) out.emplace_back(i);
  return out;
}

}  // namespace

boost::json::object AlertJson(const Alert& a) {
  boost::json::object counts;
  for (const auto& [state, n] : a.counts) counts[state] = n;
  return {{"id", a.id},
          {"code", a.code},
          {"kind", a.kind},
          {"status", a.status},
          {"areas", Strings(a.areas)},
          {"audience", {{"roles", Strings(a.roles)}, {"include_neighbours", a.include_neighbours}}},
          {"location", a.location},
          {"details", a.details},
          {"deadline", Opt(a.deadline)},
          {"recipients", a.recipients},
          {"counts", std::move(counts)},
          {"warnings", Strings(a.warnings)},
          {"created_at", a.created_at},
          {"ended_at", Opt(a.ended_at)},
          {"purged_at", Opt(a.purged_at)}};
}

std::string RaisedAlertJson(const Alert& a) {
  boost::json::object created{{"id", a.id}, {"code", a.code}, {"status", a.status}, {"recipients", a.recipients}};
  if (!a.warnings.empty()) created["warnings"] = Strings(a.warnings);
  return boost::json::serialize(created);
}

std::string NewAlertCode() {
  std::string code;
  for (int i = 0; i < static_cast<int>(kAlertCodeLength); ++i) code += kAlertCodeAlphabet[randombytes_uniform(kAlertCodeAlphabet.size())];
  return code;
}

Status CheckAlertKind(std::string_view kind, std::string_view field) {
  if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end()) {
    return Error::Invalid(std::string(field), "must be raid, detention, removal or other");
  }
  return Ok{};
}

Status ValidateAlertInput(const AlertInput& in) {
  if (auto s = CheckAlertKind(in.kind, "kind"); !s.ok()) return s;
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
