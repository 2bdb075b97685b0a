#include "dispatch/fanout/case_fanout.h"

#include <algorithm>
#include <map>

#include "dispatch/message/segments.h"
#include "dispatch/model/case_actions.h"
#include "dispatch/model/case_texts.h"
#include "dispatch/store/call_list_store.h"
#include "dispatch/store/case_action_store.h"
#include "dispatch/store/case_alert_store.h"
#include "dispatch/store/case_schedule_store.h"
#include "dispatch/store/organisation_store.h"
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

Result<std::string> CaseFanout::Render(const Network& net, const Alert& alert, const CaseRecord& c,
                                       const std::string& where, const Removal* removal, const std::string& role,
                                       const std::string& language) const {
  const auto facts = FactsOf(c);
  const std::string reference = c.reference.value_or("");
  if (removal) {
    const auto text = RemovalTextFor(role, facts);
    return templates_.RenderCase(language, DefaultLanguage(net), text.key,
                                 RemovalTextVars(text, c.pseudonym, removal->deadline, reference, removal->message,
                                                 alert.code, net.name));
  }
  const auto text = CaseTextFor(role, facts);
  return templates_.RenderCase(language, DefaultLanguage(net), text.key,
                               CaseTextVars(text, c.pseudonym, where, reference, alert.code, net.name));
}

void CaseFanout::SetOwnText(pqxx::work& tx, const Network& net, std::int64_t delivery_id,
                            const std::string& text) const {
  SetDeliveryText(tx, delivery_id, ToHex(cipher_.Seal(text, places::DeliveryBody(net.id, delivery_id))),
                  Segments(text));
}

std::map<std::int64_t, std::string> CaseFanout::OrganisationRoles(const std::vector<CaseContact>& contacts,
                                                                  const std::vector<std::string>* roles) {
  std::map<std::int64_t, std::string> role_of;  // the first contact row naming the organisation
  for (const auto& k : contacts) {
    if (!k.organisation_id) continue;
    if (roles && std::find(roles->begin(), roles->end(), k.role) == roles->end()) continue;
    role_of.try_emplace(*k.organisation_id, k.role);
  }
  return role_of;
}

std::optional<CaseFanout::OrganisationText> CaseFanout::TextForOrganisation(
    pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c, const std::string& where,
    const Removal* removal, std::int64_t org, const std::string& role) const {
  auto o = GetOrganisation(tx, net.id, org);
  if (!o.ok()) return std::nullopt;
  auto text = Render(net, alert, c, where, removal, role, o->language);
  if (!text.ok()) return std::nullopt;
  const auto facts = FactsOf(c);
  const auto rules = removal ? RemovalTextFor(role, facts) : CaseTextFor(role, facts);
  auto shown = AlertJson(alert);  // what the organisation may see of the alert itself
  if (!rules.pseudonym) shown["location"] = "";
  if (!rules.deadline) shown["deadline"] = nullptr;
  OrganisationText out;
  out.fields = boost::json::object{{"alert", std::move(shown)},
                                   {"case", boost::json::object{{"role", role}, {"text", text.value()}}}};
  out.email = {rules.pseudonym ? c.pseudonym : "", text.value(), rules.deadline && removal ? removal->deadline : ""};
  return out;
}

void CaseFanout::TellOrganisations(pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c,
                                   const std::string& where, const std::vector<CaseContact>& contacts,
                                   const Removal* removal, std::int64_t now_ms) const {
  if (!webhooks_) return;
  for (const auto& [org, role] : OrganisationRoles(contacts, nullptr)) {
    auto told = TextForOrganisation(tx, net, alert, c, where, removal, org, role);
    if (told) webhooks_->ReplaceRaised(tx, net, alert, org, std::move(told->fields), told->email, now_ms);
  }
}

