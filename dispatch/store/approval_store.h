// Alerts waiting for a second coordinator (model/approval.h): holding a raised alert back,
// what its approval needs to start it as the raise would have, and the facts the rule reads.
// Every function runs inside a caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

// Marks a just-inserted alert pending_approval with the audience its first step would reach.
void HoldAlertForApproval(pqxx::work& tx, std::int64_t alert_id, std::int64_t recipients);

// How a pending alert was raised. nullopt when the alert is not pending_approval.
struct PendingRaise {
  // The raiser, as the audit log names it: the alert's requested_by when it was raised on
  // someone's behalf (a case's alert: who recorded the event), else its created_by.
  std::string created_by;
  bool audience_given = false;
};
std::optional<PendingRaise> FindPendingRaise(pqxx::transaction_base& tx, std::int64_t alert_id);

// Records who asked for an alert raised on someone's behalf (schema/0045: a case's alert,
// created by case:<id>; `actor` recorded the event that raised it).
void SetRequestedBy(pqxx::work& tx, std::int64_t alert_id, const std::string& actor);

// Opens a pending alert (status open, no recipients yet: its start counts them).
void OpenApprovedAlert(pqxx::work& tx, std::int64_t alert_id);

// The label of the token `actor` names ("token:12"); "" for another actor or no label.
std::string ActorTokenLabel(pqxx::transaction_base& tx, const std::string& actor);

// Every area of the network: those it has defined and those its active members list.
std::vector<std::string> NetworkAreaNames(pqxx::transaction_base& tx, std::int64_t network_id);

}  // namespace tocsin
