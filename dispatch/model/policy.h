// Escalation policy: the model of "who to contact next, over which channel, and when to stop",
// parsed and validated from JSON, written back to JSON, and the default policy of each alert kind.
// This file only describes a policy; the escalation engine runs it.
//
// The JSON form (every key but "steps" is optional):
//
//   {"steps": [
//      {"audience": {"roles": ["responder"], "areas": "alert"},
//       "channel": "sms", "wait": "3m", "until": {"going": 5}},
//      {"audience": {"roles": ["responder"], "areas": "neighbours"},
//       "channel": "sms", "wait": "5m", "until": {"going": 5}},
//      {"audience": {"roles": ["coordinator"]}, "channel": "sms"}],
//    "reminder": {"after": "2m"},
//    "backup": {"after": "4m"},
//    "stand_down": true}
//
// What it means:
//  1. Steps run in order. Step 0 starts when the alert is dispatched; step k+1 starts `wait` after
//     step k started. `wait` is required on every step but the last. On the last step it bounds
//     how long its goal is watched; without it the goal is watched until the alert ends.
//  2. `until` is the step's goal: {"going": N} is met once N members answered `going` to the alert
//     (counted over all steps so far); {"confirmed": true} (only for a `tree` audience) is met once
//     every branch of the tree is confirmed. With both keys, either one meets the goal. When the
//     current step's goal is met, no later step starts. A step without `until` always moves on.
//  3. `audience`: `roles` (default ["responder"]) filters members of the network, plus at most one
//     selector: `areas` = "alert" (the alert's areas), "neighbours" (the areas neighbouring the
//     alert's areas, not those areas themselves) or a list of area names; `tree` = a phone tree by
//     name; `members` = a list of member ids. With no selector the audience is every member of the
//     network holding one of the roles. `tree` and `members` name their recipients themselves, so
//     `roles` may not be given with them. `organisations` adds organisations to the step: "all"
//     (every organisation of the network whose kinds and areas match the alert) or a list of
//     organisation slugs (those, whatever their kinds and areas). They are sent `alert.raised`
//     by their own contact points (webhooks) when the step starts, once per alert however many
//     steps name them, whatever the step's channel. An audience of only `organisations` (no
//     `roles`, no selector) reaches no member.
//  4. `channel`: "sms" (the default) or "voice": the step's audience is called instead of texted
//     (fanout/fanout.h). Members whose channels hold voice and not sms are called on any step.
//     `call_after` (only on an "sms" step whose audience is not a tree): the ladder, per
//     recipient: texted, no answer within `call_after` of being reached -> called once
//     (model/escalation_rules.h, rule 8).
//  5. Per recipient, inside every step: no answer within `reminder.after` -> one reminder SMS; no
//     answer within `backup.after` -> the member's backup is contacted. `backup.after` must be
//     later than `reminder.after`. Without a `backup` key the backup is contacted at twice
//     `reminder.after` (EffectiveBackupAfterMs); with neither key nobody is reminded or replaced.
//  6. `stand_down` (default false): when a goal is met, those who have not answered are told they
//     are not needed.
//  7. `verification` (optional): whether reports of the kind are checked by verifiers before the
//     alert is raised (model/verification.h); without it, the kind's default applies.
//  8. `schedule` (optional): a removal's asks counted back from a case's deadline
//     (model/case_schedule.h; errors name "schedule[2].before"). Read only for the removal alert
//     a case's `removal_directions` raises; without it, DefaultCaseSchedule (EffectiveSchedule).
//
// Durations are strings of whole hours, minutes and seconds, largest unit first: "90s", "3m", "1h",
// "1h30m"; each more than zero and at most 48h.
//
// Validation names the first offending field with a JSON-pointer-like path ("steps[1].wait",
// "steps[0].audience.roles[2]", "reminder.after"); unknown keys at any level are errors naming
// them ("steps[0].colour": "unknown field"). Lists of roles, areas and members come back sorted
// without duplicates, so a parsed policy is canonical and ParsePolicy(PolicyToJson(p)) == p.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "dispatch/model/case_schedule.h"
#include "dispatch/model/verification.h"
#include "dispatch/util/result.h"

