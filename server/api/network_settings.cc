#include "server/api/network_settings.h"

#include "dispatch/model/alert.h"
#include "dispatch/model/policy.h"
#include "server/api/api_error.h"

namespace tocsin {

namespace json = boost::json;

ApprovalRule ParseApproval(const json::value& v, const ApprovalRule& current) {
  if (v.is_null()) return ApprovalRule{};
  if (!v.is_object()) throw ApiError(Error::Invalid("approval", "must be an object or null"));
  ApprovalRule rule = current;
  for (const auto& kv : v.as_object()) {
    const std::string key(kv.key());
    const auto& value = kv.value();
    if (key == "min_recipients") {
      if (value.is_null()) {
        rule.min_recipients.reset();
      } else if (value.is_int64() || (value.is_uint64() && value.as_uint64() <= kMaxApprovalRecipients)) {
        rule.min_recipients = value.to_number<std::int64_t>();
      } else {
        throw ApiError(Error::Invalid("approval.min_recipients", "must be a whole number from 1 to 10000000, or null"));
      }
    } else if (key == "all_areas") {
      if (!value.is_bool()) throw ApiError(Error::Invalid("approval.all_areas", "must be true or false"));
      rule.all_areas = value.as_bool();
    } else {
      throw ApiError(Error::Invalid("approval." + key, "unknown field"));
    }
  }
  if (auto s = CheckApprovalRule(rule); !s.ok()) throw ApiError(s.error());
  return rule;
}

json::value ApprovalJson(const ApprovalRule& rule) {
  if (!rule.Enabled()) return nullptr;
  json::object o;
  o["min_recipients"] = rule.min_recipients ? json::value(*rule.min_recipients) : json::value(nullptr);
  o["all_areas"] = rule.all_areas;
  return o;
}

namespace {

Disclosure Mode(const json::value& v, const std::string& field) {
  if (!v.is_string()) throw ApiError(Error::Invalid(field, "must be \"full\" or \"tiered\""));
  return ValueOrThrow(ParseDisclosure(std::string(v.as_string()), field));
}

}  // namespace

DisclosureRule ParseDisclosureSetting(const json::value& v, const DisclosureRule& current) {
  if (v.is_null()) return DisclosureRule{};
  if (v.is_string()) return DisclosureRule{Mode(v, "disclosure"), {}};
  if (!v.is_object()) throw ApiError(Error::Invalid("disclosure", "must be an object, \"full\", \"tiered\" or null"));
  DisclosureRule rule = current;
  for (const auto& kv : v.as_object()) {
    const std::string key(kv.key());
    if (key == "default") {
      rule.default_mode = Mode(kv.value(), "disclosure.default");
    } else if (key == "kinds") {
      if (!kv.value().is_object()) throw ApiError(Error::Invalid("disclosure.kinds", "must be an object"));
      rule.kinds.clear();
      for (const auto& kind : kv.value().as_object()) {
        const std::string field = "disclosure.kinds." + std::string(kind.key());
        if (auto s = CheckAlertKind(kind.key(), field); !s.ok()) throw ApiError(s.error());
        rule.kinds[std::string(kind.key())] = Mode(kind.value(), field);
      }
    } else {
      throw ApiError(Error::Invalid("disclosure." + key, "unknown field"));
    }
  }
  return rule;
}

json::object DisclosureJson(const DisclosureRule& rule) {
  json::object kinds;
  for (const auto& [kind, mode] : rule.kinds) kinds[kind] = DisclosureName(mode);
  return {{"default", DisclosureName(rule.default_mode)}, {"kinds", std::move(kinds)}};
}

ReportSettings ParseReportSettings(const json::value& v, const ReportSettings& current) {
  if (v.is_null()) return ReportSettings{};
  if (!v.is_object()) throw ApiError(Error::Invalid("reports", "must be an object or null"));
  ReportSettings s = current;
  for (const auto& kv : v.as_object()) {
    const std::string key(kv.key());
    const std::string field = "reports." + key;
    const auto& value = kv.value();
    if (key == "from") {
      if (!value.is_string()) throw ApiError(Error::Invalid(field, "must be \"reporters\", \"members\" or \"anyone\""));
      s.from = ValueOrThrow(ParseReportsFrom(value.as_string(), field));
    } else if (key == "public_check") {
      if (!value.is_bool()) throw ApiError(Error::Invalid(field, "must be true or false"));
      s.public_check = value.as_bool();
    } else if (key == "max_per_hour_per_number") {
      if (!value.is_int64() || value.as_int64() < 1 || value.as_int64() > kMaxReportsPerHour) {
        throw ApiError(Error::Invalid(field, "must be a whole number from 1 to " + std::to_string(kMaxReportsPerHour)));
      }
      s.max_per_hour_per_number = static_cast<int>(value.as_int64());
    } else if (key == "merge_window") {
      if (!value.is_string()) throw ApiError(Error::Invalid(field, "must be a duration such as \"30m\""));
      s.merge_window_ms = ValueOrThrow(ParseDuration(value.as_string(), field));
    } else {
      throw ApiError(Error::Invalid(field, "unknown field"));
    }
  }
  if (auto st = CheckReportSettings(s); !st.ok()) throw ApiError(st.error());
  return s;
}

json::object ReportSettingsJson(const ReportSettings& s) {
  return {{"from", ReportsFromName(s.from)},
          {"public_check", s.public_check},
          {"max_per_hour_per_number", s.max_per_hour_per_number},
          {"merge_window", FormatDuration(s.merge_window_ms)}};
}

}  // namespace tocsin
