#include "dispatch/store/queue_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kInsertMessage =
    "INSERT INTO alert_messages (alert_id, seq, kind, language, body_enc, segments)"
    " VALUES ($1, $2, $3, $4, decode($5, 'hex'), $6)";

constexpr const char* kFanOut =
    "INSERT INTO deliveries (alert_id, seq, network_id, member_id, channel, language, segments, call_after_ms)"
    " SELECT $1, 0, m.network_id, m.id, ch.channel, msg.language, msg.segments,"
    "  CASE WHEN ch.channel = 'sms' THEN $9::integer END FROM members m"
    " CROSS JOIN LATERAL (SELECT CASE WHEN $8 = 'voice' OR NOT 'sms' = ANY(m.channels)"
    "   THEN 'voice' ELSE 'sms' END AS channel) ch"
    " JOIN alert_messages msg ON msg.alert_id = $1 AND msg.seq = 0 AND msg.language ="
    "   CASE WHEN m.language = ANY($5::text[]) THEN m.language ELSE $6 END"
    " WHERE m.network_id = $2 AND m.status = 'active' AND m.channels && ARRAY['sms', 'voice']"
    " AND ($3::text[] IS NULL OR m.areas && $3::text[]) AND ($4::text[] IS NULL OR m.roles && $4::text[])"
    " AND ($7::bigint[] IS NULL OR m.id = ANY($7::bigint[]))"
    " AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.alert_id = $1 AND x.seq = 0"
    "   AND x.member_id = m.id) ORDER BY m.id";

constexpr const char* kAddRecipients = "UPDATE alerts SET recipients = recipients + $2 WHERE id = $1";

constexpr const char* kQueueForReached =
    "INSERT INTO deliveries (alert_id, seq, network_id, member_id, language, segments)"
    " SELECT d.alert_id, $2, d.network_id, d.member_id, msg.language, msg.segments"
    " FROM deliveries d JOIN members m ON m.id = d.member_id AND m.status = 'active'"
    " JOIN alert_messages msg ON msg.alert_id = d.alert_id AND msg.seq = $2"
    "  AND msg.language = d.language"
    " WHERE d.alert_id = $1 AND d.seq = 0 AND d.state IN ('sent', 'delivered') ORDER BY d.id";

constexpr const char* kQueueForRole =
    "INSERT INTO deliveries (alert_id, seq, network_id, member_id, language, segments)"
    " SELECT $1, $2, m.network_id, m.id, msg.language, msg.segments FROM members m"
    " JOIN alert_messages msg ON msg.alert_id = $1 AND msg.seq = $2"
    "  AND msg.language = CASE WHEN m.language = ANY($5::text[]) THEN m.language ELSE $6 END"
    " WHERE m.network_id = $3 AND m.status = 'active' AND $4 = ANY(m.roles) AND 'sms' = ANY(m.channels)"
    " ORDER BY m.id";

constexpr const char* kQueueStandDown =
    "INSERT INTO deliveries (alert_id, seq, network_id, member_id, language, segments)"
    " SELECT d.alert_id, $2, d.network_id, d.member_id, msg.language, msg.segments"
    " FROM deliveries d JOIN members m ON m.id = d.member_id AND m.status = 'active'"
    " JOIN alert_messages msg ON msg.alert_id = d.alert_id AND msg.seq = $2 AND msg.language = d.language"
    " WHERE d.alert_id = $1 AND d.seq = 0 AND d.state IN ('sent', 'delivered')"
    " AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "   AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot')) ORDER BY d.id";

constexpr const char* kCancelUnsentAlert =
    "UPDATE deliveries SET state = 'cancelled', error_message = 'enough people answered',"
    " updated_at = now() WHERE alert_id = $1 AND seq = 0 AND state = 'queued'";
// Marks the deliveries reminded (once each) and queues a reminder for each active member.
constexpr const char* kQueueReminders =
    "WITH due AS (UPDATE deliveries d SET reminded = true FROM members m"
    "  WHERE d.id = ANY($3::bigint[]) AND d.alert_id = $1 AND NOT d.reminded"
    "  AND m.id = d.member_id AND m.status = 'active'"
    "  AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "   AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot'))"
    "  RETURNING d.alert_id, d.network_id, d.member_id, d.language)"
    " INSERT INTO deliveries (alert_id, seq, network_id, member_id, language, segments)"
    " SELECT due.alert_id, $2, due.network_id, due.member_id, msg.language, msg.segments FROM due"
    " JOIN alert_messages msg ON msg.alert_id = due.alert_id AND msg.seq = $2 AND msg.language = due.language";
// Marks the texted deliveries called (once each) and queues a call of message $2 for each active
// member who has not answered.
constexpr const char* kQueueCalls =
    "WITH due AS (UPDATE deliveries d SET called = true FROM members m"
    "  WHERE d.id = ANY($3::bigint[]) AND d.alert_id = $1 AND NOT d.called AND d.call_after_ms IS NOT NULL"
    "  AND m.id = d.member_id AND m.status = 'active'"
    "  AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "   AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot'))"
    "  RETURNING d.alert_id, d.network_id, d.member_id, d.language)"
    " INSERT INTO deliveries (alert_id, seq, network_id, member_id, channel, language, segments)"
    " SELECT due.alert_id, $2, due.network_id, due.member_id, 'voice', msg.language, msg.segments FROM due"
    " JOIN alert_messages msg ON msg.alert_id = due.alert_id AND msg.seq = $2 AND msg.language = due.language";
