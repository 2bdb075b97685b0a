#include "dispatch/model/policy.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "dispatch/model/validation.h"

#include "dispatch/util/json_fields.h"

namespace tocsin {
namespace json = boost::json;

namespace {

constexpr std::int64_t kSecondMs = 1000;
constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
constexpr std::int64_t kHourMs = 60 * kMinuteMs;
constexpr std::size_t kMaxDurationText = 32;

constexpr std::string_view kDurationHelp = "must be a duration such as '90s', '3m' or '1h30m'";
constexpr std::string_view kDurationTooLong = "must be at most 48h";
constexpr std::string_view kGoingHelp = "must be a whole number >= 1";
constexpr std::string_view kRoleHelp =
    "must be a role: responder, verifier, reporter, caller or coordinator";
constexpr std::string_view kTreeHelp =
    "tree names are 1-64 letters, digits, spaces, '-', '_' or '.'";

Result<std::int64_t> DurationValue(const json::value& v, const std::string& field) {
  if (!v.is_string()) return Error::Invalid(field, std::string(kDurationHelp));
  return ParseDuration(v.get_string(), field);
}

template <typename T>
void SortUnique(std::vector<T>& items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
}

// {"after": "2m"} under `name` ("reminder", "backup").
Result<std::int64_t> ParseAfter(const json::value& v, std::string_view name) {
  if (!v.is_object()) {
    return Error::Invalid(std::string(name), "must be an object such as {\"after\": \"2m\"}");
  }
  std::optional<std::int64_t> after;
  for (const auto& kv : v.get_object()) {
    if (kv.key() != "after") return UnknownField(name, kv.key());
    auto ms = DurationValue(kv.value(), FieldKey(name, "after"));
    if (!ms.ok()) return ms.error();
    after = ms.value();
  }
  if (!after) return Error::Invalid(FieldKey(name, "after"), "required");
  return *after;
}

Result<std::vector<std::string>> ParseRoles(const json::value& v, const std::string& field) {
  if (!v.is_array())
    return Error::Invalid(field, "must be a list of roles such as [\"responder\"]");
  const auto& items = v.get_array();
  if (items.empty()) return Error::Invalid(field, "must list at least one role");
  std::vector<std::string> roles;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto item_field = FieldIndex(field, i);
    if (!items[i].is_string()) return Error::Invalid(item_field, std::string(kRoleHelp));
    std::string_view role = items[i].get_string();
    if (auto ok = CheckMemberRole(role, item_field); !ok.ok()) return ok.error();
    roles.emplace_back(role);
  }
  SortUnique(roles);
  return roles;
}

// A list of 1..kMaxListItems names of `noun`s, each a string (else `item_help`) passing `check`,
// into `out` sorted and unique.
Status ParseNames(const json::array& items, const std::string& field, std::string_view noun,
                  std::string_view item_help, Status (*check)(std::string_view, std::string_view),
                  std::vector<std::string>& out) {
  const std::string n(noun);
  if (items.empty()) return Error::Invalid(field, "must list at least one " + n);
  if (items.size() > kMaxListItems) {
    return Error::Invalid(field, "at most " + std::to_string(kMaxListItems) + " " + n + "s");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto item_field = FieldIndex(field, i);
    if (!items[i].is_string()) return Error::Invalid(item_field, std::string(item_help));
    std::string_view name = items[i].get_string();
    if (auto ok = check(name, item_field); !ok.ok()) return ok.error();
    out.emplace_back(name);
  }
  SortUnique(out);
  return Ok{};
}

// `areas`: "alert", "neighbours" or a list of area names.
Status ParseAreas(const json::value& v, const std::string& field, PolicyAudience& audience) {
  constexpr std::string_view kHelp = "must be 'alert', 'neighbours' or a list of area names";
  if (v.is_string()) {
    if (v.get_string() == "alert") {
      audience.scope = AreaScope::kAlert;
    } else if (v.get_string() == "neighbours") {
      audience.scope = AreaScope::kNeighbours;
    } else {
      return Error::Invalid(field, std::string(kHelp));
    }
    return Ok{};
  }
  if (!v.is_array()) return Error::Invalid(field, std::string(kHelp));
  audience.scope = AreaScope::kNamed;
  return ParseNames(v.get_array(), field, "area", "must be an area name", &CheckAreaName, audience.areas);
}

Status ParseTree(const json::value& v, const std::string& field, PolicyAudience& audience) {
  // Tree names share the area-name charset; only the message differs.
  if (!v.is_string() || !CheckAreaName(v.get_string(), field).ok()) {
    return Error::Invalid(field, std::string(kTreeHelp));
  }
  audience.scope = AreaScope::kTree;
  audience.tree = std::string(v.get_string());
  return Ok{};
}

Status ParseMembers(const json::value& v, const std::string& field, PolicyAudience& audience) {
  if (!v.is_array()) return Error::Invalid(field, "must be a list of member ids");
  const auto& items = v.get_array();
  if (items.empty()) return Error::Invalid(field, "must list at least one member id");
  if (items.size() > kMaxStepMembers) {
    return Error::Invalid(field, "at most " + std::to_string(kMaxStepMembers) + " members");
  }
  audience.scope = AreaScope::kMembers;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto id = JsonInt64(items[i]);
    if (!id || *id < 1) {
      return Error::Invalid(FieldIndex(field, i), "must be a member id (a whole number >= 1)");
    }
    audience.members.push_back(*id);
  }
  SortUnique(audience.members);
  return Ok{};
}