namespace tocsin {

inline constexpr std::size_t kMaxPolicySteps = 10;
inline constexpr std::size_t kMaxPolicyBytes = 64 * 1024;  // ParsePolicyText's input bound
inline constexpr std::size_t kMaxStepMembers = 1000;       // `members` list bound
inline constexpr int kMaxGoingGoal = 10000;                // `until.going` upper bound
inline constexpr std::int64_t kMaxDurationMs = 48LL * 3600 * 1000;

// Which members a step's audience is drawn from. `areas` is read only for kNamed, `tree` only for
// kTree, `members` only for kMembers; `roles` applies to kAlert, kNeighbours, kNamed, kNetwork.
enum class AreaScope {
  kAlert,       // the alert's own areas
  kNeighbours,  // the areas neighbouring the alert's areas (not the alert's own)
  kNamed,       // the areas listed in `areas`
  kNetwork,     // the whole network
  kTree,        // the phone tree named `tree`
  kMembers,     // the members listed in `members`
  kNoMembers,   // no member: the step reaches only its organisations
};

// Which organisations a step reaches besides its members.
enum class OrganisationScope {
  kNone,   // none
  kAll,    // every organisation whose kinds and areas match the alert
  kNamed,  // those listed in `organisations` (slugs), whatever their kinds and areas
};

struct PolicyAudience {
  std::vector<std::string> roles = {"responder"};  // sorted, unique; empty for kTree and kMembers
  AreaScope scope = AreaScope::kAlert;
  std::vector<std::string> areas;     // kNamed: sorted, unique, 1..kMaxListItems
  std::optional<std::string> tree;    // kTree
  std::vector<std::int64_t> members;  // kMembers: sorted, unique, positive, 1..kMaxStepMembers
  OrganisationScope organisation_scope = OrganisationScope::kNone;
  std::vector<std::string> organisations;  // kNamed: slugs, sorted, unique, 1..kMaxListItems

  bool ReachesOrganisations() const { return organisation_scope != OrganisationScope::kNone; }

  friend bool operator==(const PolicyAudience&, const PolicyAudience&) = default;
};

// Why `a` reached nobody, in a coordinator's words ("nobody was reached: no active member ...
// is in SE15"), for an alert of `alert_areas`.
std::string NobodyReached(const PolicyAudience& a, const std::vector<std::string>& alert_areas);

struct PolicyStep {
  PolicyAudience audience;
  std::string channel = "sms";
  std::optional<std::int64_t> wait_ms;  // required on every step but the last
  std::optional<std::int64_t> call_after_ms;  // the SMS -> call ladder (rule 4)
  std::optional<int> until_going;       // goal: this many `going` answers
  bool until_confirmed = false;         // goal: every branch of the tree confirmed (kTree only)

  bool HasGoal() const { return until_going.has_value() || until_confirmed; }
  friend bool operator==(const PolicyStep&, const PolicyStep&) = default;
};

struct Policy {
  std::vector<PolicyStep> steps;  // 1..kMaxPolicySteps
  std::optional<std::int64_t> reminder_after_ms;
  std::optional<std::int64_t> backup_after_ms;  // as written; see EffectiveBackupAfterMs
  bool stand_down = false;
  std::optional<Verification> verification;  // nullopt: the kind's default (EffectiveVerification)
  std::optional<std::vector<ScheduleEntry>> schedule;  // nullopt: DefaultCaseSchedule (EffectiveSchedule)

  friend bool operator==(const Policy&, const Policy&) = default;
};

// Parses and validates a policy. Returns Error::Invalid naming the first offending field, or the
// policy in canonical form.
Result<Policy> ParsePolicy(const boost::json::value& v);

// As ParsePolicy, from text. Text that is not JSON -> ErrorCode::kMalformed; more than
// kMaxPolicyBytes -> ErrorCode::kTooLarge.
Result<Policy> ParsePolicyText(std::string_view json);

// The JSON form of `p`: every step's channel is written, optional keys only when set, durations
// via FormatDuration. For a valid policy, ParsePolicy(PolicyToJson(p)) == p.
boost::json::value PolicyToJson(const Policy& p);

// Checks a policy built in code by the same rules as ParsePolicy (its JSON form is the one
// definition of validity). Fields read only for another scope are not checked.
Status ValidatePolicy(const Policy& p);

// The default policy of an alert kind: "raid", "detention", "removal" or "other"; any other kind
// gets the "other" policy. Each default passes ValidatePolicy. The first steps of "detention" and
// "removal" also reach every matching organisation ({"organisations": "all"}); "removal" has
// the default schedule (DefaultCaseSchedule).
Policy DefaultPolicy(std::string_view kind);

// The removal schedule a case's alert under `p` follows: p.schedule, else DefaultCaseSchedule().
std::vector<ScheduleEntry> EffectiveSchedule(const Policy& p);

// When a silent member's backup is contacted: backup_after_ms if set, else twice
// reminder_after_ms, else never (nullopt).
std::optional<std::int64_t> EffectiveBackupAfterMs(const Policy& p);

// "90s", "3m", "1h", "1h30m" -> milliseconds. Groups of digits and a unit (h, m, s), each unit at
// most once, largest first; total more than zero and at most `max_ms` (kMaxDurationMs: 48h,
// unless a caller such as a case's removal schedule allows longer). Errors name `field`.
Result<std::int64_t> ParseDuration(std::string_view text, std::string_view field,
                                   std::int64_t max_ms = kMaxDurationMs);

// Milliseconds -> the shortest single-unit form ParseDuration reads back to the same value:
// 3600000 -> "1h", 180000 -> "3m", 90000 -> "90s", 5400000 -> "90m". Values that are not whole
// seconds are written in "ms" (which ParseDuration rejects); values <= 0 as "0s".
std::string FormatDuration(std::int64_t ms);

}  // namespace tocsin
