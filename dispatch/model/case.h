// A case (issue 13): a person the network supports, as coordinators create and change it, and
// the contacts to reach when they are detained or served removal directions. Pure: checks and
// normalises input; the store seals and keeps it (store/case_store.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

// What a POST or PATCH gives; absent (nullopt) leaves a field as it is on PATCH. For the
// optional sealed fields and the consent dates an empty string clears the value.
struct CaseInput {
  std::optional<std::string> pseudonym;  // clear: what viewers and supporters see
  std::optional<std::string> name;       // sealed
  std::optional<std::string> phone;      // sealed, E.164 once normalised
  std::optional<std::string> reference;  // sealed: the Home Office reference
  std::optional<std::string> notes;      // sealed
  std::optional<std::string> language;
  std::optional<std::vector<std::string>> areas;
  std::optional<bool> is_public;
  std::optional<std::string> consent_mp;     // YYYY-MM-DD
  std::optional<std::string> consent_legal;  // YYYY-MM-DD
  std::optional<std::string> status;         // open | closed
};

inline constexpr std::size_t kMaxCaseNotes = 4000;

// Checks and normalises `in`: errors name the field ("name", "phone", "consent.mp", ...).
// Creating needs a name; the pseudonym defaults to "Case" (the store appends the id), the
// language to `default_language`, the status to "open". `country` reads national phone numbers.
Result<CaseInput> NormaliseCaseInput(CaseInput in, std::string_view country, std::string_view default_language,
                                     bool creating);

// An event of a case as recorded: `type` one of detained (needs `detail`: where held),
// removal_directions (needs `deadline`, RFC 3339; `detail` optional: the directions' details),
// released, removal_cancelled, removed (nothing else), note (needs `detail`: the text).
struct CaseEventInput {
  std::string type;
  std::optional<std::string> detail;
  std::optional<std::string> deadline;
  // A partner's webhook (schema/0046): the keyed hash of its source and webhook-id; an event
  // already recorded with it is not recorded again (Conflict, field "webhook-id").
  std::optional<std::string> inbound_key;
};

// Checks `in`: errors name the JSON field ("type", "where", "deadline", "details", "text").
Status CheckCaseEvent(const CaseEventInput& in);
// The JSON field an event type's detail comes in: "where", "details", "text", or "" for none.
std::string_view CaseEventDetailField(std::string_view type);

// Contact roles: legal, mp, bail, family, campaign.
Status CheckCaseRole(std::string_view role, std::string_view field = "role");
// A calendar date YYYY-MM-DD with every part in range.
Status CheckDate(std::string_view text, std::string_view field);

}  // namespace tocsin