// `organisations`: "all" or a list of organisation slugs.
Status ParseOrganisations(const json::value& v, const std::string& field, PolicyAudience& audience) {
  constexpr std::string_view kHelp = "must be 'all' or a list of organisation slugs";
  if (v.is_string()) {
    if (v.get_string() != "all") return Error::Invalid(field, std::string(kHelp));
    audience.organisation_scope = OrganisationScope::kAll;
    return Ok{};
  }
  if (!v.is_array()) return Error::Invalid(field, std::string(kHelp));
  audience.organisation_scope = OrganisationScope::kNamed;
  return ParseNames(v.get_array(), field, "organisation", "must be an organisation slug", &CheckSlug,
                    audience.organisations);
}

Result<PolicyAudience> ParseAudience(const json::value& v, const std::string& path) {
  if (!v.is_object()) {
    return Error::Invalid(
        path, "must be an object such as {\"roles\": [\"responder\"], \"areas\": \"alert\"}");
  }
  PolicyAudience audience;
  audience.scope = AreaScope::kNetwork;  // until a selector says otherwise
  bool roles_given = false;
  std::string_view selector;  // the one of areas/tree/members given, if any
  for (const auto& kv : v.get_object()) {
    std::string_view key = kv.key();
    auto field = FieldKey(path, key);
    if (key == "roles") {
      auto roles = ParseRoles(kv.value(), field);
      if (!roles.ok()) return roles.error();
      audience.roles = std::move(roles).value();
      roles_given = true;
      continue;
    }
    if (key == "organisations") {
      if (auto ok = ParseOrganisations(kv.value(), field, audience); !ok.ok()) return ok.error();
      continue;
    }
    if (key != "areas" && key != "tree" && key != "members") return UnknownField(path, key);
    if (!selector.empty()) {
      return Error::Invalid(field, "give only one of 'areas', 'tree' or 'members' ('" +
                                       std::string(selector) + "' is already given)");
    }
    selector = key;
    Status parsed = key == "areas"  ? ParseAreas(kv.value(), field, audience)
                    : key == "tree" ? ParseTree(kv.value(), field, audience)
                                    : ParseMembers(kv.value(), field, audience);
    if (!parsed.ok()) return parsed.error();
  }
  if (audience.scope == AreaScope::kTree || audience.scope == AreaScope::kMembers) {
    if (roles_given) {
      return Error::Invalid(FieldKey(path, "roles"), "not allowed with '" + std::string(selector) +
                                                    "', which names its recipients itself");
    }
    audience.roles.clear();
  }
  if (audience.ReachesOrganisations() && !roles_given && selector.empty()) {
    audience.scope = AreaScope::kNoMembers;  // organisations only
    audience.roles.clear();
  }
  return audience;
}

// `until`: {"going": N} and/or {"confirmed": true}.
Status ParseUntil(const json::value& v, const std::string& path, PolicyStep& step) {
  constexpr std::string_view kHelp =
      "must be a goal such as {\"going\": 5} or, for a tree, {\"confirmed\": true}";
  if (!v.is_object() || v.get_object().empty()) return Error::Invalid(path, std::string(kHelp));
  for (const auto& kv : v.get_object()) {
    auto field = FieldKey(path, kv.key());
    if (kv.key() == "going") {
      auto n = JsonInt64(kv.value());
      if (!n || *n < 1) return Error::Invalid(field, std::string(kGoingHelp));
      if (*n > kMaxGoingGoal) {
        return Error::Invalid(field, "must be at most " + std::to_string(kMaxGoingGoal));
      }
      step.until_going = static_cast<int>(*n);
    } else if (kv.key() == "confirmed") {
      // Only `true` is a goal; `false` would be a goal that is never met, which is no `until`.
      if (!kv.value().is_bool() || !kv.value().get_bool()) {
        return Error::Invalid(field, "must be true (every branch of the tree confirmed)");
      }
      step.until_confirmed = true;
    } else {
      return UnknownField(path, kv.key());
    }
  }
  return Ok{};
}

