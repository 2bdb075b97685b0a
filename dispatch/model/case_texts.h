// What each contact of a case is told when the case's person is detained (issue 13): the pure
// rules of who may see what. The fanout renders the chosen [cases] template
// (config/templates/*.toml) with the values these rules leave in.
//
// Rules:
//  1. An `mp` contact is told the details (where held, the Home Office reference) only when the
//     case has consent.mp; a `legal` contact only with consent.legal. Without it they get the
//     `withheld` text ("a case of yours needs attention: contact the coordinators"), with no
//     place, no reference, no pseudonym, and the coordinators are told consent is missing.
//  2. `bail` and `family` contacts are told where the person is held; bail also the reference
//     (a bail application quotes it).
//  3. `campaign` supporters get the reference only when the case is public (`campaign`), else
//     the `campaign_private` text without it. They are never told where the person is held.
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {

struct CaseFacts {
  bool consent_mp = false;
  bool consent_legal = false;
  bool is_public = false;
};

struct CaseText {
  std::string key;             // the [cases] template: legal, mp, bail, family, campaign,
                               // campaign_private, withheld
  bool where = false;          // may carry where the person is held
  bool reference = false;      // may carry the Home Office reference
  bool pseudonym = true;       // may name the case by its pseudonym
  bool consent_missing = false;  // the role needed consent the case does not have
  bool deadline = false;       // may carry the removal deadline (the flight): removal texts only
};

// The text for a contact of `role` (legal, mp, bail, family, campaign).
CaseText CaseTextFor(std::string_view role, const CaseFacts& facts);

// The values of the case placeholders for `text`: {pseudonym} {where} {reference} {code}
// {network}, each left empty when `text` may not carry it.
std::map<std::string, std::string> CaseTextVars(const CaseText& text, const std::string& pseudonym,
                                                const std::string& where, const std::string& reference,
                                                const std::string& code, const std::string& network);

// What a contact of `role` is told of a removal: the removal alert itself and each ask of its
// schedule (model/case_schedule.h). Rule 1 holds: an mp or legal contact without consent gets
// `withheld` (no deadline either: the flight is a detail of the case). Every other role is told
// the deadline, and the reference as CaseTextFor allows it: key `removal` (with the reference)
// or `removal_private`; never where the person is held. "coordinator" (a schedule entry's member
// roles) gets `removal`.
CaseText RemovalTextFor(std::string_view role, const CaseFacts& facts);

// CaseTextVars plus {deadline} (left empty when `text` may not carry it) and {message} (the
// entry's ask, or the alert's opening asks; empty for `withheld`).
std::map<std::string, std::string> RemovalTextVars(const CaseText& text, const std::string& pseudonym,
                                                   const std::string& deadline, const std::string& reference,
                                                   const std::string& message, const std::string& code,
                                                   const std::string& network);

// The roles among `roles` that lack the consent they need ("legal", "mp"), sorted, unique.
std::vector<std::string> RolesMissingConsent(const std::vector<std::string>& roles, const CaseFacts& facts);

}  // namespace tocsin
