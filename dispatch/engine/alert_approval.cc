// AlertUseCases' held alerts (alert_use_cases.h): Approve and Reject, the second coordinator's
// decision on an alert held pending_approval by Raise (the rule of who may decide is
// model/approval.h's), and a report's alert held verifying until its verifiers confirm it.
#include "dispatch/engine/alert_use_cases.h"

#include "dispatch/model/approval.h"
#include "dispatch/model/validation.h"
#include "dispatch/store/approval_store.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/verification_store.h"

namespace tocsin {

Result<Alert> AlertUseCases::LockPending(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                         const std::string& decider, bool* audience_given) const {
  auto alert = alerts_.Lock(tx, net.id, alert_id);
  if (!alert.ok()) return alert.error();
  auto pending = FindPendingRaise(tx, alert_id);
  if (!pending) return Error::Conflict("status", "the alert is not waiting for approval (it is " + alert->status + ")");
  ApprovalParty raiser{pending->created_by, ActorTokenLabel(tx, pending->created_by)};
  ApprovalParty second{decider, ActorTokenLabel(tx, decider)};
  if (auto s = CheckSecondPerson(raiser, second); !s.ok()) return s.error();
  *audience_given = pending->audience_given;
  return alert;
}

Result<Raised> AlertUseCases::Approve(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                      const std::string& decider, std::int64_t now_ms,
                                      const std::vector<PolicyAudience>* first_step) const {
  // The escalation row is created by the start below; lock order otherwise as End's.
  bool audience_given = false;
  auto alert = LockPending(tx, net, alert_id, decider, &audience_given);
  if (!alert.ok()) return alert.error();
  return OpenHeld(tx, net, alert.value(), audience_given, decider, "alerts.approve", now_ms, first_step);
}

Result<Raised> AlertUseCases::OpenHeld(pqxx::work& tx, const Network& net, const Alert& alert, bool audience_given,
                                       const std::string& actor, const char* action, std::int64_t now_ms,
                                       const std::vector<PolicyAudience>* first_step) const {
  OpenApprovedAlert(tx, alert.id);
  auto started = Begin(tx, net, alert.id, alert.kind, audience_given, alert.roles, alert.include_neighbours, now_ms,
                       first_step);
  RecordAudit(tx, net.id, actor, action, "alert:" + std::to_string(alert.id),
              "{\"recipients\":" + std::to_string(started.queued) + "}");
  auto opened = alerts_.Get(tx, net.id, alert.id);
  if (!opened.ok()) return opened.error();
  return Raised{std::move(opened.value()), std::move(started.timers), std::nullopt};
}

Result<Alert> AlertUseCases::HoldForVerification(pqxx::work& tx, const Network& net, const AlertInput& raw,
                                                 const std::string& actor, const std::string& code) const {
  auto canonical = CanonicalAlertInput(raw);
  if (!canonical.ok()) return canonical.error();
  const AlertInput in = std::move(canonical).value();
  auto id = alerts_.Insert(tx, net.id, in, actor, net.disclosure.For(in.kind) == Disclosure::kTiered);
  HoldAlertForVerification(tx, net.id, id, code);
  RecordAudit(tx, net.id, actor, "alerts.raise_verifying", "alert:" + std::to_string(id),
              "{\"kind\":\"" + in.kind + "\"}");
  return alerts_.Get(tx, net.id, id);
}

Result<Raised> AlertUseCases::StartVerified(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                            const std::string& actor,
                                            const std::map<std::string, std::string>& marker,
                                            std::int64_t now_ms) const {
  auto alert = alerts_.Lock(tx, net.id, alert_id);
  if (!alert.ok()) return alert.error();
  if (alert->status != "verifying") {
    return Error::Conflict("status", "the alert is not waiting for verification (it is " + alert->status + ")");
  }
  // Its text is rendered only now: a report raised unverified says so in it, in each language.
  if (auto s = fanout_.StoreMessages(tx, net, alert.value(), 0, "alert", "", marker); !s.ok()) return s.error();
  return OpenHeld(tx, net, alert.value(), false, actor, "alerts.raise", now_ms);
}

Result<Alert> AlertUseCases::Reject(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                    const std::string& decider, const std::string& reason,
                                    std::int64_t now_ms) const {
  if (!reason.empty()) {
    if (auto s = CheckText(reason, "reason", 480); !s.ok()) return s.error();
  }
  bool audience_given = false;
  auto alert = LockPending(tx, net, alert_id, decider, &audience_given);
  if (!alert.ok()) return alert.error();
  // Nobody was reached: nothing to tell members or organisations. The reason is not stored (it
  // is free text, and the audit log holds nothing sealed); the audit row says one was given.
  alerts_.MarkEnded(tx, alert_id, "cancelled", now_ms);
  RecordAudit(tx, net.id, decider, "alerts.reject", "alert:" + std::to_string(alert_id),
              reason.empty() ? "{}" : "{\"reason_given\":true}");
  return alerts_.Get(tx, net.id, alert_id);
}

}  // namespace tocsin
