#include "dispatch/model/case_schedule.h"

#include <algorithm>

#include <boost/json.hpp>

#include "dispatch/model/case.h"
#include "dispatch/model/policy.h"
#include "dispatch/model/validation.h"

namespace tocsin {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxAsk = 300;
constexpr std::size_t kMaxAction = 30;

std::string At(std::string_view field, std::size_t i) { return std::string(field) + "[" + std::to_string(i) + "]"; }

// A non-empty list of strings each passing `check`; sorted, unique.
Result<std::vector<std::string>> RoleList(const json::value& v, const std::string& field,
                                          Status (*check)(std::string_view, std::string_view)) {
  if (!v.is_array() || v.get_array().empty()) return Error::Invalid(field, "must be a non-empty list");
  std::vector<std::string> out;
  for (const auto& item : v.get_array()) {
    if (!item.is_string()) return Error::Invalid(field, "must be a list of strings");
    out.emplace_back(item.get_string());
  }
  return CanonicalList(std::move(out), field, check);
}

Result<ScheduleEntry> ParseEntry(const json::value& v, const std::string& at) {
  if (!v.is_object()) return Error::Invalid(at, "must be an object such as {\"before\": \"24h\", ...}");
  ScheduleEntry e;
  int whens = 0;
  bool has_audience = false, has_ask = false;
  for (const auto& kv : v.get_object()) {
    const std::string field = at + "." + std::string(kv.key());
    if (kv.key() == "before" || kv.key() == "after") {
      if (!kv.value().is_string()) return Error::Invalid(field, "must be a duration such as \"24h\"");
      auto ms = ParseDuration(kv.value().get_string(), field, kMaxScheduleOffsetMs);
      if (!ms.ok()) return ms.error();
      e.offset_ms = kv.key() == "before" ? -ms.value() : ms.value();
      ++whens;
    } else if (kv.key() == "at") {
      if (!kv.value().is_string() || kv.value().get_string() != "recorded") {
        return Error::Invalid(field, "must be \"recorded\" (when the directions are recorded)");
      }
      e.at_recorded = true;
      ++whens;
    } else if (kv.key() == "audience") {
      if (!kv.value().is_object() || kv.value().get_object().size() != 1) {
        return Error::Invalid(field, "must be {\"contacts\": [...]} or {\"roles\": [...]}");
      }
      const auto& only = *kv.value().get_object().begin();
      const std::string_view key = only.key();
      const json::value& list = only.value();
      if (key == "contacts") {
        auto roles = RoleList(list, field + ".contacts", &CheckCaseRole);
        if (!roles.ok()) return roles.error();
        e.contacts = std::move(roles.value());
      } else if (key == "roles") {
        auto roles = RoleList(list, field + ".roles", &CheckMemberRole);
        if (!roles.ok()) return roles.error();
        e.member_roles = std::move(roles.value());
      } else {
        return Error::Invalid(field + "." + std::string(key), "must be contacts or roles");
      }
      has_audience = true;
    } else if (kv.key() == "action") {
      if (!kv.value().is_string()) return Error::Invalid(field, "must be a string such as \"letters\"");
      e.action = std::string(kv.value().get_string());
      const bool word = std::all_of(e.action.begin(), e.action.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      });
      if (e.action.empty() || e.action.size() > kMaxAction || !word) {
        return Error::Invalid(field, "must be 1 to 30 of a-z, 0-9 and _, such as \"letters\"");
      }
    } else if (kv.key() == "ask") {
      if (!kv.value().is_string()) return Error::Invalid(field, "must be a string");
      e.ask = std::string(kv.value().get_string());
      if (auto s = CheckText(e.ask, field, kMaxAsk); !s.ok()) return s.error();
      has_ask = true;
    } else {
      return Error::Invalid(field, "is not a field of a schedule entry");
    }
  }
  if (whens != 1) return Error::Invalid(at + ".before", "give exactly one of before, after or at");
  if (!has_audience) return Error::Invalid(at + ".audience", "is required");
  if (!has_ask) return Error::Invalid(at + ".ask", "is required");
  return e;
}

ScheduleEntry Entry(std::int64_t offset_ms, bool at_recorded, std::vector<std::string> contacts,
                    std::vector<std::string> member_roles, std::string ask, std::string action = "") {
  return {offset_ms, at_recorded, std::move(contacts), std::move(member_roles), std::move(ask), std::move(action)};
}

}  // namespace

Result<std::vector<ScheduleEntry>> ParseCaseSchedule(const json::value& v, std::string_view field) {
  if (!v.is_array()) return Error::Invalid(std::string(field), "must be a list of entries");
  const auto& items = v.get_array();
  if (items.size() > kMaxScheduleEntries) {
    return Error::Invalid(std::string(field), "has more than " + std::to_string(kMaxScheduleEntries) + " entries");
  }
  std::vector<ScheduleEntry> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto e = ParseEntry(items[i], At(field, i));
    if (!e.ok()) return e.error();
    out.push_back(std::move(e.value()));
  }
  return out;
}

json::array CaseScheduleToJson(const std::vector<ScheduleEntry>& entries) {
  json::array out;
  for (const auto& e : entries) {
    json::object o;
    if (e.at_recorded) {
      o["at"] = "recorded";
    } else if (e.offset_ms < 0) {
      o["before"] = FormatDuration(-e.offset_ms);
    } else {
      o["after"] = FormatDuration(e.offset_ms);
    }
    json::array roles;
    for (const auto& r : e.member_roles.empty() ? e.contacts : e.member_roles) roles.emplace_back(r);
    o["audience"] = json::object{{e.member_roles.empty() ? "contacts" : "roles", std::move(roles)}};
    o["ask"] = e.ask;
    if (!e.action.empty()) o["action"] = e.action;
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<ScheduleEntry> DefaultCaseSchedule() {
  constexpr std::int64_t kHour = 3600LL * 1000;
  const std::vector<std::string> all = {"bail", "campaign", "family", "legal", "mp"};
  return {Entry(0, true, all, {}, "Removal directions have been set. Please act now."),
          Entry(-72 * kHour, false, {"campaign"}, {}, "Three days to the flight: write to the Home Office today.",
                "letters"),
          Entry(-24 * kHour, false, {"campaign", "legal", "mp"}, {},
                "One day to the flight: call the airline and the Home Office.", "calls"),
          Entry(-6 * kHour, false, {"campaign"}, {}, "Six hours to the flight: call the airline now.", "calls"),
          Entry(kHour, false, {}, {"coordinator"}, "Did the flight leave? Record the outcome on the case.")};
}

std::int64_t EntryDueMs(const ScheduleEntry& e, std::int64_t deadline_ms, std::int64_t recorded_ms) {
  return e.at_recorded ? recorded_ms : deadline_ms + e.offset_ms;
}

std::vector<std::size_t> DueEntries(const std::vector<ScheduleEntry>& entries, std::int64_t deadline_ms,
                                    std::int64_t recorded_ms, const std::set<std::size_t>& fired,
                                    std::int64_t now_ms) {
  std::vector<std::size_t> due;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!fired.count(i) && EntryDueMs(entries[i], deadline_ms, recorded_ms) <= now_ms) due.push_back(i);
  }
  std::stable_sort(due.begin(), due.end(), [&](std::size_t a, std::size_t b) {
    return EntryDueMs(entries[a], deadline_ms, recorded_ms) < EntryDueMs(entries[b], deadline_ms, recorded_ms);
  });
  return due;
}

}  // namespace tocsin
