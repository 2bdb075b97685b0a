#include "dispatch/model/case_texts.h"

#include <algorithm>

namespace tocsin {

CaseText CaseTextFor(std::string_view role, const CaseFacts& facts) {
  CaseText t;
  if (role == "legal" || role == "mp") {
    const bool consent = role == "legal" ? facts.consent_legal : facts.consent_mp;
    if (!consent) {
      t.key = "withheld";
      t.pseudonym = false;
      t.consent_missing = true;
      return t;
    }
    t.key = std::string(role);
    t.where = true;
    t.reference = true;
    return t;
  }
  if (role == "bail") {
    t.key = "bail";
    t.where = true;
    t.reference = true;
    return t;
  }
  if (role == "family") {
    t.key = "family";
    t.where = true;
    return t;
  }
  // campaign (and anything unknown: the least a supporter may see)
  t.key = facts.is_public && role == "campaign" ? "campaign" : "campaign_private";
  t.reference = t.key == "campaign";
  return t;
}

std::map<std::string, std::string> CaseTextVars(const CaseText& text, const std::string& pseudonym,
                                                const std::string& where, const std::string& reference,
                                                const std::string& code, const std::string& network) {
  return {{"pseudonym", text.pseudonym ? pseudonym : ""},
          {"where", text.where ? where : ""},
          {"reference", text.reference ? reference : ""},
          {"code", code},
          {"network", network}};
}

std::vector<std::string> RolesMissingConsent(const std::vector<std::string>& roles, const CaseFacts& facts) {
  std::vector<std::string> out;
  for (const auto& role : roles) {
    if (CaseTextFor(role, facts).consent_missing) out.push_back(role);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace tocsin
