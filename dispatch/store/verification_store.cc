#include "dispatch/store/verification_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kCodeInUse =
    "SELECT 1 FROM alerts WHERE network_id = $1 AND code = $2 AND id <> $3"
    " AND status IN ('open', 'pending_approval', 'verifying')";
constexpr const char* kHold = "UPDATE alerts SET status = 'verifying', recipients = 0, code = $2 WHERE id = $1";
constexpr const char* kCodeOf = "SELECT code FROM alerts WHERE id = $1";
constexpr const char* kVerifying = "SELECT count(*) FROM alerts WHERE status = 'verifying'";

// The member's language if it has a message, else the fallback's (as fanout's queries).
#define TOCSIN_QUEUE_MESSAGE                                                                     \
  "INSERT INTO deliveries (alert_id, seq, network_id, member_id, language, segments)"            \
  " SELECT $1, $2, m.network_id, m.id, msg.language, msg.segments FROM members m"               \
  " JOIN alert_messages msg ON msg.alert_id = $1 AND msg.seq = $2"                               \
  "  AND msg.language = CASE WHEN m.language = ANY($4::text[]) THEN m.language ELSE $5 END"      \
  " WHERE m.network_id = $3 AND m.status = 'active' AND 'sms' = ANY(m.channels)"
constexpr const char* kQueueForRoleIn =
    TOCSIN_QUEUE_MESSAGE " AND $6 = ANY(m.roles) AND m.areas && $7::text[]"
    " AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.alert_id = $1 AND x.member_id = m.id) ORDER BY m.id";
constexpr const char* kQueueForMembers = TOCSIN_QUEUE_MESSAGE " AND m.id = ANY($6::bigint[]) ORDER BY m.id";
#undef TOCSIN_QUEUE_MESSAGE
// Non-member reporters (schema/0042): one delivery per number, in the report's language.
constexpr const char* kQueueForReporters =
    "INSERT INTO deliveries (alert_id, seq, network_id, report_id, language, segments)"
    " SELECT DISTINCT ON (r.reporter_hash) $1, $2, r.network_id, r.id, msg.language, msg.segments FROM reports r"
    " JOIN alert_messages msg ON msg.alert_id = $1 AND msg.seq = $2"
    "  AND msg.language = CASE WHEN r.reporter_language = ANY($4::text[]) THEN r.reporter_language ELSE $5 END"
    " WHERE r.network_id = $3 AND (r.id = $6 OR r.merged_into = $6) AND r.reporter_member_id IS NULL"
    "  AND r.reporter_enc IS NOT NULL AND r.reporter_hash IS NOT NULL"
    "  AND NOT EXISTS (SELECT 1 FROM stopped_numbers s WHERE s.network_id = r.network_id"
    "   AND s.phone_hash = r.reporter_hash)"
    " ORDER BY r.reporter_hash, r.id";
constexpr const char* kMemberReporters =
    "SELECT DISTINCT reporter_member_id FROM reports WHERE (id = $1 OR merged_into = $1)"
    " AND reporter_member_id IS NOT NULL ORDER BY 1";

constexpr const char* kInsertTimer =
    "INSERT INTO escalation_timers (alert_id, kind, step, due_at)"
    " VALUES ($1, 'verify', 0, to_timestamp($2::float8 / 1000)) RETURNING id";
constexpr const char* kLockTimer =
    "SELECT t.alert_id, a.network_id FROM escalation_timers t JOIN alerts a ON a.id = t.alert_id"
    " WHERE t.id = $1 AND t.kind = 'verify' AND t.state = 'pending' FOR UPDATE OF t";
constexpr const char* kMarkFired = "UPDATE escalation_timers SET state = 'fired' WHERE id = $1";
constexpr const char* kCancelTimers =
    "UPDATE escalation_timers SET state = 'cancelled' WHERE alert_id = $1 AND kind = 'verify' AND state = 'pending'";

// A member's delivery of one of the alert's questions (to verifiers, or to coordinators on a timeout).
#define TOCSIN_ASKED(d)                                                                                  \
  "EXISTS (SELECT 1 FROM alert_messages msg WHERE msg.alert_id = " d ".alert_id AND msg.seq = " d ".seq" \
  " AND msg.language = " d ".language AND msg.kind IN ('verify', 'verify_timeout'))"
