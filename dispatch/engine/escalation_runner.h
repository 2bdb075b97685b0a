// EscalationRunner: one escalation decision, in one transaction. It locks the alert's
// escalation (or the deadline that fired), loads the facts the rules need, asks
// model/escalation_rules.h's Decide what to do, and applies the actions: steps through the
// Fanout or the TreeMover, reminders and backups through the Fanout, state and new deadlines
// through store/escalation_store.h. The Escalator (escalator.h) calls it from its deadlines and
// after answers; the Raise use case calls Start.
//
// A step reaches its organisations (WebhookFanout::Reach: alert.raised to those not reached
// before), then a step after the first is reported to the alert's organisations
// (escalation.step).
//
// Every function runs inside the caller's transaction; `now_ms` is the engine clock's.
// Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/engine/event_hub.h"
#include "dispatch/engine/tree_mover.h"
#include "dispatch/fanout/fanout.h"
#include "dispatch/fanout/webhook_fanout.h"
#include "dispatch/model/escalation_rules.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/escalation_store.h"

namespace tocsin {

// What a decision did, for the caller to act on after commit.
struct EscalationOutcome {
  std::int64_t alert_id = 0;
  std::int64_t queued = 0;           // deliveries queued (wake the sender)
  bool webhooks = false;             // webhook deliveries queued (wake the webhook sender)
  std::vector<PendingTimer> timers;  // new deadlines to schedule in memory
  std::string what;                  // "step 1", "goal_met", "reminded 3", "stale", ...
  bool ended = false;                // the escalation ended (goal met): forget its timers
  std::vector<std::string> warnings;  // a step reached nobody: why (stored with the alert too)
  std::vector<NetworkEvent> network_events;  // for its network's stream (a report's outcome)
};

class EscalationRunner {
 public:
  EscalationRunner(const Fanout& fanout, const WebhookFanout& webhooks, const DataCipher& cipher)
      : fanout_(fanout), webhooks_(webhooks), mover_(fanout), alerts_(cipher) {}

  // Records a new alert's escalation and starts step 0. `first_step`, when given, replaces the
  // audiences of step 0 (the raise named its own audience).
  EscalationOutcome Start(pqxx::work& tx, const Network& net, std::int64_t alert_id, const Policy& policy,
                          const std::optional<std::vector<PolicyAudience>>& first_step, std::int64_t now_ms) const;
  // The deadline `timer_id` is due.
  EscalationOutcome Fire(pqxx::work& tx, std::int64_t timer_id, std::int64_t now_ms) const;
  // Answers arrived for the alert (and, with `failures`, deliveries of it failed): failed
  // members' backups are called, its trees move, its current step's goal is checked.
  EscalationOutcome Check(pqxx::work& tx, std::int64_t alert_id, bool failures, std::int64_t now_ms) const;

 private:
  void Apply(pqxx::work& tx, const Network& net, std::int64_t alert_id, const Escalation& e,
             const EscalationActions& a, const std::optional<std::vector<PolicyAudience>>& first_step,
             std::int64_t now_ms, EscalationOutcome& out) const;
  // Moves the alert's trees when its policy has any.
  // Records why step `step` (0-based) of `audiences` reached nobody.
  void Warn(pqxx::work& tx, std::int64_t alert_id, std::size_t step, const std::vector<PolicyAudience>& audiences,
            EscalationOutcome& out) const;
  void MoveTrees(pqxx::work& tx, const Network& net, std::int64_t alert_id, const Escalation& e,
                 std::int64_t now_ms, EscalationOutcome& out) const;
  EscalationFacts GoalFacts(pqxx::transaction_base& tx, std::int64_t alert_id, const Escalation& e) const;

  const Fanout& fanout_;
  const WebhookFanout& webhooks_;
  const TreeMover mover_;
  const AlertStore alerts_;
};

}  // namespace tocsin
