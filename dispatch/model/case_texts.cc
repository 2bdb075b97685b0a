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

CaseText RemovalTextFor(std::string_view role, const CaseFacts& facts) {
  if (role == "coordinator") role = "bail";  // everything but where the person is held
  CaseText t = CaseTextFor(role, facts);
  if (t.key == "withheld") return t;
  t.where = false;
  t.deadline = true;
  t.key = t.reference ? "removal" : "removal_private";
  return t;
}

std::map<std::string, std::string> RemovalTextVars(const CaseText& text, const std::string& pseudonym,
                                                   const std::string& deadline, const std::string& reference,
                                                   const std::string& message, const std::string& code,
                                                   const std::string& network) {
  auto vars = CaseTextVars(text, pseudonym, "", reference, code, network);
  vars["deadline"] = text.deadline ? deadline : "";
  vars["message"] = text.key == "withheld" ? "" : message;
  return vars;
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