constexpr const char* kTargetByCode =
    "SELECT a.id, r.id FROM alerts a JOIN reports r ON r.alert_id = a.id AND r.status <> 'merged'"
    " WHERE a.network_id = $1 AND a.code = $2 AND a.status IN ('verifying', 'open')"
    " AND EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id AND d.member_id = $3 AND " TOCSIN_ASKED("d") ")"
    " AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_id = a.id AND d.member_id = $3 AND d.seq = 0)";
constexpr const char* kTargetLatest =
    "SELECT a.id, r.id FROM (SELECT alert_id, seq, language FROM deliveries WHERE network_id = $1 AND member_id = $2"
    "  ORDER BY id DESC LIMIT 1) d"
    " JOIN alerts a ON a.id = d.alert_id AND a.status IN ('verifying', 'open')"
    " JOIN reports r ON r.alert_id = a.id AND r.status <> 'merged' WHERE " TOCSIN_ASKED("d");
#undef TOCSIN_ASKED

constexpr const char* kTally =
    "SELECT count(*) FILTER (WHERE what = 'seen'), count(*) FILTER (WHERE what = 'not_seen'),"
    " (SELECT count(*) > 0 FROM report_events WHERE report_id = $1 AND what = 'asked' AND actor = 'neighbours'),"
    " (SELECT count(*) > 0 FROM report_events WHERE report_id = $1 AND what = 'timeout')"
    " FROM (SELECT DISTINCT ON (member_id) what FROM report_events"
    "  WHERE report_id = $1 AND what IN ('seen', 'not_seen') AND member_id IS NOT NULL"
    "  ORDER BY member_id, seq DESC) latest";
constexpr const char* kNetworkOfReport = "SELECT network_id FROM reports WHERE id = $1";
constexpr const char* kReportOfAlert =
    "SELECT id FROM reports WHERE alert_id = $1 AND status <> 'merged' ORDER BY id LIMIT 1";
constexpr const char* kLockReport =
    "SELECT status, alert_id, (extract(epoch FROM received_at) * 1000)::bigint FROM reports"
    " WHERE network_id = $1 AND id = $2 FOR UPDATE";

constexpr const char* kMergeRows =
    "SELECT id, false, kind, areas, (extract(epoch FROM received_at) * 1000)::bigint FROM reports"
    " WHERE network_id = $1 AND id <> $2 AND status = 'pending' AND received_at >= to_timestamp($3::float8 / 1000)"
    " UNION ALL (SELECT id, true, kind, areas, $4::bigint FROM alerts"
    " WHERE network_id = $1 AND status = 'open' ORDER BY id DESC)";
// The report merged, one more reporter on `into`, and both timelines' events, in one statement.
constexpr const char* kMergeIntoAlert =
    "UPDATE reports SET status = 'merged', alert_id = $2, decided_at = to_timestamp($3::float8 / 1000),"
    " merged_into = (SELECT o.id FROM reports o WHERE o.alert_id = $2 AND o.id <> $1 AND o.status = 'confirmed'"
    "  ORDER BY o.id LIMIT 1) WHERE id = $1 AND status = 'pending' RETURNING merged_into";
constexpr const char* kAddReporter = "UPDATE reports SET reporters = reporters + 1 WHERE id = $1 RETURNING reporters";
constexpr const char* kLockNetwork = "SELECT pg_advisory_xact_lock(hashtext('reports'), $1::integer)";

}  // namespace

std::string HoldAlertForVerification(pqxx::work& tx, std::int64_t network_id, std::int64_t alert_id,
                                     const std::string& code) {
  std::string held = code;
  if (!tx.exec_params(kCodeInUse, network_id, code, alert_id).empty()) {
    held = tx.exec_params1(kCodeOf, alert_id)[0].as<std::string>();
  }
  tx.exec_params(kHold, alert_id, held);
  return held;
}

std::int64_t VerifyingAlerts(pqxx::transaction_base& tx) { return tx.exec1(kVerifying)[0].as<std::int64_t>(); }

std::int64_t QueueForRoleIn(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                            const std::string& role, const std::string& areas, const std::string& languages,
                            const std::string& fallback_language) {
  return static_cast<std::int64_t>(
      tx.exec_params(kQueueForRoleIn, alert_id, seq, network_id, languages, fallback_language, role, areas)
          .affected_rows());
}

std::int64_t QueueForMembersOf(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                               const std::string& ids, const std::string& languages,
                               const std::string& fallback_language) {
  return static_cast<std::int64_t>(
      tx.exec_params(kQueueForMembers, alert_id, seq, network_id, languages, fallback_language, ids).affected_rows());
}