Result<PolicyStep> ParseStep(const json::value& v, const std::string& path) {
  if (!v.is_object()) {
    return Error::Invalid(path, "must be an object with 'audience', 'channel', 'wait' and 'until'");
  }
  PolicyStep step;
  bool audience_given = false;
  for (const auto& kv : v.get_object()) {
    std::string_view key = kv.key();
    auto field = FieldKey(path, key);
    if (key == "audience") {
      auto audience = ParseAudience(kv.value(), field);
      if (!audience.ok()) return audience.error();
      step.audience = std::move(audience).value();
      audience_given = true;
    } else if (key == "channel") {
      if (!kv.value().is_string()) return Error::Invalid(field, "must be 'sms' or 'voice'");
      std::string_view channel = kv.value().get_string();
      if (channel != "sms" && channel != "voice") {
        return Error::Invalid(
            field, "unknown channel '" + std::string(channel.substr(0, 40)) + "' (one of: sms, voice)");
      }
      step.channel = std::string(channel);
    } else if (key == "wait") {
      auto ms = DurationValue(kv.value(), field);
      if (!ms.ok()) return ms.error();
      step.wait_ms = ms.value();
    } else if (key == "call_after") {
      auto ms = DurationValue(kv.value(), field);
      if (!ms.ok()) return ms.error();
      step.call_after_ms = ms.value();
    } else if (key == "until") {
      if (auto ok = ParseUntil(kv.value(), field, step); !ok.ok()) return ok.error();
    } else {
      return UnknownField(path, key);
    }
  }
  if (!audience_given) return Error::Invalid(FieldKey(path, "audience"), "required");
  if (step.until_confirmed && step.audience.scope != AreaScope::kTree) {
    return Error::Invalid(FieldKey(FieldKey(path, "until"), "confirmed"),
                          "only for a step whose audience is a 'tree'");
  }
  if (step.call_after_ms && (step.channel != "sms" || step.audience.scope == AreaScope::kTree)) {
    return Error::Invalid(FieldKey(path, "call_after"),
                          "only on an 'sms' step whose audience is not a tree (its recipients are called after)");
  }
  return step;
}

PolicyStep DefaultStep(AreaScope scope, std::string role, std::optional<std::int64_t> wait_ms,
                       std::optional<int> until_going) {
  PolicyStep step;
  step.audience.roles = {std::move(role)};
  step.audience.scope = scope;
  step.wait_ms = wait_ms;
  step.until_going = until_going;
  return step;
}

json::object AudienceToJson(const PolicyAudience& a) {
  json::object out;
  auto uses_roles = a.scope != AreaScope::kTree && a.scope != AreaScope::kMembers && a.scope != AreaScope::kNoMembers;
  if (uses_roles) out["roles"] = json::value_from(a.roles);
  switch (a.scope) {
    case AreaScope::kAlert:
      out["areas"] = "alert";
      break;
    case AreaScope::kNeighbours:
      out["areas"] = "neighbours";
      break;
    case AreaScope::kNamed:
      out["areas"] = json::value_from(a.areas);
      break;
    case AreaScope::kTree:
      out["tree"] = a.tree.value_or("");
      break;
    case AreaScope::kMembers:
      out["members"] = json::value_from(a.members);
      break;
    case AreaScope::kNetwork:
    case AreaScope::kNoMembers:
      break;
  }
  switch (a.organisation_scope) {
    case OrganisationScope::kNone:
      break;
    case OrganisationScope::kAll:
      out["organisations"] = "all";
      break;
    case OrganisationScope::kNamed:
      out["organisations"] = json::value_from(a.organisations);
      break;
  }
  return out;
}

}  // namespace

