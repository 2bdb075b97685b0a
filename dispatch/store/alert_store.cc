#include "dispatch/store/alert_store.h"

#include <algorithm>

#include <boost/json.hpp>

#include "dispatch/store/keyset_page.h"
#include "dispatch/store/organisation_response_store.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

// Three columns of members m, read by ReadLabel.
#define TOCSIN_MEMBER_LABEL_COLUMNS "m.name_enc, m.phone_enc, m.status = 'deleted'"

#define TOCSIN_ALERT_COLUMNS                                                               \
  "id, code, kind, status, areas, roles, include_neighbours, location_enc, details_enc,"   \
  " to_char(deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), recipients,"  \
  " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), warnings,"  \
  " to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), final_counts::text,"     \
  " to_char(purged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), network_id, tiered"

constexpr const char* kCodeTaken =
    "SELECT 1 FROM alerts WHERE network_id = $1 AND code = $2 AND status IN ('open', 'pending_approval')";

constexpr const char* kInsertAlert =
    "INSERT INTO alerts (network_id, code, kind, areas, include_neighbours, roles, location_enc,"
    " details_enc, deadline, created_by, id, audience_given, tiered) OVERRIDING SYSTEM VALUE VALUES ($1, $2,"
    " $3, $4::text[], $5, $6::text[], decode($7, 'hex'), decode($8, 'hex'), $9::timestamptz, $10, $11, $12, $13)";

constexpr const char* kSelectAlert =
    "SELECT " TOCSIN_ALERT_COLUMNS " FROM alerts WHERE network_id = $1 AND id = $2";

constexpr const char* kAlertInNetwork = "SELECT 1 FROM alerts WHERE network_id = $1 AND id = $2";

constexpr const char* kSelectAlertForUpdate =
    "SELECT " TOCSIN_ALERT_COLUMNS " FROM alerts WHERE network_id = $1 AND id = $2 FOR UPDATE";

constexpr const char* kCounts =
    "SELECT alert_id, state, count(*) FROM deliveries WHERE alert_id = ANY($1::bigint[]) AND seq = 0"
    " GROUP BY alert_id, state";

// Per alert, by each member's latest answer: going, cannot, and no answer from those who owe
// one: every member sent the alert message, and every tree node released (a relay node waiting
// for its caller's phone call too: it has never been messaged, yet it should answer). A relay
// confirmation counts as an answer without a message behind it, so no_answer is not recipients
// less the answers.
constexpr const char* kAnswerCounts =
    "WITH latest AS (SELECT DISTINCT ON (alert_id, member_id) alert_id, member_id, answer FROM responses"
    "  WHERE alert_id = ANY($1::bigint[]) AND answer <> 'text' ORDER BY alert_id, member_id, id DESC),"
    " owing AS (SELECT alert_id, member_id FROM deliveries WHERE alert_id = ANY($1::bigint[]) AND seq = 0"
    "  UNION SELECT alert_id, member_id FROM tree_run_nodes WHERE alert_id = ANY($1::bigint[])"
    "  AND state <> 'pending')"
    " SELECT coalesce(l.alert_id, o.alert_id), count(*) FILTER (WHERE l.answer = 'going'),"
    "  count(*) FILTER (WHERE l.answer = 'cannot'), count(*) FILTER (WHERE l.answer IS NULL)"
    " FROM latest l FULL JOIN owing o ON o.alert_id = l.alert_id AND o.member_id = l.member_id"
    " GROUP BY 1";

constexpr const char* kOrganisationCounts =
    "SELECT alert_id, count(*) FILTER (WHERE answer = 'going'), count(*) FILTER (WHERE answer = 'cannot')"
    " FROM (SELECT DISTINCT ON (alert_id, organisation_id) alert_id, answer FROM organisation_responses"
    "  WHERE alert_id = ANY($1::bigint[]) ORDER BY alert_id, organisation_id, id DESC) l GROUP BY alert_id";

