#include "dispatch/engine/alert_service.h"

#include <algorithm>
#include <array>

#include <sodium.h>

#include "dispatch/registry/audit_log.h"
#include "dispatch/registry/validation.h"
#include "dispatch/sms/segments.h"
#include "dispatch/engine/alert_code.h"
#include "dispatch/escalation/escalation_store.h"
#include "dispatch/store/keyset_page.h"
#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr std::array<std::string_view, 4> kKinds = {"raid", "detention", "removal", "other"};

#define TOCSIN_ALERT_COLUMNS                                                               \
  "id, code, kind, status, areas, roles, include_neighbours, location_enc, details_enc,"   \
  " to_char(deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), recipients,"  \
  " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"            \
  " to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

constexpr const char* kCodeTaken =
    "SELECT 1 FROM alerts WHERE network_id = $1 AND code = $2 AND status = 'open'";
constexpr const char* kInsertAlert =
    "INSERT INTO alerts (network_id, code, kind, areas, include_neighbours, roles, location_enc,"
    " details_enc, deadline, created_by) VALUES ($1, $2, $3, $4::text[], $5, $6::text[],"
    " decode($7, 'hex'), decode($8, 'hex'), $9::timestamptz, $10) RETURNING id";
constexpr const char* kDeadlineInFuture = "SELECT $1::timestamptz > now()";
constexpr const char* kNeighbours =
    "SELECT DISTINCT n FROM areas, unnest(neighbours) AS n WHERE network_id = $1 AND name = ANY($2::text[])";
constexpr const char* kInsertMessage =
    "INSERT INTO alert_messages (alert_id, seq, kind, language, body_enc, segments)"
    " VALUES ($1, $2, $3, $4, decode($5, 'hex'), $6)";
// One statement fans the alert out to an audience: every matching member not yet sent this
// alert gets one queued delivery in the language chosen for them. $3 (areas), $4 (roles) and $7
// (member ids) are NULL when the audience does not narrow by them.
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
constexpr const char* kAlertAreas = "SELECT areas FROM alerts WHERE id = $1";
constexpr const char* kSelectAlert =
    "SELECT " TOCSIN_ALERT_COLUMNS " FROM alerts WHERE network_id = $1 AND id = $2";
constexpr const char* kAlertInNetwork = "SELECT 1 FROM alerts WHERE network_id = $1 AND id = $2";
constexpr const char* kSelectAlertForUpdate =
    "SELECT " TOCSIN_ALERT_COLUMNS " FROM alerts WHERE network_id = $1 AND id = $2 FOR UPDATE";
constexpr const char* kListAlerts =
    "SELECT " TOCSIN_ALERT_COLUMNS " FROM alerts WHERE network_id = $1"
    " AND ($2::text IS NULL OR status = $2) ORDER BY id DESC LIMIT $3";
// Counts for a set of alerts, two round trips whatever their number: deliveries of the alert
// message by state, and the latest going/cannot of each recipient (members change their minds).
constexpr const char* kCounts =
    "SELECT alert_id, state, count(*) FROM deliveries WHERE alert_id = ANY($1::bigint[]) AND seq = 0"
    " GROUP BY alert_id, state";
constexpr const char* kAnswerCounts =
    "SELECT alert_id, count(*) FILTER (WHERE answer = 'going'), count(*) FILTER (WHERE answer = 'cannot')"
    " FROM (SELECT DISTINCT ON (alert_id, member_id) alert_id, answer FROM responses"
    "  WHERE alert_id = ANY($1::bigint[]) AND answer <> 'text' ORDER BY alert_id, member_id, id DESC) latest"
    " GROUP BY alert_id";
constexpr const char* kResponses =
    "SELECT id, member_id, answer, text_enc,"
    " to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM responses WHERE alert_id = $1 AND network_id = $2 AND id > $3 ORDER BY id LIMIT $4";
constexpr const char* kNextSeq =
    "SELECT coalesce(max(seq), 0) + 1 FROM alert_messages WHERE alert_id = $1";
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
    " updated_at = now() WHERE alert_id = $1 AND seq = 0 AND state IN ('queued', 'sending')";
constexpr const char* kEndAlert =
    "UPDATE alerts SET status = $2, ended_at = now() WHERE id = $1";
constexpr const char* kCancelQueued =
    "UPDATE deliveries SET state = 'cancelled', error_message = 'alert ended', updated_at = now()"
    " WHERE alert_id = $1 AND state IN ('queued', 'sending')";