Result<std::int64_t> ParseDuration(std::string_view text, std::string_view field, std::int64_t max_ms) {
  auto invalid = [&](std::string_view message) {
    return Error::Invalid(std::string(field), std::string(message));
  };
  if (text.empty() || text.size() > kMaxDurationText) return invalid(kDurationHelp);
  const std::int64_t max_group = max_ms / kSecondMs;  // any larger group is too long
  std::int64_t total = 0;
  int previous_rank = 3;  // h = 2, m = 1, s = 0: each unit once, largest first
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') return invalid(kDurationHelp);
    std::int64_t n = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      n = n * 10 + (text[i] - '0');
      if (n > max_group) return invalid(max_ms == kMaxDurationMs ? kDurationTooLong : "is too long");
    }
    if (i == text.size()) return invalid(kDurationHelp);  // "3": no unit
    int rank = 0;
    std::int64_t unit = 0;
    switch (text[i++]) {
      case 'h':
        rank = 2, unit = kHourMs;
        break;
      case 'm':
        rank = 1, unit = kMinuteMs;
        break;
      case 's':
        rank = 0, unit = kSecondMs;
        break;
      default:
        return invalid(kDurationHelp);
    }
    if (rank >= previous_rank) return invalid(kDurationHelp);
    previous_rank = rank;
    total += n * unit;
  }
  if (total == 0) return invalid("must be more than zero");
  if (total > max_ms) return invalid(max_ms == kMaxDurationMs ? kDurationTooLong : "is too long");
  return total;
}

std::string FormatDuration(std::int64_t ms) {
  if (ms <= 0) return "0s";
  if (ms % kSecondMs != 0) return std::to_string(ms) + "ms";
  if (ms % kHourMs == 0) return std::to_string(ms / kHourMs) + "h";
  if (ms % kMinuteMs == 0) return std::to_string(ms / kMinuteMs) + "m";
  return std::to_string(ms / kSecondMs) + "s";
}

Result<Policy> ParsePolicy(const json::value& v) {
  if (!v.is_object()) return Error::Invalid("", "a policy must be a JSON object with 'steps'");
  Policy policy;
  bool steps_given = false;
  for (const auto& kv : v.get_object()) {
    std::string_view key = kv.key();
    if (key == "steps") {
      if (!kv.value().is_array()) return Error::Invalid("steps", "must be a list of steps");
      const auto& items = kv.value().get_array();
      if (items.empty()) return Error::Invalid("steps", "must list at least one step");
      if (items.size() > kMaxPolicySteps) {
        return Error::Invalid("steps", "at most " + std::to_string(kMaxPolicySteps) + " steps");
      }
      for (std::size_t i = 0; i < items.size(); ++i) {
        auto step = ParseStep(items[i], FieldIndex("steps", i));
        if (!step.ok()) return step.error();
        policy.steps.push_back(std::move(step).value());
      }
      steps_given = true;
    } else if (key == "reminder" || key == "backup") {
      auto after = ParseAfter(kv.value(), key);
      if (!after.ok()) return after.error();
      (key == "reminder" ? policy.reminder_after_ms : policy.backup_after_ms) = after.value();
    } else if (key == "stand_down") {
      if (!kv.value().is_bool()) return Error::Invalid("stand_down", "must be true or false");
      policy.stand_down = kv.value().get_bool();
    } else if (key == "verification") {
      auto verification = ParseVerification(kv.value());
      if (!verification.ok()) return verification.error();
      policy.verification = verification.value();
    } else if (key == "schedule") {
      auto schedule = ParseCaseSchedule(kv.value());
      if (!schedule.ok()) return schedule.error();
      policy.schedule = std::move(schedule).value();
    } else {
      return UnknownField("", key);
    }
  }
  if (!steps_given) return Error::Invalid("steps", "required");
  for (std::size_t i = 0; i + 1 < policy.steps.size(); ++i) {
    if (!policy.steps[i].wait_ms) {
      return Error::Invalid(FieldKey(FieldIndex("steps", i), "wait"),
                            "required on every step but the last: how long before the next "
                            "step starts");
    }
  }
  if (policy.reminder_after_ms && policy.backup_after_ms &&
      *policy.backup_after_ms <= *policy.reminder_after_ms) {
    return Error::Invalid("backup.after", "must be later than reminder.after (" +
                                              FormatDuration(*policy.reminder_after_ms) + ")");
  }
  return policy;
}

Result<Policy> ParsePolicyText(std::string_view text) {
  auto v = ParseJsonText(text, kMaxPolicyBytes, "the policy");
  if (!v.ok()) return v.error();
  return ParsePolicy(v.value());
}