// $5: only answers of this kind; for going and cannot, only a member's latest such answer
// (one who said 1 then 2 is not going).
constexpr const char* kResponses =
    "SELECT r.id, r.member_id, r.answer, r.text_enc,"
    " to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " " TOCSIN_MEMBER_LABEL_COLUMNS
    " FROM responses r JOIN members m ON m.id = r.member_id"
    " WHERE r.alert_id = $1 AND r.network_id = $2 AND r.id > $3"
    " AND ($5::text IS NULL OR (r.answer = $5 AND ($5 = 'text' OR NOT EXISTS (SELECT 1 FROM responses l"
    "  WHERE l.alert_id = r.alert_id AND l.member_id = r.member_id AND l.id > r.id"
    "  AND l.answer IN ('going', 'cannot')))))"
    " ORDER BY r.id LIMIT $4";

constexpr const char* kNextSeq =
    "SELECT coalesce(max(seq), 0) + 1 FROM alert_messages WHERE alert_id = $1";

constexpr const char* kEndAlert =
    "UPDATE alerts SET status = $2, ended_at = to_timestamp($3::float8 / 1000) WHERE id = $1";

// Members' messages only: webhook events still reach partners after the end (they record it).
constexpr const char* kCancelQueued =
    "UPDATE deliveries SET state = 'cancelled', error_message = 'alert ended', updated_at = now()"
    " WHERE alert_id = $1 AND state = 'queued' AND member_id IS NOT NULL";

constexpr const char* kDeadlineText =
    "SELECT to_char($1::timestamptz AT TIME ZONE 'Europe/London', 'DD Mon HH24:MI')";

constexpr const char* kDeliveries =
    "SELECT d.id, d.member_id, d.seq, msg.kind, d.channel, d.state, d.language, d.segments,"
    " d.attempts, d.sender, d.provider_id, d.error_code, d.error_message,"
    " to_char(d.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(d.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " " TOCSIN_MEMBER_LABEL_COLUMNS
    " FROM deliveries d JOIN alert_messages msg ON msg.alert_id = d.alert_id AND msg.seq = d.seq"
    "  AND msg.language = d.language JOIN members m ON m.id = d.member_id"
    " WHERE d.alert_id = $1 AND d.network_id = $2 AND d.id > $3 ORDER BY d.id LIMIT $4";

constexpr const char* kAlertAreas = "SELECT areas FROM alerts WHERE id = $1";

constexpr const char* kNeighbours =
    "SELECT DISTINCT n FROM areas, unnest(neighbours) AS n WHERE network_id = $1 AND name = ANY($2::text[])";
constexpr const char* kListAlerts =
    "SELECT " TOCSIN_ALERT_COLUMNS " FROM alerts WHERE network_id = $1"
    " AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4";
constexpr const char* kDeadlineAfter = "SELECT $1::timestamptz > to_timestamp($2::float8 / 1000)";
constexpr const char* kMessageSeq = "SELECT seq FROM alert_messages WHERE alert_id = $1 AND kind = $2 LIMIT 1";

}  // namespace

bool AlertInNetwork(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t alert_id) {
  return !tx.exec_params(kAlertInNetwork, network_id, alert_id).empty();
}

void AlertStore::AddWarnings(pqxx::work& tx, std::int64_t alert_id, const std::vector<std::string>& warnings) const {
  if (warnings.empty()) return;
  tx.exec_params("UPDATE alerts SET warnings = warnings || $2::text[] WHERE id = $1", alert_id, ToPgArray(warnings));
}

std::int64_t AlertStore::Insert(pqxx::work& tx, std::int64_t network_id, const AlertInput& in,
                                const std::string& actor, bool tiered) const {
  std::string code = NewAlertCode();
  while (!tx.exec_params(kCodeTaken, network_id, code).empty()) code = NewAlertCode();
  const auto id = ReserveId(tx, "alerts");  // the sealed values are bound to it
  std::optional<std::string> details;
  if (!in.details.empty()) details = ToHex(cipher_.Seal(in.details, places::AlertDetails(network_id, id)));
  tx.exec_params(kInsertAlert, network_id, code, in.kind, ToPgArray(in.areas), in.include_neighbours,
                 ToPgArray(in.roles), ToHex(cipher_.Seal(in.location, places::AlertLocation(network_id, id))),
                 details, in.deadline, actor, id, in.audience_given, tiered);
  return id;
}

