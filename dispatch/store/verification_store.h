// A report's verification in the database (issue 12): the alert held `verifying` while its
// report's verifiers are asked, its verification deadlines (escalation_timers kind 'verify'),
// the messages it queues for verifiers, coordinators and the reporter, and the answers the
// report's timeline holds. SQL only: what to do is model/report_rules.h's, the engine
// (engine/report_verification.h) applies it. Every function runs inside a caller's transaction.
//
// Invariants:
//  1. A verification deadline is fired by LockVerifyDeadline in the transaction that applies what
//     it does (the row is locked and marked 'fired'), so it never acts twice, restarts included.
//  2. A verifier counts once: their latest answer (seen or not_seen) is the one that counts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/store/escalation_store.h"

namespace tocsin {

// Marks a just-inserted alert `verifying` (nothing sent to its audience, no recipients) under
// `code` (its report's) when no other alert of the network in progress has it; else it keeps
// its own. Returns the code it has.
std::string HoldAlertForVerification(pqxx::work& tx, std::int64_t network_id, std::int64_t alert_id,
                                     const std::string& code);
// How many alerts are verifying now (all networks).
std::int64_t VerifyingAlerts(pqxx::transaction_base& tx);

// Queues message `seq` of the alert for every active sms member holding `role` in one of `areas`
// who has no delivery of the alert yet, in their language if one of `languages` (array
// literals), else `fallback_language`. Returns how many.
std::int64_t QueueForRoleIn(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                            const std::string& role, const std::string& areas, const std::string& languages,
                            const std::string& fallback_language);
// Queues message `seq` of the alert for the active sms members `ids` (array literal) of the
// network. Returns how many.
std::int64_t QueueForMembersOf(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                               const std::string& ids, const std::string& languages,
                               const std::string& fallback_language);
// Queues message `seq` of the alert for the reporters of report `report_id` and of the reports
// merged into it who are not members and did not STOP the network: one delivery per number
// (deliveries.report_id; the number stays sealed on the report), in the report's language if
// one of `languages`, else `fallback_language`. Returns how many.
std::int64_t QueueForReporters(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                               std::int64_t report_id, const std::string& languages,
                               const std::string& fallback_language);
// The members who made report `report_id` or a report merged into it.
std::vector<std::int64_t> MemberReporters(pqxx::transaction_base& tx, std::int64_t report_id);

PendingTimer InsertVerifyDeadline(pqxx::work& tx, std::int64_t alert_id, std::int64_t due_ms);
// Locks the verification deadline and marks it fired; the alert it belongs to and its network,
// or nullopt when it is no longer pending.
std::optional<std::pair<std::int64_t, std::int64_t>> LockVerifyDeadline(pqxx::work& tx, std::int64_t timer_id);
void CancelVerifyDeadlines(pqxx::work& tx, std::int64_t alert_id);

// A report's alert a member answers for: one they were asked about (a verify or verify_timeout
// message) and not sent the alert itself (a responder's 1 is the alert's).
struct VerifyingTarget {
  std::int64_t alert_id = 0;
  std::int64_t report_id = 0;
};
// The verifying (or, once decided, open) alert whose code is `code` when given, else the alert
// of the member's latest delivery when that delivery asked them; nullopt: the member's answer is
// not about a report.
std::optional<VerifyingTarget> FindVerifyingTarget(pqxx::transaction_base& tx, std::int64_t network_id,
                                                   std::int64_t member_id, const std::optional<std::string>& code);

// The facts of a report's verification, from its timeline.
struct VerificationTally {
  int seen = 0;       // verifiers whose latest answer is 1
  int not_seen = 0;   // ... is 2
  bool neighbours_asked = false;
  bool timed_out = false;
};
VerificationTally TallyVerification(pqxx::transaction_base& tx, std::int64_t report_id);
// The network of report `report_id`.
std::optional<std::int64_t> NetworkOfReport(pqxx::transaction_base& tx, std::int64_t report_id);
// The report whose verification holds `alert_id` (not one merged into it).
std::optional<std::int64_t> ReportOfAlert(pqxx::transaction_base& tx, std::int64_t alert_id);
// The report locked (FOR UPDATE), its status and alert: so two answers never decide it twice.
struct LockedReport {
  std::string status;
  std::optional<std::int64_t> alert_id;
  std::int64_t received_ms = 0;
};
std::optional<LockedReport> LockReport(pqxx::work& tx, std::int64_t network_id, std::int64_t report_id);

// What a new report could merge into (model/report_rules.h MergeCandidate fields): the reports
// pending (verifying or waiting for a coordinator) received since `since_ms`, and every open
// alert, newest first, dated `now_ms` (an open alert is current however long ago it was raised;
// its creation time is the database's, not the engine clock's).
struct MergeRow {
  std::int64_t id = 0;
  bool is_alert = false;
  std::string kind;
  std::vector<std::string> areas;
  std::int64_t at_ms = 0;
};
std::vector<MergeRow> MergeRows(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t report_id,
                                std::int64_t since_ms, std::int64_t now_ms);
// Merges report `report_id` into the open alert `alert_id` (status merged, its alert_id set, merged
// into the report that raised the alert when one did, which counts one more reporter). Returns
// that report's reporters now, nullopt when no report raised the alert.
std::optional<int> MergeReportIntoAlert(pqxx::work& tx, std::int64_t report_id, std::int64_t alert_id,
                                        std::int64_t now_ms);
// Serialises the reports of a network being verified or merged (a transaction-scoped lock).
void LockNetworkReports(pqxx::work& tx, std::int64_t network_id);

}  // namespace tocsin
