#include "dispatch/engine/case_alerts.h"

#include <algorithm>
#include <map>

#include "dispatch/model/validation.h"
#include "dispatch/store/approval_store.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/case_alert_store.h"

namespace tocsin {
namespace {

// Step 0 of a case's alert: its contacts, each by its own channel.
std::vector<PolicyAudience> ContactAudiences(pqxx::transaction_base& tx, std::int64_t network_id,
                                             const std::vector<CaseContact>& contacts) {
  std::vector<PolicyAudience> out;
  PolicyAudience members;
  members.scope = AreaScope::kMembers;
  members.roles.clear();
  PolicyAudience orgs;
  orgs.scope = AreaScope::kNoMembers;
  orgs.roles.clear();
  orgs.organisation_scope = OrganisationScope::kNamed;
  std::vector<std::int64_t> org_ids;
  for (const auto& k : contacts) {
    if (k.member_id) members.members.push_back(*k.member_id);
    if (k.organisation_id) org_ids.push_back(*k.organisation_id);
    if (k.tree) {
      PolicyAudience tree;
      tree.scope = AreaScope::kTree;
      tree.roles.clear();
      tree.tree = k.tree;
      out.push_back(tree);
    }
  }
  for (const auto& [id, slug] : OrganisationSlugs(tx, network_id, org_ids)) orgs.organisations.push_back(slug);
  std::sort(members.members.begin(), members.members.end());
  members.members.erase(std::unique(members.members.begin(), members.members.end()), members.members.end());
  std::sort(orgs.organisations.begin(), orgs.organisations.end());
  orgs.organisations.erase(std::unique(orgs.organisations.begin(), orgs.organisations.end()), orgs.organisations.end());
  if (!members.members.empty()) out.insert(out.begin(), members);
  if (!orgs.organisations.empty()) out.push_back(orgs);
  if (out.empty()) {  // no contact yet: the alert exists, reaches nobody and says so
    PolicyAudience none;
    none.scope = AreaScope::kNoMembers;
    none.roles.clear();
    out.push_back(none);
  }
  return out;
}

}  // namespace

bool CaseAlerts::Ends(const std::string& type) {
  return type == "released" || type == "removal_cancelled" || type == "removed";
}

Result<CaseEventDone> CaseAlerts::Record(pqxx::work& tx, const Network& net, std::int64_t case_id,
                                         const CaseEventInput& in, const std::string& actor,
                                         std::int64_t now_ms) const {
  auto event = events_.Record(tx, net.id, case_id, in, actor);
  if (!event.ok()) return event.error();
  CaseEventDone done{std::move(event.value()), std::nullopt, std::nullopt};
  RecordAudit(tx, net.id, actor, "cases.events.create", "case:" + std::to_string(case_id),
              "{\"event\":" + std::to_string(done.event.id) + ",\"type\":\"" + done.event.type + "\"}");
  const std::string by = "case:" + std::to_string(case_id);
  if (in.type == "detained" && !OpenCaseAlert(tx, net.id, case_id)) {
    auto c = cases_.Get(tx, net.id, case_id);
    if (!c.ok()) return c.error();
    auto raised = RaiseDetention(tx, net, c.value(), done.event, now_ms);
    if (!raised.ok()) return raised.error();
    done.raised = std::move(raised.value());
  } else if (Ends(in.type)) {
    if (auto open = OpenCaseAlert(tx, net.id, case_id)) {
      auto ended = alerts_.End(tx, net, *open, "resolved", "", by, now_ms);
      if (ended.ok()) done.ended = std::move(ended.value());  // pending approval: left to the coordinators
    }
  }
  return done;
}

Result<Raised> CaseAlerts::RaiseDetention(pqxx::work& tx, const Network& net, const CaseRecord& c,
                                          const CaseEvent& event, std::int64_t now_ms) const {
  auto contacts = cases_.Contacts(tx, net.id, c.id);
  if (!contacts.ok()) return contacts.error();
  AlertInput in;
  in.kind = "detention";
  in.areas = c.areas;
  if (in.areas.empty()) {  // a case of no particular area: the network's areas (Raise needs one)
    in.areas = NetworkAreaNames(tx, net.id);
    if (in.areas.size() > kMaxListItems) in.areas.resize(kMaxListItems);
    if (in.areas.empty()) return Error::Invalid("areas", "the case and its network have no areas: give the case one");
  }
  in.location = c.pseudonym;
  const auto step = ContactAudiences(tx, net.id, contacts.value());
  auto raised = alerts_.Raise(tx, net, in, "case:" + std::to_string(c.id), now_ms, nullptr, &step);
  if (!raised.ok()) return raised.error();
  LinkCaseAlert(tx, net.id, c.id, raised->alert.id, event.id);
  texts_.WriteDetentionTexts(tx, net, raised->alert, c, event.detail.value_or(""), contacts.value());
  return raised;
}

}  // namespace tocsin