bool AlertStore::DeadlineAfter(pqxx::transaction_base& tx, const std::string& deadline, std::int64_t now_ms) const {
  return tx.exec_params1(kDeadlineAfter, deadline, static_cast<double>(now_ms))[0].as<bool>();
}

std::string AlertStore::DeadlineText(pqxx::transaction_base& tx, const std::string& deadline) const {
  return tx.exec_params1(kDeadlineText, deadline)[0].as<std::string>();
}

Result<Alert> AlertStore::Lock(pqxx::work& tx, std::int64_t network_id, std::int64_t alert_id) const {
  auto rows = tx.exec_params(kSelectAlertForUpdate, network_id, alert_id);
  if (rows.empty()) return Error::NotFound("no such alert");
  return Read(rows[0]);
}

void AlertStore::MarkEnded(pqxx::work& tx, std::int64_t alert_id, const std::string& status,
                           std::int64_t now_ms) const {
  tx.exec_params(kEndAlert, alert_id, status, static_cast<double>(now_ms));
  tx.exec_params(kCancelQueued, alert_id);
}

int AlertStore::NextSeq(pqxx::transaction_base& tx, std::int64_t alert_id) const {
  return tx.exec_params1(kNextSeq, alert_id)[0].as<int>();
}

std::optional<int> AlertStore::MessageSeq(pqxx::transaction_base& tx, std::int64_t alert_id,
                                          const std::string& kind) const {
  auto r = tx.exec_params(kMessageSeq, alert_id, kind);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<int>();
}

std::vector<std::string> AlertStore::Areas(pqxx::transaction_base& tx, std::int64_t alert_id) const {
  return FromPgArray(tx.exec_params1(kAlertAreas, alert_id)[0]);
}

std::vector<std::string> AlertStore::NeighboursOf(pqxx::transaction_base& tx, std::int64_t network_id,
                                                  const std::vector<std::string>& areas) const {
  std::vector<std::string> around;
  for (const auto& r : tx.exec_params(kNeighbours, network_id, ToPgArray(areas))) {
    auto name = r[0].as<std::string>();
    if (std::find(areas.begin(), areas.end(), name) == areas.end()) around.push_back(name);
  }
  return around;
}

Alert AlertStore::Read(const pqxx::row& r) const {
  Alert a;
  a.id = r[0].as<std::int64_t>();
  a.code = r[1].as<std::string>();
  a.kind = r[2].as<std::string>();
  a.status = r[3].as<std::string>();
  a.areas = FromPgArray(r[4]);
  a.roles = FromPgArray(r[5]);
  a.include_neighbours = r[6].as<bool>();
  const auto network_id = r[16].as<std::int64_t>();
  a.tiered = r[17].as<bool>();
  a.location = cipher_.Open(FromBytea(r[7]).value_or(""), places::AlertLocation(network_id, a.id)).value_or("");
  if (auto d = FromBytea(r[8])) a.details = cipher_.Open(*d, places::AlertDetails(network_id, a.id)).value_or("");
  if (!r[9].is_null()) a.deadline = r[9].as<std::string>();
  a.recipients = r[10].as<std::int64_t>();
  a.created_at = r[11].as<std::string>();
  a.warnings = FromPgArray(r[12]);
  if (!r[13].is_null()) a.ended_at = r[13].as<std::string>();
  if (!r[15].is_null()) {  // purged: the counts it ended with
    a.purged_at = r[15].as<std::string>();
    auto counts = boost::json::parse(r[14].as<std::string>());
    for (const auto& kv : counts.as_object()) a.counts[std::string(kv.key())] = kv.value().to_number<std::int64_t>();
  }
  return a;
}

