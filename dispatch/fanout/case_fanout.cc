#include "dispatch/fanout/case_fanout.h"

#include <algorithm>
#include <map>

#include "dispatch/message/segments.h"
#include "dispatch/model/case_texts.h"
#include "dispatch/store/call_list_store.h"
#include "dispatch/store/case_alert_store.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/store/queue_store.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

CaseFacts FactsOf(const CaseRecord& c) {
  return {c.consent_mp.has_value(), c.consent_legal.has_value(), c.is_public};
}

int Segments(const std::string& text) { return std::max(1, MeasureSms(text).segments); }

}  // namespace

std::string CaseFanout::DefaultLanguage(const Network& net) const {
  return templates_.HasLanguage(net.default_language) ? net.default_language : "en";
}

std::int64_t CaseFanout::WriteDetentionTexts(pqxx::work& tx, const Network& net, const Alert& alert,
                                             const CaseRecord& c, const std::string& where,
                                             const std::vector<CaseContact>& contacts) const {
  const auto facts = FactsOf(c);
  const auto fallback = DefaultLanguage(net);
  const std::string reference = c.reference.value_or("");
  auto render = [&](const std::string& role, const std::string& language) {
    const auto text = CaseTextFor(role, facts);
    return templates_.RenderCase(language, fallback, text.key,
                                 CaseTextVars(text, c.pseudonym, where, reference, alert.code, net.name));
  };

  // The alert message: the campaign's text, in every language.
  for (const auto& language : templates_.Languages()) {
    auto text = render("campaign", language);
    if (!text.ok()) continue;  // a template set without [cases]: the kind's text stays
    auto sealed = cipher_.Seal(text.value(), places::MessageBody(net.id, alert.id, 0, language));
    ReplaceAlertMessageText(tx, alert.id, 0, language, ToHex(sealed), Segments(text.value()));
  }

  // Member contacts of the other roles: their role's text (the first contact row naming them).
  std::map<std::int64_t, std::string> role_of;
  std::vector<std::string> roles;
  for (const auto& k : contacts) {
    roles.push_back(k.role);
    if (k.member_id && k.role != "campaign") role_of.try_emplace(*k.member_id, k.role);
  }
  std::vector<std::int64_t> members;
  for (const auto& [member, unused] : role_of) members.push_back(member);
  if (!members.empty()) {
    for (const auto& d : QueuedAlertDeliveries(tx, alert.id, members)) {
      auto text = render(role_of.at(d.member), d.language);
      if (!text.ok()) continue;
      SetDeliveryText(tx, d.id, ToHex(cipher_.Seal(text.value(), places::DeliveryBody(net.id, d.id))),
                      Segments(text.value()));
    }
  }

  // Consent missing: the coordinators are told once.
  const auto missing = RolesMissingConsent(roles, facts);
  if (missing.empty()) return 0;
  std::string names;
  for (const auto& role : missing) names += (names.empty() ? "" : ", ") + role;
  const int seq = alerts_.NextSeq(tx, alert.id);
  for (const auto& language : templates_.Languages()) {
    auto text = templates_.RenderCase(language, fallback, "consent_missing",
                                      {{"network", net.name}, {"code", alert.code}, {"pseudonym", c.pseudonym},
                                       {"roles", names}});
    if (!text.ok()) return 0;
    auto sealed = cipher_.Seal(text.value(), places::MessageBody(net.id, alert.id, seq, language));
    InsertAlertMessage(tx, alert.id, seq, "case_consent", language, ToHex(sealed), Segments(text.value()));
  }
  return QueueForRole(tx, alert.id, net.id, seq, "coordinator", ToPgArray(templates_.Languages()), fallback);
}

}  // namespace tocsin
