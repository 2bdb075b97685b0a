#include "dispatch/model/approval.h"

#include <algorithm>

namespace tocsin {
namespace {

Error Refused(std::string message) { return Error{ErrorCode::kForbidden, std::move(message), {}}; }

}  // namespace

Status CheckApprovalRule(const ApprovalRule& rule) {
  if (rule.min_recipients && (*rule.min_recipients < 1 || *rule.min_recipients > kMaxApprovalRecipients)) {
    return Error::Invalid("approval.min_recipients", "must be a whole number from 1 to 10000000, or null");
  }
  return Ok{};
}

bool NeedsApproval(const ApprovalRule& rule, std::int64_t recipients, const std::vector<std::string>& alert_areas,
                   const std::vector<std::string>& network_areas) {
  if (rule.min_recipients && recipients >= *rule.min_recipients) return true;
  if (!rule.all_areas || network_areas.empty()) return false;
  return std::all_of(network_areas.begin(), network_areas.end(), [&](const std::string& area) {
    return std::find(alert_areas.begin(), alert_areas.end(), area) != alert_areas.end();
  });
}

Status CheckSecondPerson(const ApprovalParty& raiser, const ApprovalParty& decider) {
  if (raiser.actor == decider.actor) {
    return Refused("the token that raised this alert cannot approve or reject it: a second coordinator must");
  }
  if (!raiser.label.empty() && raiser.label == decider.label) {
    return Refused("a token with the same label as the one that raised this alert cannot approve or reject it: "
                            "a second coordinator must");
  }
  return Ok{};
}

}  // namespace tocsin