json::value PolicyToJson(const Policy& p) {
  json::array steps;
  for (const auto& step : p.steps) {
    json::object s;
    s["audience"] = AudienceToJson(step.audience);
    s["channel"] = step.channel;
    if (step.wait_ms) s["wait"] = FormatDuration(*step.wait_ms);
    if (step.call_after_ms) s["call_after"] = FormatDuration(*step.call_after_ms);
    if (step.HasGoal()) {
      json::object until;
      if (step.until_going) until["going"] = *step.until_going;
      if (step.until_confirmed) until["confirmed"] = true;
      s["until"] = std::move(until);
    }
    steps.push_back(std::move(s));
  }
  json::object out;
  out["steps"] = std::move(steps);
  if (p.reminder_after_ms) out["reminder"] = {{"after", FormatDuration(*p.reminder_after_ms)}};
  if (p.backup_after_ms) out["backup"] = {{"after", FormatDuration(*p.backup_after_ms)}};
  out["stand_down"] = p.stand_down;
  if (p.verification) out["verification"] = VerificationToJson(*p.verification);
  if (p.schedule) out["schedule"] = CaseScheduleToJson(*p.schedule);
  return out;
}

Status ValidatePolicy(const Policy& p) {
  auto parsed = ParsePolicy(PolicyToJson(p));
  if (!parsed.ok()) return parsed.error();
  return Ok{};
}

Policy DefaultPolicy(std::string_view kind) {
  Policy p;
  if (kind == "raid") {
    // Minutes matter and a crowd at the scene is a risk: widen fast, stand the rest down.
    p.steps = {DefaultStep(AreaScope::kAlert, "responder", 3 * kMinuteMs, 5),
               DefaultStep(AreaScope::kNeighbours, "responder", 5 * kMinuteMs, 5),
               DefaultStep(AreaScope::kNetwork, "coordinator", std::nullopt, std::nullopt)};
    p.reminder_after_ms = 2 * kMinuteMs;
    p.stand_down = true;
  } else if (kind == "detention") {
    // A few people for legal and bail support; coordinators step in if they are not found. The
    // legal and bail organisations hear of it at once.
    p.steps = {DefaultStep(AreaScope::kAlert, "responder", 10 * kMinuteMs, 3),
               DefaultStep(AreaScope::kNetwork, "coordinator", std::nullopt, std::nullopt)};
    p.steps[0].audience.organisation_scope = OrganisationScope::kAll;
    p.reminder_after_ms = 5 * kMinuteMs;
  } else if (kind == "removal") {
    // Hours to the flight and a campaign welcomes every extra hand: slow widening, no stand-down.
    p.steps = {DefaultStep(AreaScope::kAlert, "responder", 30 * kMinuteMs, 10),
               DefaultStep(AreaScope::kNeighbours, "responder", 30 * kMinuteMs, 10),
               DefaultStep(AreaScope::kNetwork, "coordinator", std::nullopt, std::nullopt)};
    p.steps[0].audience.organisation_scope = OrganisationScope::kAll;
    p.reminder_after_ms = 15 * kMinuteMs;
    p.schedule = DefaultCaseSchedule();
  } else {
    // "other": no natural head count, so coordinators always hear of it after 10 minutes.
    p.steps = {DefaultStep(AreaScope::kAlert, "responder", 10 * kMinuteMs, std::nullopt),
               DefaultStep(AreaScope::kNetwork, "coordinator", std::nullopt, std::nullopt)};
  }
  return p;
}

std::vector<ScheduleEntry> EffectiveSchedule(const Policy& p) {
  return p.schedule ? *p.schedule : DefaultCaseSchedule();
}

std::optional<std::int64_t> EffectiveBackupAfterMs(const Policy& p) {
  if (p.backup_after_ms) return p.backup_after_ms;
  if (p.reminder_after_ms) return 2 * *p.reminder_after_ms;
  return std::nullopt;
}

namespace {

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

std::string NobodyReached(const PolicyAudience& a, const std::vector<std::string>& alert_areas) {
  const std::string who = "no active member with the sms or voice channel holding a role of " + Joined(a.roles);
  switch (a.scope) {
    case AreaScope::kAlert: return "nobody was reached: " + who + " is in " + Joined(alert_areas);
    case AreaScope::kNeighbours: return "nobody was reached in the areas neighbouring " + Joined(alert_areas);
    case AreaScope::kNamed: return "nobody was reached: " + who + " is in " + Joined(a.areas);
    case AreaScope::kNetwork: return "nobody was reached: the network has " + who;
    case AreaScope::kTree: return "nobody was reached: phone tree '" + a.tree.value_or("") + "' is missing or has no reachable root";
    case AreaScope::kMembers: return "nobody was reached: none of the policy's named members is active with the sms or voice channel";
    case AreaScope::kNoMembers:
      return a.organisation_scope == OrganisationScope::kNamed
                 ? "nobody was reached: none of the organisations " + Joined(a.organisations) +
                       " has an active webhook for alert.raised"
                 : "nobody was reached: no organisation matching the alert has an active webhook for alert.raised";
  }
  return "nobody was reached";
}


}  // namespace tocsin