constexpr const char* kDeadlineText =
    "SELECT to_char($1::timestamptz AT TIME ZONE 'Europe/London', 'DD Mon HH24:MI')";
constexpr const char* kDeliveries =
    "SELECT d.id, d.member_id, d.seq, msg.kind, d.channel, d.state, d.language, d.segments,"
    " d.attempts, d.sender, d.provider_id, d.error_code, d.error_message,"
    " to_char(d.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(d.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM deliveries d JOIN alert_messages msg ON msg.alert_id = d.alert_id AND msg.seq = d.seq"
    "  AND msg.language = d.language"
    " WHERE d.alert_id = $1 AND d.network_id = $2 AND d.id > $3 ORDER BY d.id LIMIT $4";

bool LooksLikeRfc3339(const std::string& s) {
  // YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or an offset; PostgreSQL checks the values.
  if (s.size() < 20 || s.size() > 35) return false;
  auto digits = [&](std::size_t at, std::size_t n) {
    return std::all_of(s.begin() + at, s.begin() + at + n, [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2) || s[13] != ':' || !digits(14, 2) ||
      s[16] != ':' || !digits(17, 2)) {
    return false;
  }
  std::size_t i = 19;
  if (s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == s.size();
  return i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && digits(i + 1, 2) && s[i + 3] == ':' &&
         digits(i + 4, 2);
}

std::string NewCode() {
  std::string code;
  for (int i = 0; i < 4; ++i) code += kAlertCodeAlphabet[randombytes_uniform(kAlertCodeAlphabet.size())];
  return code;
}

Status Validate(const AlertInput& in) {
  if (std::find(kKinds.begin(), kKinds.end(), in.kind) == kKinds.end()) {
    return Error::Invalid("kind", "must be raid, detention, removal or other");
  }
  if (in.areas.empty()) return Error::Invalid("areas", "name at least one area");
  if (auto s = CheckText(in.location, "location", 200); !s.ok()) return s;
  if (!in.details.empty()) {
    if (auto s = CheckText(in.details, "details", 500); !s.ok()) return s;
  }
  if (in.kind == "removal" && !in.deadline) {
    return Error::Invalid("deadline", "a removal alert needs the deadline (the flight time)");
  }
  if (in.deadline && !LooksLikeRfc3339(*in.deadline)) {
    return Error::Invalid("deadline", "must be an RFC 3339 time such as 2026-11-23T06:40:00Z");
  }
  return Ok{};
}

}  // namespace

int ValiditySeconds(const std::string& kind) {
  if (kind == "raid") return 900;
  if (kind == "removal") return 4 * 3600;
  return 3600;
}

std::string AlertService::EffectiveDefaultLanguage(const Network& net) const {
  return templates_.HasLanguage(net.default_language) ? net.default_language : "en";
}

std::map<std::string, std::string> AlertService::Vars(const Network& net, const Alert& a,
                                                      const std::string& message) const {
  return {{"code", a.code},         {"location", a.location}, {"details", a.details},
          {"deadline", a.deadline.value_or("")}, {"message", message}, {"network", net.name}};
}

Status AlertService::StoreMessages(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                   int seq, const std::string& message_kind,
                                   const std::string& alert_kind,
                                   const std::map<std::string, std::string>& vars) {
  // The stand-down and the reminder are one text for every kind (top-level template keys).
  const std::string template_kind =
      message_kind == "stand_down" || message_kind == "reminder" ? "" : alert_kind;
  for (const auto& language : templates_.Languages()) {
    auto text = templates_.Render(language, EffectiveDefaultLanguage(net), template_kind, message_kind, vars);
    if (!text.ok()) return text.error();
    auto segments = std::max(1, MeasureSms(text.value()).segments);
    tx.exec_params(kInsertMessage, alert_id, seq, message_kind, language,
                   ToHex(cipher_.Seal(text.value())), segments);
  }
  return Ok{};
}

std::int64_t AlertService::QueueAudience(pqxx::work& tx, const Network& net,
                                         std::int64_t alert_id, const PolicyAudience& audience) {
  std::optional<std::string> areas, members;
  auto alert_areas = FromPgArray(tx.exec_params1(kAlertAreas, alert_id)[0]);
  switch (audience.scope) {
    case AreaScope::kAlert:
      areas = ToPgArray(alert_areas);
      break;
    case AreaScope::kNeighbours: {
      std::vector<std::string> around;
      for (const auto& r : tx.exec_params(kNeighbours, net.id, ToPgArray(alert_areas))) {
        auto name = r[0].as<std::string>();
        if (std::find(alert_areas.begin(), alert_areas.end(), name) == alert_areas.end()) around.push_back(name);
      }
      areas = ToPgArray(around);
      break;
    }
    case AreaScope::kNamed:
      areas = ToPgArray(audience.areas);
      break;
    case AreaScope::kMembers:
      members = ToPgArray(audience.members);
      break;
    case AreaScope::kNetwork:
      break;
    case AreaScope::kTree:
      return 0;  // a tree is not an audience to queue at once: see QueueStepAudience
  }
  // Named members are not filtered by role (a policy may not give roles with them).
  std::optional<std::string> roles;
  if (audience.scope != AreaScope::kMembers) {
    roles = ToPgArray(audience.roles.empty() ? std::vector<std::string>{"responder"} : audience.roles);
  }
  auto fanned = static_cast<std::int64_t>(
      tx.exec_params(kFanOut, alert_id, net.id, areas, roles, ToPgArray(templates_.Languages()),
                     EffectiveDefaultLanguage(net), members)
          .affected_rows());
  tx.exec_params(kAddRecipients, alert_id, fanned);
  return fanned;
}

Result<Alert> AlertService::Raise(pqxx::work& tx, const Network& net, const AlertInput& raw,
                                  const std::string& actor) {
  AlertInput in = raw;
  if (auto s = Validate(in); !s.ok()) return s.error();
  auto areas = CanonicalList(in.areas, "areas", &CheckAreaName);
  if (!areas.ok()) return areas.error();
  auto roles = CanonicalList(in.roles.empty() ? std::vector<std::string>{"responder"} : in.roles,
                             "audience.roles", &CheckMemberRole);
  if (!roles.ok()) return roles.error();
  std::optional<std::string> deadline_text;
  if (in.deadline) {
    if (!tx.exec_params1(kDeadlineInFuture, *in.deadline)[0].as<bool>()) {
      return Error::Invalid("deadline", "is in the past");
    }
    deadline_text = tx.exec_params1(kDeadlineText, *in.deadline)[0].as<std::string>();
  }

  std::string code = NewCode();
  while (!tx.exec_params(kCodeTaken, net.id, code).empty()) code = NewCode();
  std::optional<std::string> details;
  if (!in.details.empty()) details = ToHex(cipher_.Seal(in.details));
  auto id = tx.exec_params1(kInsertAlert, net.id, code, in.kind, ToPgArray(areas.value()),
                            in.include_neighbours, ToPgArray(roles.value()),
                            ToHex(cipher_.Seal(in.location)), details, in.deadline, actor)[0]
                .as<std::int64_t>();

  Alert shell;
  shell.code = code;
  shell.location = in.location;
  shell.details = in.details;
  shell.deadline = deadline_text;
  if (auto s = StoreMessages(tx, net, id, 0, "alert", in.kind, Vars(net, shell, "")); !s.ok()) {
    return s.error();
  }
  auto policy = PolicyFor(tx, net.id, in.kind);
  StartEscalation(tx, id, policy);  // the Escalator picks its timers up after commit

  // The first step's audience: the request's when it names one, else the policy's first step.
  PolicyAudience audience = policy.steps.front().audience;
  if (in.audience_given) {
    audience.roles = roles.value();
    audience.scope = AreaScope::kAlert;
  }
  // New deadlines (a tree's) are loaded by the Escalator after commit, as StartEscalation's.
  auto fanned = QueueStepAudience(tx, *this, net, id, audience, nullptr);
  if (in.audience_given && in.include_neighbours) {
    audience.scope = AreaScope::kNeighbours;
    fanned += QueueAudience(tx, net, id, audience);
  }
  RecordAudit(tx, net.id, actor, "alerts.raise", "alert:" + std::to_string(id),
              "{\"kind\":\"" + in.kind + "\",\"recipients\":" + std::to_string(fanned) + "}");
  return Get(tx, net.id, id);
}

std::int64_t AlertService::QueueForReached(pqxx::work& tx, const Network& net,
                                           std::int64_t alert_id, int seq) {
  return static_cast<std::int64_t>(tx.exec_params(kQueueForReached, alert_id, seq).affected_rows());
}

Result<std::int64_t> AlertService::Update(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                          const std::string& message) {
  if (auto s = CheckText(message, "message", 480); !s.ok()) return s.error();
  auto rows = tx.exec_params(kSelectAlertForUpdate, net.id, alert_id);
  if (rows.empty()) return Error::NotFound("no such alert");
  auto alert = Read(rows[0]);
  if (alert.status != "open") return Error::Conflict("status", "the alert has ended");
  int seq = tx.exec_params1(kNextSeq, alert_id)[0].as<int>();
  if (auto s = StoreMessages(tx, net, alert_id, seq, "update", alert.kind, Vars(net, alert, message));
      !s.ok()) {
    return s.error();
  }
  return QueueForReached(tx, net, alert_id, seq);
}

std::int64_t AlertService::StandDown(pqxx::work& tx, const Network& net, std::int64_t alert_id) {
  auto rows = tx.exec_params(kSelectAlert, net.id, alert_id);
  if (rows.empty()) return 0;
  auto alert = Read(rows[0]);
  tx.exec_params(kCancelUnsentAlert, alert_id);
  int seq = tx.exec_params1(kNextSeq, alert_id)[0].as<int>();
  if (!StoreMessages(tx, net, alert_id, seq, "stand_down", alert.kind, Vars(net, alert, "")).ok()) return 0;
  return static_cast<std::int64_t>(tx.exec_params(kQueueStandDown, alert_id, seq).affected_rows());
}

// Reached, unanswered, not yet reminded, and reached at least `after_ms` ago.
constexpr const char* kQueueReminders =
    "WITH due AS (UPDATE deliveries d SET reminded = true FROM members m"
    "  WHERE d.alert_id = $1 AND d.seq = 0 AND NOT d.reminded AND d.state IN ('sent', 'delivered')"
    "  AND d.sent_at <= now() - make_interval(secs => $3::float8 / 1000)"
    "  AND m.id = d.member_id AND m.status = 'active'"
    "  AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "   AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot'))"
    "  RETURNING d.alert_id, d.network_id, d.member_id, d.language)"
    " INSERT INTO deliveries (alert_id, seq, network_id, member_id, language, segments)"
    " SELECT due.alert_id, $2, due.network_id, due.member_id, msg.language, msg.segments FROM due"
    " JOIN alert_messages msg ON msg.alert_id = due.alert_id AND msg.seq = $2 AND msg.language = due.language";
constexpr const char* kReminderSeq =
    "SELECT seq FROM alert_messages WHERE alert_id = $1 AND kind = 'reminder' LIMIT 1";
// Milliseconds until the next reminder could be due: from the earliest reached-but-unreminded
// delivery of someone who has not answered, or (while some are still to be sent) a full interval
// from now. NULL: nobody left.
constexpr const char* kNextReminderIn =
    "SELECT extract(epoch FROM (min(CASE WHEN d.state IN ('sent', 'delivered') THEN d.sent_at"
    "  ELSE now() END) + make_interval(secs => $2::float8 / 1000) - now())) * 1000"
    " FROM deliveries d WHERE d.alert_id = $1 AND d.seq = 0 AND NOT d.reminded"
    " AND d.state IN ('queued', 'sending', 'sent', 'delivered')"
    " AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "   AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot'))";
// Deliveries whose member has a backup, has not answered, and either could not be reached or
// (unless $2 is NULL) was reached at least $2 ms ago: each calls its backup once. Returns the
// backups.
constexpr const char* kDueBackups =
    "UPDATE deliveries d SET backed_up = true FROM members m"
    " WHERE d.alert_id = $1 AND d.seq = 0 AND NOT d.backed_up AND m.id = d.member_id"
    " AND m.backup_id IS NOT NULL"
    " AND (d.state IN ('failed', 'undelivered') OR ($2::float8 IS NOT NULL"
    "  AND d.state IN ('sent', 'delivered') AND d.sent_at <= now() - make_interval(secs => $2::float8 / 1000)))"
    " AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "   AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot'))"
    " RETURNING m.backup_id";
// As kNextReminderIn, for backups (a failed delivery is due at once).
constexpr const char* kNextBackupIn =
    "SELECT extract(epoch FROM (min(CASE WHEN d.state IN ('sent', 'delivered') THEN d.sent_at"
    "  + make_interval(secs => $2::float8 / 1000) WHEN d.state IN ('failed', 'undelivered') THEN now()"
    "  ELSE now() + make_interval(secs => $2::float8 / 1000) END) - now())) * 1000"
    " FROM deliveries d JOIN members m ON m.id = d.member_id AND m.backup_id IS NOT NULL"
    " WHERE d.alert_id = $1 AND d.seq = 0 AND NOT d.backed_up"
    " AND d.state IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered')"
    " AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.alert_id = d.alert_id"
    "   AND r.member_id = d.member_id AND r.answer IN ('going', 'cannot'))";

std::optional<double> NextIn(pqxx::work& tx, const char* sql, std::int64_t alert_id, std::int64_t after_ms) {
  auto next = tx.exec_params1(sql, alert_id, static_cast<double>(after_ms));
  if (next[0].is_null()) return std::nullopt;
  return std::max(next[0].as<double>(), 50.0);
}

std::int64_t AlertService::Remind(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                  std::int64_t after_ms, std::optional<double>* next_in_ms) {
  auto rows = tx.exec_params(kSelectAlert, net.id, alert_id);
  if (rows.empty()) return 0;
  auto alert = Read(rows[0]);
  int seq = 0;
  if (auto r = tx.exec_params(kReminderSeq, alert_id); !r.empty()) {
    seq = r[0][0].as<int>();
  } else {
    seq = tx.exec_params1(kNextSeq, alert_id)[0].as<int>();
    if (!StoreMessages(tx, net, alert_id, seq, "reminder", alert.kind, Vars(net, alert, "")).ok()) return 0;
  }
  auto queued = static_cast<std::int64_t>(
      tx.exec_params(kQueueReminders, alert_id, seq, static_cast<double>(after_ms)).affected_rows());
  *next_in_ms = NextIn(tx, kNextReminderIn, alert_id, after_ms);
  return queued;
}

std::int64_t AlertService::CallBackups(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                       std::optional<std::int64_t> silent_after_ms,
                                       std::optional<double>* next_in_ms) {
  std::optional<double> after;
  if (silent_after_ms) after = static_cast<double>(*silent_after_ms);
  std::vector<std::int64_t> backups;
  for (const auto& r : tx.exec_params(kDueBackups, alert_id, after)) backups.push_back(r[0].as<std::int64_t>());
  auto queued = QueueMembers(tx, net, alert_id, std::move(backups));
  if (silent_after_ms) *next_in_ms = NextIn(tx, kNextBackupIn, alert_id, *silent_after_ms);
  return queued;
}

std::int64_t AlertService::QueueMembers(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                        std::vector<std::int64_t> ids) {
  if (ids.empty()) return 0;
  PolicyAudience audience;
  audience.scope = AreaScope::kMembers;
  audience.members = std::move(ids);
  return QueueAudience(tx, net, alert_id, audience);
}

Result<Alert> AlertService::End(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                const std::string& status, const std::string& message) {
  if (!message.empty()) {
    if (auto s = CheckText(message, "message", 480); !s.ok()) return s.error();
  }
  auto rows = tx.exec_params(kSelectAlertForUpdate, net.id, alert_id);
  if (rows.empty()) return Error::NotFound("no such alert");
  auto alert = Read(rows[0]);
  if (alert.status != "open") return Error::Conflict("status", "the alert has ended already");
  tx.exec_params(kEndAlert, alert_id, status);
  tx.exec_params(kCancelQueued, alert_id);
  StopEscalation(tx, alert_id);
  int seq = tx.exec_params1(kNextSeq, alert_id)[0].as<int>();
  auto key = status == "resolved" ? "resolve" : "cancel";
  if (auto s = StoreMessages(tx, net, alert_id, seq, key, alert.kind, Vars(net, alert, message)); !s.ok()) {
    return s.error();
  }
  QueueForReached(tx, net, alert_id, seq);
  return Get(tx, net.id, alert_id);
}

Alert AlertService::Read(const pqxx::row& r) const {
  Alert a;
  a.id = r[0].as<std::int64_t>();
  a.code = r[1].as<std::string>();
  a.kind = r[2].as<std::string>();
  a.status = r[3].as<std::string>();
  a.areas = FromPgArray(r[4]);
  a.roles = FromPgArray(r[5]);
  a.include_neighbours = r[6].as<bool>();
  a.location = cipher_.Open(FromBytea(r[7]).value_or("")).value_or("");
  if (auto d = FromBytea(r[8])) a.details = cipher_.Open(*d).value_or("");
  if (!r[9].is_null()) a.deadline = r[9].as<std::string>();
  a.recipients = r[10].as<std::int64_t>();
  a.created_at = r[11].as<std::string>();
  if (!r[12].is_null()) a.ended_at = r[12].as<std::string>();
  return a;
}

void AlertService::FillCounts(pqxx::transaction_base& tx, std::vector<Alert>& alerts) const {
  if (alerts.empty()) return;
  std::vector<std::string> ids;
  std::map<std::int64_t, Alert*> by_id;
  for (auto& a : alerts) {
    ids.push_back(std::to_string(a.id));
    by_id[a.id] = &a;
    for (auto state : {"queued", "sending", "sent", "delivered", "failed", "undelivered", "cancelled",
                       "going", "cannot"}) {
      a.counts[state] = 0;
    }
  }
  for (const auto& c : tx.exec_params(kCounts, ToPgArray(ids))) {
    by_id[c[0].as<std::int64_t>()]->counts[c[1].as<std::string>()] = c[2].as<std::int64_t>();
  }
  for (const auto& c : tx.exec_params(kAnswerCounts, ToPgArray(ids))) {
    auto* a = by_id[c[0].as<std::int64_t>()];
    a->counts["going"] = c[1].as<std::int64_t>();
    a->counts["cannot"] = c[2].as<std::int64_t>();
  }
  for (auto& a : alerts) {
    a.counts["no_answer"] = std::max<std::int64_t>(0, a.recipients - a.counts["going"] - a.counts["cannot"]);
  }
}

Result<Alert> AlertService::Get(pqxx::transaction_base& tx, std::int64_t network_id,
                                std::int64_t id) const {
  auto rows = tx.exec_params(kSelectAlert, network_id, id);
  if (rows.empty()) return Error::NotFound("no such alert");
  std::vector<Alert> one{Read(rows[0])};
  FillCounts(tx, one);
  return std::move(one.front());
}

std::vector<Alert> AlertService::List(pqxx::transaction_base& tx, std::int64_t network_id,
                                      const std::string& status, int limit) const {
  std::optional<std::string> filter;
  if (!status.empty()) filter = status;
  std::vector<Alert> out;
  for (const auto& r : tx.exec_params(kListAlerts, network_id, filter, limit)) out.push_back(Read(r));
  FillCounts(tx, out);
  return out;
}

bool AlertInNetwork(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t alert_id) {
  return !tx.exec_params(kAlertInNetwork, network_id, alert_id).empty();
}

Result<ResponsePage> AlertService::Responses(pqxx::transaction_base& tx, std::int64_t network_id,
                                             std::int64_t alert_id, std::int64_t after_id,
                                             int limit) const {
  if (!AlertInNetwork(tx, network_id, alert_id)) return Error::NotFound("no such alert");
  ResponsePage page;
  for (const auto& r : tx.exec_params(kResponses, alert_id, network_id, after_id, FetchCount(limit))) {
    ResponseView v;
    v.id = r[0].as<std::int64_t>();
    v.member_id = r[1].as<std::int64_t>();
    v.answer = r[2].as<std::string>();
    if (auto sealed = FromBytea(r[3])) v.text = cipher_.Open(*sealed);
    v.received_at = r[4].as<std::string>();
    page.responses.push_back(std::move(v));
  }
  page.next_cursor = TrimPage(page.responses, limit);
  return page;
}

Result<DeliveryPage> AlertService::Deliveries(pqxx::transaction_base& tx, std::int64_t network_id,
                                              std::int64_t alert_id, std::int64_t after_id,
                                              int limit) const {
  if (!AlertInNetwork(tx, network_id, alert_id)) return Error::NotFound("no such alert");
  DeliveryPage page;
  auto opt = [](const pqxx::field& f) -> std::optional<std::string> {
    if (f.is_null()) return std::nullopt;
    return f.as<std::string>();
  };
  for (const auto& r : tx.exec_params(kDeliveries, alert_id, network_id, after_id, FetchCount(limit))) {
    DeliveryView d;
    d.id = r[0].as<std::int64_t>();
    d.member_id = r[1].as<std::int64_t>();
    d.seq = r[2].as<int>();
    d.kind = r[3].as<std::string>();
    d.channel = r[4].as<std::string>();
    d.state = r[5].as<std::string>();
    d.language = r[6].as<std::string>();
    d.segments = r[7].as<int>();
    d.attempts = r[8].as<int>();
    d.sender = opt(r[9]);
    d.provider_id = opt(r[10]);
    d.error_code = opt(r[11]);
    d.error_message = opt(r[12]);
    d.sent_at = opt(r[13]);
    d.created_at = r[14].as<std::string>();
    d.updated_at = r[15].as<std::string>();
    page.deliveries.push_back(std::move(d));
  }
  page.next_cursor = TrimPage(page.deliveries, limit);
  return page;
}

}  // namespace tocsin
