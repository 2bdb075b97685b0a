#include "dispatch/fanout/fanout.h"

#include <algorithm>

#include "dispatch/message/segments.h"
#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kInsertMessage =
    "INSERT INTO alert_messages (alert_id, seq, kind, language, body_enc, segments)"
    " VALUES ($1, $2, $3, $4, decode($5, 'hex'), $6)";

constexpr const char* kFanOut =
    "INSERT INTO deliveries (alert_id, seq, network_id, member_id, language, segments)"
    " SELECT $1, 0, m.network_id, m.id, msg.language, msg.segments FROM members m"
    " JOIN alert_messages msg ON msg.alert_id = $1 AND msg.seq = 0 AND msg.language ="
    "   CASE WHEN m.language = ANY($5::text[]) THEN m.language ELSE $6 END"
    " WHERE m.network_id = $2 AND m.status = 'active' AND 'sms' = ANY(m.channels)"
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
// Marks the deliveries backed up (once each); returns their members' backups.
constexpr const char* kBackupsOf =
    "UPDATE deliveries d SET backed_up = true FROM members m"
    " WHERE d.id = ANY($2::bigint[]) AND d.alert_id = $1 AND NOT d.backed_up AND m.id = d.member_id"
    " AND m.backup_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "  AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot'))"
    " RETURNING m.backup_id";

std::map<std::string, std::string> Vars(const Network& net, const Alert& a, const std::string& message) {
  return {{"code", a.code},         {"location", a.location}, {"details", a.details},
          {"deadline", a.deadline.value_or("")}, {"message", message}, {"network", net.name}};
}

}  // namespace

std::string Fanout::DefaultLanguage(const Network& net) const {
  return templates_.HasLanguage(net.default_language) ? net.default_language : "en";
}

Status Fanout::StoreMessages(pqxx::work& tx, const Network& net, const Alert& alert, int seq,
                             const std::string& message_kind, const std::string& message) const {
  // The stand-down and the reminder are one text for every kind (top-level template keys).
  const std::string template_kind =
      message_kind == "stand_down" || message_kind == "reminder" ? "" : alert.kind;
  auto vars = Vars(net, alert, message);
  for (const auto& language : templates_.Languages()) {
    auto text = templates_.Render(language, DefaultLanguage(net), template_kind, message_kind, vars);
    if (!text.ok()) return text.error();
    auto segments = std::max(1, MeasureSms(text.value()).segments);
    tx.exec_params(kInsertMessage, alert.id, seq, message_kind, language, ToHex(cipher_.Seal(text.value())),
                   segments);
  }
  return Ok{};
}

std::int64_t Fanout::QueueAudience(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                   const PolicyAudience& audience) const {
  std::optional<std::string> areas, members;
  switch (audience.scope) {
    case AreaScope::kAlert:
      areas = ToPgArray(alerts_.Areas(tx, alert_id));
      break;
    case AreaScope::kNeighbours:
      areas = ToPgArray(alerts_.NeighboursOf(tx, net.id, alerts_.Areas(tx, alert_id)));
      break;
    case AreaScope::kNamed:
      areas = ToPgArray(audience.areas);
      break;
    case AreaScope::kMembers:
      members = ToPgArray(audience.members);
      break;
    case AreaScope::kNetwork:
      break;
    case AreaScope::kTree:
      return 0;  // a tree is walked node by node (engine/tree_mover.h)
  }
  // Named members are not filtered by role (a policy may not give roles with them).
  std::optional<std::string> roles;
  if (audience.scope != AreaScope::kMembers) {
    roles = ToPgArray(audience.roles.empty() ? std::vector<std::string>{"responder"} : audience.roles);
  }
  auto fanned = static_cast<std::int64_t>(
      tx.exec_params(kFanOut, alert_id, net.id, areas, roles, ToPgArray(templates_.Languages()),
                     DefaultLanguage(net), members)
          .affected_rows());
  if (fanned > 0) tx.exec_params(kAddRecipients, alert_id, fanned);
  return fanned;
}

std::int64_t Fanout::QueueMembers(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                  std::vector<std::int64_t> ids) const {
  if (ids.empty()) return 0;
  PolicyAudience audience;
  audience.scope = AreaScope::kMembers;
  audience.roles.clear();
  audience.members = std::move(ids);
  return QueueAudience(tx, net, alert_id, audience);
}

std::int64_t Fanout::QueueForReached(pqxx::work& tx, std::int64_t alert_id, int seq) const {
  return static_cast<std::int64_t>(tx.exec_params(kQueueForReached, alert_id, seq).affected_rows());
}

std::int64_t Fanout::StandDown(pqxx::work& tx, const Network& net, const Alert& alert) const {
  tx.exec_params(kCancelUnsentAlert, alert.id);
  int seq = alerts_.NextSeq(tx, alert.id);
  if (!StoreMessages(tx, net, alert, seq, "stand_down").ok()) return 0;
  return static_cast<std::int64_t>(tx.exec_params(kQueueStandDown, alert.id, seq).affected_rows());
}

std::int64_t Fanout::Remind(pqxx::work& tx, const Network& net, const Alert& alert,
                            const std::vector<std::int64_t>& deliveries) const {
  if (deliveries.empty()) return 0;
  auto seq = alerts_.MessageSeq(tx, alert.id, "reminder");
  if (!seq) {
    seq = alerts_.NextSeq(tx, alert.id);
    if (!StoreMessages(tx, net, alert, *seq, "reminder").ok()) return 0;
  }
  return static_cast<std::int64_t>(
      tx.exec_params(kQueueReminders, alert.id, *seq, ToPgArray(deliveries)).affected_rows());
}

std::int64_t Fanout::CallBackups(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                 const std::vector<std::int64_t>& deliveries) const {
  if (deliveries.empty()) return 0;
  std::vector<std::int64_t> backups;
  for (const auto& r : tx.exec_params(kBackupsOf, alert_id, ToPgArray(deliveries))) {
    backups.push_back(r[0].as<std::int64_t>());
  }
  return QueueMembers(tx, net, alert_id, std::move(backups));
}

}  // namespace tocsin