constexpr const char* kHasVoiceless =
    "SELECT EXISTS (SELECT 1 FROM deliveries WHERE alert_id = $1 AND seq = 0 AND channel = 'voice'"
    " AND language = ANY($2::text[]))";
constexpr const char* kQueueTextBeside =
    "INSERT INTO deliveries (alert_id, seq, network_id, member_id, language, segments)"
    " SELECT d.alert_id, $2, d.network_id, d.member_id, msg.language, msg.segments FROM deliveries d"
    " JOIN members m ON m.id = d.member_id AND m.status = 'active' AND 'sms' = ANY(m.channels)"
    " JOIN alert_messages msg ON msg.alert_id = d.alert_id AND msg.seq = $2 AND msg.language = d.language"
    " WHERE d.alert_id = $1 AND d.seq = 0 AND d.channel = 'voice' AND d.language = ANY($3::text[])"
    " AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.alert_id = d.alert_id AND x.seq = $2"
    "  AND x.member_id = d.member_id) ORDER BY d.id";
// Marks the deliveries backed up (once each); returns their members' backups.
constexpr const char* kBackupsOf =
    "UPDATE deliveries d SET backed_up = true FROM members m"
    " WHERE d.id = ANY($2::bigint[]) AND d.alert_id = $1 AND NOT d.backed_up AND m.id = d.member_id"
    " AND m.backup_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "  AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot'))"
    " RETURNING m.backup_id";

}  // namespace

void InsertAlertMessage(pqxx::work& tx, std::int64_t alert_id, int seq, const std::string& kind,
                        const std::string& language, const std::string& sealed_hex, int segments) {
  tx.exec_params(kInsertMessage, alert_id, seq, kind, language, sealed_hex, segments);
}

std::int64_t QueueAlertMessage(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id,
                               const std::optional<std::string>& areas, const std::optional<std::string>& roles,
                               const std::optional<std::string>& members, const std::string& languages,
                               const std::string& fallback_language, const std::string& channel,
                               std::optional<std::int64_t> call_after_ms) {
  std::optional<int> call_after;
  if (call_after_ms) call_after = static_cast<int>(*call_after_ms);
  auto fanned = static_cast<std::int64_t>(tx.exec_params(kFanOut, alert_id, network_id, areas, roles, languages,
                                                         fallback_language, members, channel, call_after)
                                              .affected_rows());
  if (fanned > 0) tx.exec_params(kAddRecipients, alert_id, fanned);
  return fanned;
}

std::int64_t QueueForReached(pqxx::work& tx, std::int64_t alert_id, int seq) {
  return static_cast<std::int64_t>(tx.exec_params(kQueueForReached, alert_id, seq).affected_rows());
}

std::int64_t QueueForRole(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                          const std::string& role, const std::string& languages, const std::string& fallback_language) {
  return static_cast<std::int64_t>(
      tx.exec_params(kQueueForRole, alert_id, seq, network_id, role, languages, fallback_language).affected_rows());
}

void CancelQueuedAlertMessage(pqxx::work& tx, std::int64_t alert_id) { tx.exec_params(kCancelUnsentAlert, alert_id); }

std::int64_t QueueStandDown(pqxx::work& tx, std::int64_t alert_id, int seq) {
  return static_cast<std::int64_t>(tx.exec_params(kQueueStandDown, alert_id, seq).affected_rows());
}

std::int64_t QueueCalls(pqxx::work& tx, std::int64_t alert_id, int seq, const std::vector<std::int64_t>& deliveries) {
  return static_cast<std::int64_t>(tx.exec_params(kQueueCalls, alert_id, seq, ToPgArray(deliveries)).affected_rows());
}

bool HasVoicelessCalls(pqxx::transaction_base& tx, std::int64_t alert_id, const std::string& languages) {
  return tx.exec_params1(kHasVoiceless, alert_id, languages)[0].as<bool>();
}

std::int64_t QueueTextBeside(pqxx::work& tx, std::int64_t alert_id, int seq, const std::string& languages) {
  return static_cast<std::int64_t>(tx.exec_params(kQueueTextBeside, alert_id, seq, languages).affected_rows());
}

std::int64_t QueueReminders(pqxx::work& tx, std::int64_t alert_id, int seq, const std::vector<std::int64_t>& deliveries) {
  return static_cast<std::int64_t>(tx.exec_params(kQueueReminders, alert_id, seq, ToPgArray(deliveries)).affected_rows());
}

std::vector<std::int64_t> MarkBackedUp(pqxx::work& tx, std::int64_t alert_id, const std::vector<std::int64_t>& deliveries) {
  std::vector<std::int64_t> backups;
  for (const auto& r : tx.exec_params(kBackupsOf, alert_id, ToPgArray(deliveries))) backups.push_back(r[0].as<std::int64_t>());
  return backups;
}

}  // namespace tocsin
