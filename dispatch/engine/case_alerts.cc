#include "dispatch/engine/case_alerts.h"

#include <algorithm>
#include <map>

#include "dispatch/model/validation.h"
#include "dispatch/store/approval_store.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/case_alert_store.h"
#include "dispatch/store/case_schedule_store.h"
#include "dispatch/store/policy_store.h"

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
  CaseEventDone done{std::move(event.value()), std::nullopt, {}, {}, std::nullopt};
  RecordAudit(tx, net.id, actor, "cases.events.create", "case:" + std::to_string(case_id),
              "{\"event\":" + std::to_string(done.event.id) + ",\"type\":\"" + done.event.type + "\"}");
  const std::string by = "case:" + std::to_string(case_id);
  if (in.type == "detained" && !OpenCaseAlert(tx, net.id, case_id)) {
    auto c = cases_.Get(tx, net.id, case_id);
    if (!c.ok()) return c.error();
    auto raised = RaiseForCase(tx, net, c.value(), done.event, "detention", std::nullopt, actor, now_ms);
    if (!raised.ok()) return raised.error();
    done.raised = std::move(raised.value());
  } else if (in.type == "removal_directions") {
    if (auto s = RecordRemoval(tx, net, case_id, in, actor, now_ms, done); !s.ok()) return s.error();
  } else if (Ends(in.type)) {
    for (const auto& open : OpenCaseAlerts(tx, net.id, case_id)) {
      auto ended = alerts_.End(tx, net, open.alert_id, "resolved", "", by, now_ms);
      if (ended.ok()) done.ended.push_back(std::move(ended.value()));  // pending approval: left to the coordinators
    }
  }
  return done;
}

Status CaseAlerts::RecordRemoval(pqxx::work& tx, const Network& net, std::int64_t case_id, const CaseEventInput& in,
                                 const std::string& actor, std::int64_t now_ms, CaseEventDone& done) const {
  const auto deadline = in.deadline.value_or("");
  if (!alert_store_.DeadlineAfter(tx, deadline, now_ms)) return Error::Invalid("deadline", "is in the past");
  for (const auto& open : OpenCaseAlerts(tx, net.id, case_id)) {
    if (open.kind != "removal") continue;
    // A new date: the alert's deadline and schedule are replaced (held: set when approved).
    const auto deadline_ms = SetAlertDeadline(tx, open.alert_id, deadline);
    if (open.status != "open") return Ok{};
    LockEscalation(tx, open.alert_id);  // as End: no entry fires while the schedule changes
    CancelScheduleTimers(tx, open.alert_id);
    done.schedule = StartSchedule(tx, open.alert_id, deadline_ms, now_ms, true);
    done.rescheduled = open.alert_id;
    return Ok{};
  }
  auto c = cases_.Get(tx, net.id, case_id);
  if (!c.ok()) return c.error();
  auto raised = RaiseForCase(tx, net, c.value(), done.event, "removal", deadline, actor, now_ms);
  if (!raised.ok()) return raised.error();
  if (!raised->pending) {
    const auto deadline_ms = SetAlertDeadline(tx, raised->alert.id, deadline);
    done.schedule = StartSchedule(tx, raised->alert.id, deadline_ms, now_ms, false);
  }
  done.raised = std::move(raised.value());
  return Ok{};
}

std::vector<PendingTimer> CaseAlerts::StartSchedule(pqxx::work& tx, std::int64_t alert_id, std::int64_t deadline_ms,
                                                    std::int64_t now_ms, bool at_recorded) const {
  auto locked = LockEscalation(tx, alert_id);
  if (!locked) return {};
  return InsertScheduleTimers(tx, alert_id, EffectiveSchedule(locked->escalation.policy), deadline_ms, now_ms,
                              at_recorded);
}

std::optional<std::vector<PolicyAudience>> CaseAlerts::ContactStep(pqxx::transaction_base& tx, const Network& net,
                                                                   std::int64_t alert_id) const {
  auto of = CaseOfAlert(tx, net.id, alert_id);
  if (!of) return std::nullopt;
  auto contacts = cases_.Contacts(tx, net.id, of->case_id);
  if (!contacts.ok()) return std::nullopt;
  return ContactAudiences(tx, net.id, contacts.value());
}