void AlertStore::FillCounts(pqxx::transaction_base& tx, std::vector<Alert>& alerts) const {
  std::vector<std::string> ids;
  std::map<std::int64_t, Alert*> by_id;
  for (auto& a : alerts) {
    if (a.purged_at) continue;  // counts kept with the alert, nothing left to count
    ids.push_back(std::to_string(a.id));
    by_id[a.id] = &a;
    for (auto state : {"queued", "sending", "sent", "delivered", "failed", "undelivered", "cancelled",
                       "going", "cannot", "no_answer", "organisations_going", "organisations_cannot"}) {
      a.counts[state] = 0;
    }
  }
  if (ids.empty()) return;
  for (const auto& c : tx.exec_params(kCounts, ToPgArray(ids))) {
    by_id[c[0].as<std::int64_t>()]->counts[c[1].as<std::string>()] = c[2].as<std::int64_t>();
  }
  for (const auto& c : tx.exec_params(kAnswerCounts, ToPgArray(ids))) {
    auto* a = by_id[c[0].as<std::int64_t>()];
    a->counts["going"] = c[1].as<std::int64_t>();
    a->counts["cannot"] = c[2].as<std::int64_t>();
    a->counts["no_answer"] = c[3].as<std::int64_t>();
  }
  for (const auto& c : tx.exec_params(kOrganisationCounts, ToPgArray(ids))) {
    auto* a = by_id[c[0].as<std::int64_t>()];
    a->counts["organisations_going"] = c[1].as<std::int64_t>();
    a->counts["organisations_cannot"] = c[2].as<std::int64_t>();
  }
}

Result<Alert> AlertStore::Get(pqxx::transaction_base& tx, std::int64_t network_id,
                                std::int64_t id) const {
  auto rows = tx.exec_params(kSelectAlert, network_id, id);
  if (rows.empty()) return Error::NotFound("no such alert");
  std::vector<Alert> one{Read(rows[0])};
  FillCounts(tx, one);
  return std::move(one.front());
}

std::vector<Alert> AlertStore::List(pqxx::transaction_base& tx, std::int64_t network_id,
                                      const std::string& status, std::optional<std::int64_t> before_id,
                                    int limit) const {
  std::optional<std::string> filter;
  if (!status.empty()) filter = status;
  std::vector<Alert> out;
  for (const auto& r : tx.exec_params(kListAlerts, network_id, filter, before_id, limit)) out.push_back(Read(r));
  FillCounts(tx, out);
  return out;
}

MemberLabel AlertStore::ReadLabel(const pqxx::row& r, int first, std::int64_t network_id,
                                  std::int64_t member_id) const {
  MemberLabel m;
  m.deleted = r[first + 2].as<bool>();
  if (m.deleted) return m;
  if (auto sealed = FromBytea(r[first])) m.name = cipher_.Open(*sealed, places::MemberName(network_id, member_id));
  if (auto sealed = FromBytea(r[first + 1])) m.phone = cipher_.Open(*sealed, places::MemberPhone(network_id, member_id));
  return m;
}

Result<ResponsePage> AlertStore::Responses(pqxx::transaction_base& tx, std::int64_t network_id,
                                             std::int64_t alert_id, std::int64_t after_id, int limit,
                                             const std::optional<std::string>& answer) const {
  if (!AlertInNetwork(tx, network_id, alert_id)) return Error::NotFound("no such alert");
  ResponsePage page;
  for (const auto& r : tx.exec_params(kResponses, alert_id, network_id, after_id, FetchCount(limit), answer)) {
    ResponseView v;
    v.id = r[0].as<std::int64_t>();
    v.member_id = r[1].as<std::int64_t>();
    v.answer = r[2].as<std::string>();
    if (auto sealed = FromBytea(r[3])) {
      v.text = cipher_.Open(*sealed, places::ResponseText(network_id, alert_id, v.member_id));
    }
    v.received_at = r[4].as<std::string>();
    v.member = ReadLabel(r, 5, network_id, v.member_id);
    page.responses.push_back(std::move(v));
  }
  page.next_cursor = TrimPage(page.responses, limit);
  if (after_id == 0) page.organisations = OrganisationResponses(tx, cipher_, network_id, alert_id, answer);
  return page;
}

Result<DeliveryPage> AlertStore::Deliveries(pqxx::transaction_base& tx, std::int64_t network_id,
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
    d.member = ReadLabel(r, 16, network_id, d.member_id);
    page.deliveries.push_back(std::move(d));
  }
  page.next_cursor = TrimPage(page.deliveries, limit);
  return page;
}

}  // namespace tocsin
