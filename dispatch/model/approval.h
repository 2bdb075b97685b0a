// Two people for the biggest alerts: a network's approval rule, whether a raise crosses it, and
// who may approve a waiting alert. Pure: the engine (engine/alert_approval.h) loads the facts
// and applies what is decided here.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

// Off when neither is set. A raise needs a second coordinator when its first step would reach
// at least `min_recipients` members, or, with `all_areas`, when it names every area the network
// has (an alert to the whole network).
struct ApprovalRule {
  std::optional<std::int64_t> min_recipients;
  bool all_areas = false;

  bool Enabled() const { return min_recipients.has_value() || all_areas; }
};

// The largest audience a rule may name (larger could never be crossed).
inline constexpr std::int64_t kMaxApprovalRecipients = 10'000'000;

// min_recipients, when set, lies in 1..kMaxApprovalRecipients; else Error::Invalid naming
// "approval.min_recipients".
Status CheckApprovalRule(const ApprovalRule& rule);

// Whether a raise reaching `recipients` members in `alert_areas` waits for approval.
// `network_areas`: every area the network has (all_areas is not crossed by a network with none).
bool NeedsApproval(const ApprovalRule& rule, std::int64_t recipients, const std::vector<std::string>& alert_areas,
                   const std::vector<std::string>& network_areas);

// Who raised or decides: the actor as the audit log names it ("token:12", "inbound:legal-aid")
// and, for a token, its label ("" when unlabelled or not a token).
struct ApprovalParty {
  std::string actor;
  std::string label;
};

// Ok when `decider` is a second person: not the raiser's token, nor a token of the same
// (non-empty) label. Else Error::Forbidden saying why.
Status CheckSecondPerson(const ApprovalParty& raiser, const ApprovalParty& decider);

}  // namespace tocsin