std::int64_t QueueForReporters(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                               std::int64_t report_id, const std::string& languages,
                               const std::string& fallback_language) {
  return static_cast<std::int64_t>(
      tx.exec_params(kQueueForReporters, alert_id, seq, network_id, languages, fallback_language, report_id)
          .affected_rows());
}

std::vector<std::int64_t> MemberReporters(pqxx::transaction_base& tx, std::int64_t report_id) {
  std::vector<std::int64_t> out;
  for (const auto& r : tx.exec_params(kMemberReporters, report_id)) out.push_back(r[0].as<std::int64_t>());
  return out;
}

PendingTimer InsertVerifyDeadline(pqxx::work& tx, std::int64_t alert_id, std::int64_t due_ms) {
  auto r = tx.exec_params1(kInsertTimer, alert_id, static_cast<double>(due_ms));
  return PendingTimer{r[0].as<std::int64_t>(), alert_id, due_ms, TimerOwner::kVerification};
}

std::optional<std::pair<std::int64_t, std::int64_t>> LockVerifyDeadline(pqxx::work& tx, std::int64_t timer_id) {
  auto rows = tx.exec_params(kLockTimer, timer_id);
  if (rows.empty()) return std::nullopt;
  tx.exec_params(kMarkFired, timer_id);
  return std::pair{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>()};
}

void CancelVerifyDeadlines(pqxx::work& tx, std::int64_t alert_id) { tx.exec_params(kCancelTimers, alert_id); }

std::optional<VerifyingTarget> FindVerifyingTarget(pqxx::transaction_base& tx, std::int64_t network_id,
                                                   std::int64_t member_id, const std::optional<std::string>& code) {
  auto rows = code ? tx.exec_params(kTargetByCode, network_id, *code, member_id)
                   : tx.exec_params(kTargetLatest, network_id, member_id);
  if (rows.empty()) return std::nullopt;
  return VerifyingTarget{rows[0][0].as<std::int64_t>(), rows[0][1].as<std::int64_t>()};
}

VerificationTally TallyVerification(pqxx::transaction_base& tx, std::int64_t report_id) {
  auto r = tx.exec_params1(kTally, report_id);
  return VerificationTally{r[0].as<int>(), r[1].as<int>(), r[2].as<bool>(), r[3].as<bool>()};
}

std::optional<std::int64_t> NetworkOfReport(pqxx::transaction_base& tx, std::int64_t report_id) {
  auto rows = tx.exec_params(kNetworkOfReport, report_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::int64_t>();
}

std::optional<std::int64_t> ReportOfAlert(pqxx::transaction_base& tx, std::int64_t alert_id) {
  auto rows = tx.exec_params(kReportOfAlert, alert_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::int64_t>();
}

std::optional<LockedReport> LockReport(pqxx::work& tx, std::int64_t network_id, std::int64_t report_id) {
  auto rows = tx.exec_params(kLockReport, network_id, report_id);
  if (rows.empty()) return std::nullopt;
  LockedReport out;
  out.status = rows[0][0].as<std::string>();
  if (!rows[0][1].is_null()) out.alert_id = rows[0][1].as<std::int64_t>();
  out.received_ms = rows[0][2].as<std::int64_t>();
  return out;
}

std::vector<MergeRow> MergeRows(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t report_id,
                                std::int64_t since_ms, std::int64_t now_ms) {
  std::vector<MergeRow> out;
  for (const auto& r : tx.exec_params(kMergeRows, network_id, report_id, static_cast<double>(since_ms), now_ms)) {
    out.push_back(MergeRow{r[0].as<std::int64_t>(), r[1].as<bool>(), r[2].as<std::string>(),
                           FromPgArray(r[3]), r[4].as<std::int64_t>()});
  }
  return out;
}

std::optional<int> MergeReportIntoAlert(pqxx::work& tx, std::int64_t report_id, std::int64_t alert_id,
                                       std::int64_t now_ms) {
  auto rows = tx.exec_params(kMergeIntoAlert, report_id, alert_id, static_cast<double>(now_ms));
  if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
  return tx.exec_params1(kAddReporter, rows[0][0].as<std::int64_t>())[0].as<int>();
}

void LockNetworkReports(pqxx::work& tx, std::int64_t network_id) {
  tx.exec_params(kLockNetwork, static_cast<int>(network_id));
}

}  // namespace tocsin