std::int64_t CaseFanout::AskOrganisations(pqxx::work& tx, const Network& net, const Alert& alert,
                                          const CaseRecord& c, int entry_index, const ScheduleEntry& entry,
                                          const Removal& removal, const std::vector<CaseContact>& contacts,
                                          std::int64_t now_ms) const {
  if (!webhooks_ || !entry.member_roles.empty()) return 0;
  std::int64_t queued = 0;
  for (const auto& [org, role] : OrganisationRoles(contacts, &entry.contacts)) {
    auto told = TextForOrganisation(tx, net, alert, c, "", &removal, org, role);
    if (!told) continue;
    // The ask's words go with the text they are in: not to a contact without its consent.
    boost::json::object ask{{"entry", entry_index},
                            {"action", entry.action.empty() ? std::string(kDefaultAction) : entry.action}};
    if (RemovalTextFor(role, FactsOf(c)).pseudonym) ask["ask"] = entry.ask;
    told->fields["ask"] = std::move(ask);
    queued += webhooks_->QueueAsk(tx, net, alert, org, std::move(told->fields), told->email, now_ms);
  }
  return queued;
}

std::int64_t CaseFanout::WriteCaseTexts(pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c,
                                        const std::string& where, const std::vector<CaseContact>& contacts,
                                        std::int64_t now_ms, const Removal* removal, bool tell_coordinators) const {
  const auto facts = FactsOf(c);
  const auto fallback = DefaultLanguage(net);
  auto render = [&](const std::string& role, const std::string& language) {
    return Render(net, alert, c, where, removal, role, language);
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
      if (text.ok()) SetOwnText(tx, net, d.id, text.value());
    }
  }

  TellOrganisations(tx, net, alert, c, where, contacts, removal, now_ms);
  RecordAsk(tx, alert.id, 0, removal && !removal->action.empty() ? removal->action : std::string(kDefaultAction));

  // Consent missing: the coordinators are told once.
  const auto missing = RolesMissingConsent(roles, facts);
  if (missing.empty() || !tell_coordinators) return 0;
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

CaseFanout::AskQueued CaseFanout::QueueAsk(pqxx::work& tx, const Network& net, const Alert& alert,
                                           const CaseRecord& c, int entry_index, const ScheduleEntry& entry,
                                           const std::string& deadline, const std::vector<CaseContact>& contacts,
                                           std::int64_t now_ms) const {
  const Removal removal{deadline, entry.ask, entry.action};
  AskQueued out;
  out.organisations = AskOrganisations(tx, net, alert, c, entry_index, entry, removal, contacts, now_ms);
  const auto fallback = DefaultLanguage(net);
  // Who is asked, each member once with the role they are asked as (a member contact's own role
  // before the campaign tree's).
  std::map<std::int64_t, std::string> role_of;
  std::string generic = "campaign";
  if (!entry.member_roles.empty()) {
    generic = "coordinator";
    for (auto id : MembersWithRoles(tx, net.id, entry.member_roles)) role_of.emplace(id, generic);
  } else {
    std::vector<std::string> trees;
    for (const auto& k : contacts) {
      if (std::find(entry.contacts.begin(), entry.contacts.end(), k.role) == entry.contacts.end()) continue;
      if (k.member_id) role_of.try_emplace(*k.member_id, k.role);
      if (k.tree) trees.push_back(*k.tree);
    }
    for (auto id : TreeMembers(tx, net.id, trees)) role_of.try_emplace(id, "campaign");
  }
  if (role_of.empty()) return out;

  const int seq = alerts_.NextSeq(tx, alert.id);
  for (const auto& language : templates_.Languages()) {
    auto text = Render(net, alert, c, "", &removal, generic, language);
    if (!text.ok()) return out;
    auto sealed = cipher_.Seal(text.value(), places::MessageBody(net.id, alert.id, seq, language));
    InsertAlertMessage(tx, alert.id, seq, "case_ask", language, ToHex(sealed), Segments(text.value()));
  }
  if (generic != "coordinator") RecordAsk(tx, alert.id, seq, entry.action.empty() ? std::string(kDefaultAction) : entry.action);
  std::vector<std::int64_t> ids;
  for (const auto& [id, unused] : role_of) ids.push_back(id);
  out.members = QueueAskForMembers(tx, alert.id, net.id, seq, ToPgArray(ids), ToPgArray(templates_.Languages()),
                                   fallback);
  for (const auto& d : DeliveriesOfMessage(tx, alert.id, seq)) {
    const auto& role = role_of.at(d.member);
    if (role == generic) continue;
    auto text = Render(net, alert, c, "", &removal, role, d.language);
    if (text.ok()) SetOwnText(tx, net, d.id, text.value());
  }
  return out;
}

}  // namespace tocsin