std::vector<PendingTimer> CaseAlerts::Approved(pqxx::work& tx, const Network& net, const Alert& alert,
                                               std::int64_t now_ms) const {
  auto of = CaseOfAlert(tx, net.id, alert.id);
  if (!of) return {};
  auto c = cases_.Get(tx, net.id, of->case_id);
  auto contacts = cases_.Contacts(tx, net.id, of->case_id);
  if (!c.ok() || !contacts.ok()) return {};
  std::string where;
  if (alert.kind != "removal" && of->event_id) {
    auto events = events_.Timeline(tx, net.id, of->case_id);
    if (events.ok()) {
      for (const auto& e : events.value()) {
        if (e.id == *of->event_id) where = e.detail.value_or("");
      }
    }
  }
  WriteTexts(tx, net, alert, c.value(), where, contacts.value(), false, now_ms);
  if (alert.kind != "removal" || !alert.deadline) return {};
  const auto deadline_ms = SetAlertDeadline(tx, alert.id, *alert.deadline);
  return StartSchedule(tx, alert.id, deadline_ms, now_ms, true);
}

Result<Raised> CaseAlerts::RaiseForCase(pqxx::work& tx, const Network& net, const CaseRecord& c,
                                        const CaseEvent& event, const std::string& kind,
                                        const std::optional<std::string>& deadline, const std::string& actor,
                                        std::int64_t now_ms) const {
  auto contacts = cases_.Contacts(tx, net.id, c.id);
  if (!contacts.ok()) return contacts.error();
  AlertInput in;
  in.kind = kind;
  in.areas = c.areas;
  if (in.areas.empty()) {  // a case of no particular area: the network's areas (Raise needs one)
    in.areas = NetworkAreaNames(tx, net.id);
    if (in.areas.size() > kMaxListItems) in.areas.resize(kMaxListItems);
    if (in.areas.empty()) return Error::Invalid("areas", "the case and its network have no areas: give the case one");
  }
  in.location = c.pseudonym;
  in.deadline = deadline;
  const auto step = ContactAudiences(tx, net.id, contacts.value());
  auto raised = alerts_.Raise(tx, net, in, "case:" + std::to_string(c.id), now_ms, nullptr, &step);
  if (!raised.ok()) return raised.error();
  LinkCaseAlert(tx, net.id, c.id, raised->alert.id, event.id);
  SetRequestedBy(tx, raised->alert.id, actor);  // its approval needs someone else
  WriteTexts(tx, net, raised->alert, c, event.detail.value_or(""), contacts.value(), true, now_ms);
  return raised;
}

void CaseAlerts::WriteTexts(pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c,
                            const std::string& where, const std::vector<CaseContact>& contacts,
                            bool tell_coordinators, std::int64_t now_ms) const {
  if (alert.kind != "removal") {
    texts_.WriteCaseTexts(tx, net, alert, c, where, contacts, now_ms, nullptr, tell_coordinators);
    return;
  }
  // The alert itself is the schedule's {"at": "recorded"} entries: their asks are its message.
  // Held for approval, it has no escalation yet: the kind's policy as it stands.
  auto locked = LockEscalation(tx, alert.id);
  const Policy policy = locked ? locked->escalation.policy : PolicyFor(tx, net.id, alert.kind);
  CaseFanout::Removal removal{alert.deadline ? alert_store_.DeadlineText(tx, *alert.deadline) : "", "", ""};
  for (const auto& e : EffectiveSchedule(policy)) {
    if (!e.at_recorded) continue;
    removal.message += (removal.message.empty() ? "" : " ") + e.ask;
    if (removal.action.empty()) removal.action = e.action;
  }
  texts_.WriteCaseTexts(tx, net, alert, c, "", contacts, now_ms, &removal, tell_coordinators);
}

}  // namespace tocsin
