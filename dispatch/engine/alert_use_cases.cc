#include "dispatch/engine/alert_use_cases.h"

#include "dispatch/model/approval.h"
#include "dispatch/model/validation.h"
#include "dispatch/store/approval_store.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/escalation_store.h"
#include "dispatch/store/policy_store.h"

namespace tocsin {
namespace {

constexpr const char* kWaitsForApproval = "the alert waits for a second coordinator: approve or reject it";
constexpr const char* kWaitsForVerifiers = "the alert waits for its report's verifiers: confirm or dismiss the report";

}  // namespace

Result<AlertInput> CanonicalAlertInput(const AlertInput& raw) {
  AlertInput in = raw;
  if (auto s = ValidateAlertInput(in); !s.ok()) return s.error();
  auto areas = CanonicalList(in.areas, "areas", &CheckAreaName);
  if (!areas.ok()) return areas.error();
  auto roles = CanonicalList(in.roles.empty() ? std::vector<std::string>{"responder"} : in.roles,
                             "audience.roles", &CheckMemberRole);
  if (!roles.ok()) return roles.error();
  in.areas = areas.value();
  in.roles = roles.value();
  return in;
}

std::vector<PolicyAudience> RequestAudience(const AlertInput& in) {
  PolicyAudience a;
  a.roles = in.roles;
  a.scope = AreaScope::kAlert;
  std::vector<PolicyAudience> out{a};
  if (in.include_neighbours) {
    a.scope = AreaScope::kNeighbours;
    out.push_back(a);
  }
  return out;
}

Result<Raised> AlertUseCases::Raise(pqxx::work& tx, const Network& net, const AlertInput& raw,
                                    const std::string& actor, std::int64_t now_ms, const RaiseKey* key,
                                    const std::vector<PolicyAudience>* first_step) const {
  if (key && !key->Claim(tx)) {
    auto first = key->Repeat(tx);
    if (!first.ok()) return first.error();
    Raised repeat;
    repeat.repeat = true;
    repeat.receipt = std::move(first.value());
    return repeat;
  }
  auto canonical = CanonicalAlertInput(raw);
  if (!canonical.ok()) return canonical.error();
  const AlertInput in = std::move(canonical).value();
  std::optional<std::string> deadline_text;
  if (in.deadline) {
    if (!alerts_.DeadlineAfter(tx, *in.deadline, now_ms)) return Error::Invalid("deadline", "is in the past");
    deadline_text = alerts_.DeadlineText(tx, *in.deadline);
  }
  auto id = alerts_.Insert(tx, net.id, in, actor, net.disclosure.For(in.kind) == Disclosure::kTiered);
  auto stored = alerts_.Get(tx, net.id, id);
  if (!stored.ok()) return stored.error();
  auto shell = stored.value();
  shell.deadline = deadline_text;  // as members read it
  if (auto s = fanout_.StoreMessages(tx, net, shell, 0, "alert"); !s.ok()) return s.error();

  // With an approval rule, step 0 is a trial until the rule is checked against what it reached.
  const bool trial = net.approval.Enabled();
  if (trial) tx.exec0("SAVEPOINT approval_trial");
  auto started = Begin(tx, net, id, in.kind, in.audience_given, in.roles, in.include_neighbours, now_ms, first_step);
  const bool pending =
      trial && NeedsApproval(net.approval, started.queued, in.areas,
                             net.approval.all_areas ? NetworkAreaNames(tx, net.id) : std::vector<std::string>{});
  if (pending) {
    tx.exec0("ROLLBACK TO SAVEPOINT approval_trial");
    started.timers.clear();
    HoldAlertForApproval(tx, id, started.queued);
    fanout_.TellCoordinators(tx, net, shell, "approval_needed", std::to_string(started.queued));
  } else if (trial) {
    tx.exec0("RELEASE SAVEPOINT approval_trial");
  }
  RecordAudit(tx, net.id, actor, pending ? "alerts.raise_pending" : "alerts.raise", "alert:" + std::to_string(id),
              "{\"kind\":\"" + in.kind + "\",\"recipients\":" + std::to_string(started.queued) + "}");
  auto alert = alerts_.Get(tx, net.id, id);  // with its warnings when nobody was reached
  if (!alert.ok()) return alert.error();
  Raised raised{std::move(alert.value()), std::move(started.timers), std::nullopt};
  raised.pending = pending;
  if (key) {
    raised.receipt = RaiseReceipt{pending ? 202 : 201, RaisedAlertJson(raised.alert), false};
    key->Complete(tx, id, *raised.receipt);
  }
  return raised;
}

EscalationOutcome AlertUseCases::Begin(pqxx::work& tx, const Network& net, std::int64_t id, const std::string& kind,
                                       bool audience_given, const std::vector<std::string>& roles,
                                       bool include_neighbours, std::int64_t now_ms,
                                       const std::vector<PolicyAudience>* given_step) const {
  // The request's audience, when it names one, replaces the members of the policy's first step;
  // the organisations that step reaches still hear of it.
  auto policy = PolicyFor(tx, net.id, kind);
  if (given_step) return runner_.Start(tx, net, id, policy, *given_step, now_ms);
  std::optional<std::vector<PolicyAudience>> first_step;
  if (audience_given) {
    AlertInput request;
    request.roles = roles;
    request.include_neighbours = include_neighbours;
    first_step = RequestAudience(request);
    const auto& policy_first = policy.steps.front().audience;
    if (policy_first.ReachesOrganisations()) {
      PolicyAudience orgs;
      orgs.scope = AreaScope::kNoMembers;
      orgs.roles.clear();
      orgs.organisation_scope = policy_first.organisation_scope;
      orgs.organisations = policy_first.organisations;
      first_step->push_back(orgs);
    }
  }
  return runner_.Start(tx, net, id, policy, first_step, now_ms);
}

Result<std::int64_t> AlertUseCases::Update(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                           const std::string& message, const std::string& actor,
                                           std::int64_t now_ms) const {
  if (auto s = CheckText(message, "message", 480); !s.ok()) return s.error();
  auto alert = alerts_.Lock(tx, net.id, alert_id);
  if (!alert.ok()) return alert.error();
  if (alert->status == "pending_approval") return Error::Conflict("status", kWaitsForApproval);
  if (alert->status == "verifying") return Error::Conflict("status", kWaitsForVerifiers);
  if (alert->status != "open") return Error::Conflict("status", "the alert has ended");
  int seq = alerts_.NextSeq(tx, alert_id);
  if (auto s = fanout_.StoreMessages(tx, net, alert.value(), seq, "update", message); !s.ok()) return s.error();
  auto queued = fanout_.QueueForReached(tx, alert_id, seq);
  // By id: the locked row has no counts; the event carries the alert as GET shows it.
  webhooks_.Queue(tx, net, alert_id, "alert.updated", {{"message", message}}, now_ms);
  RecordAudit(tx, net.id, actor, "alerts.update", "alert:" + std::to_string(alert_id));
  return queued;
}

Result<Alert> AlertUseCases::End(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                 const std::string& status, const std::string& message, const std::string& actor,
                                 std::int64_t now_ms) const {
  if (!message.empty()) {
    if (auto s = CheckText(message, "message", 480); !s.ok()) return s.error();
  }
  // The escalation row first, the alert second: the order a firing deadline takes them in, so
  // the two never deadlock.
  LockEscalation(tx, alert_id);
  auto alert = alerts_.Lock(tx, net.id, alert_id);
  if (!alert.ok()) return alert.error();
  if (alert->status == "pending_approval") return Error::Conflict("status", kWaitsForApproval);
  if (alert->status == "verifying") return Error::Conflict("status", kWaitsForVerifiers);
  if (alert->status != "open") return Error::Conflict("status", "the alert has ended already");
  alerts_.MarkEnded(tx, alert_id, status, now_ms);
  StopEscalation(tx, alert_id);
  int seq = alerts_.NextSeq(tx, alert_id);
  auto key = status == "resolved" ? "resolve" : "cancel";
  if (auto s = fanout_.StoreMessages(tx, net, alert.value(), seq, key, message); !s.ok()) return s.error();
  fanout_.QueueForReached(tx, alert_id, seq);
  RecordAudit(tx, net.id, actor, status == "resolved" ? "alerts.resolve" : "alerts.cancel",
              "alert:" + std::to_string(alert_id));
  auto ended = alerts_.Get(tx, net.id, alert_id);
  if (ended.ok()) {
    webhooks_.Queue(tx, net, ended.value(), status == "resolved" ? "alert.resolved" : "alert.cancelled",
                    {{"message", message}}, now_ms);
  }
  return ended;
}

}  // namespace tocsin
