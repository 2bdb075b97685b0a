// AlertUseCases::Approve and Reject (alert_use_cases.h): the second coordinator's decision on
// an alert held pending_approval by Raise. The rule of who may decide is model/approval.h's.
#include "dispatch/engine/alert_use_cases.h"

#include "dispatch/model/approval.h"
#include "dispatch/model/validation.h"
#include "dispatch/store/approval_store.h"
#include "dispatch/store/audit_log.h"

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
                                      const std::string& decider, std::int64_t now_ms) const {
  // The escalation row is created by the start below; lock order otherwise as End's.
  bool audience_given = false;
  auto alert = LockPending(tx, net, alert_id, decider, &audience_given);
  if (!alert.ok()) return alert.error();
  OpenApprovedAlert(tx, alert_id);
  auto started = Begin(tx, net, alert_id, alert->kind, audience_given, alert->roles, alert->include_neighbours, now_ms);
  RecordAudit(tx, net.id, decider, "alerts.approve", "alert:" + std::to_string(alert_id),
              "{\"recipients\":" + std::to_string(started.queued) + "}");
  auto opened = alerts_.Get(tx, net.id, alert_id);
  if (!opened.ok()) return opened.error();
  return Raised{std::move(opened.value()), std::move(started.timers), std::nullopt};
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
