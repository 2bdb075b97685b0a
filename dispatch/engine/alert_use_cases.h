// The alert use cases' transactions: raising an alert (validate, store it, render its text once
// per language, start its escalation: step 0's audience is queued), approving or rejecting a
// raise that waits for a second coordinator (alert_approval.cc), a follow-up update, and
// ending it (resolve or cancel). Each runs inside the caller's transaction and returns what the
// Engine must do after the commit (engine.h: wake the dispatcher, schedule deadlines, forget).
//
// Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/engine/escalation_runner.h"
#include "dispatch/fanout/fanout.h"
#include "dispatch/fanout/webhook_fanout.h"
#include "dispatch/model/alert.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/raise_key.h"
#include "dispatch/store/network_registry.h"

namespace tocsin {

struct Raised {
  Alert alert;
  std::vector<PendingTimer> timers;  // the escalation's first deadlines
  // A raise under a key (raise_key.h): the answer stored under it (the first one's when this is
  // a repeat: then nothing else was done and `alert` is empty).
  std::optional<RaiseReceipt> receipt;
  bool repeat = false;
  // The raise crossed the network's approval rule (model/approval.h): stored pending_approval,
  // nothing sent to its audience and no deadline; the coordinators were told (queued SMS).
  bool pending = false;
};

// The checked, canonical form of a raise's fields (areas and roles sorted and unique; roles
// default to responder). Errors name the field.
Result<AlertInput> CanonicalAlertInput(const AlertInput& raw);
// The members a raise that names its audience reaches first (canonical `in`): its roles in the
// alert's areas, and in the neighbouring areas with include_neighbours.
std::vector<PolicyAudience> RequestAudience(const AlertInput& in);

class AlertUseCases {
 public:
  AlertUseCases(const DataCipher& cipher, const Fanout& fanout, const WebhookFanout& webhooks,
                const EscalationRunner& runner)
      : alerts_(cipher), fanout_(fanout), webhooks_(webhooks), runner_(runner) {}

  // Validates `in` (errors name the field), inserts the alert and its texts, and starts its
  // escalation (the request's audience, when it names one, replaces step 0's members; step 0's
  // organisations are reached either way and sent alert.raised). With `key`, a key seen before (committed, or
  // committing: this waits for it) raises nothing and returns the first raise's receipt (or
  // why it cannot); a new key's receipt is stored with the alert.
  // When the network has an approval rule, step 0 is first tried inside a savepoint: a raise
  // whose audience crosses the rule is rolled back to the bare alert, held pending_approval
  // (with the recipients it would reach) and the network's coordinators are sent
  // approval_needed (no location in it).
  // `first_step`, when given, is step 0's audience whatever the request or the policy say (a
  // case's contacts: engine/case_alerts.h).
  Result<Raised> Raise(pqxx::work& tx, const Network& net, const AlertInput& in, const std::string& actor,
                       std::int64_t now_ms, const RaiseKey* key = nullptr,
                       const std::vector<PolicyAudience>* first_step = nullptr) const;
  // A second coordinator's decision on a pending alert (alert_approval.cc). `decider` is the
  // deciding token's actor ("token:12"); the raiser's token, or one of the same label, is
  // Forbidden; an alert not pending_approval is a Conflict. Approve starts it as the raise would
  // have (its escalation begins now; `first_step`, when given, as Raise's: a case's alert is
  // approved to its contacts); Reject cancels it with nothing sent. Both audited.
  Result<Raised> Approve(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& decider,
                         std::int64_t now_ms, const std::vector<PolicyAudience>* first_step = nullptr) const;
  Result<Alert> Reject(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& decider,
                       const std::string& reason, std::int64_t now_ms) const;
  // A report's alert waiting for its verifiers (alert_approval.cc; engine/report_verification.h):
  // Hold validates `in` as Raise does and stores the alert `verifying` under `code` (the
  // report's, unless an alert in progress has it) with nothing sent and no deadline; audited as
  // alerts.raise_verifying by `actor` ("report:<id>"). StartVerified starts a verifying alert as
  // Approve starts a pending one (its text rendered now, with `marker`, per language, before its
  // details when not empty: "unconfirmed report"); Conflict when it is not verifying.
  Result<Alert> HoldForVerification(pqxx::work& tx, const Network& net, const AlertInput& in, const std::string& actor,
                                    const std::string& code) const;
  Result<Raised> StartVerified(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& actor,
                               const std::map<std::string, std::string>& marker, std::int64_t now_ms) const;
  // Queues `message` for every member the alert reached (and alert.updated for endpoints).
  // Conflict if the alert has ended.
  Result<std::int64_t> Update(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                              const std::string& message, const std::string& actor, std::int64_t now_ms) const;
  // Ends the alert (`status`: resolved or cancelled): cancels what is unsent, stops its
  // escalation and queues the closing message for those reached. Conflict if ended already.
  Result<Alert> End(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& status,
                    const std::string& message, const std::string& actor, std::int64_t now_ms) const;

 private:
  // Starts alert `id`'s escalation: the policy of `kind`, its step 0 replaced by the raise's own
  // audience when `audience_given` (roles, neighbours), or by `first_step` when given.
  EscalationOutcome Begin(pqxx::work& tx, const Network& net, std::int64_t id, const std::string& kind,
                          bool audience_given, const std::vector<std::string>& roles, bool include_neighbours,
                          std::int64_t now_ms, const std::vector<PolicyAudience>* first_step = nullptr) const;
  // Opens a held alert (pending or verifying) and starts it as its raise would have; audited as
  // `action` by `actor`.
  Result<Raised> OpenHeld(pqxx::work& tx, const Network& net, const Alert& alert, bool audience_given,
                          const std::string& actor, const char* action, std::int64_t now_ms,
                          const std::vector<PolicyAudience>* first_step = nullptr) const;
  // Checks that `decider` may decide on pending alert `alert_id`; the alert, locked.
  Result<Alert> LockPending(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& decider,
                            bool* audience_given) const;

  const AlertStore alerts_;
  const Fanout& fanout_;
  const WebhookFanout& webhooks_;
  const EscalationRunner& runner_;
};

}  // namespace tocsin
