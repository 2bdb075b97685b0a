#include "dispatch/store/delivery_store.h"

#include <set>
#include <unordered_set>

#include "dispatch/store/pq_types.h"
#include "dispatch/store/status_store.h"
#include "dispatch/util/crypto.h"

namespace tocsin {
namespace {

constexpr const char* kApply =
    "UPDATE deliveries d SET state = u.state,"
    " sender = COALESCE(u.sender, d.sender), provider_id = COALESCE(u.provider_id, d.provider_id),"
    " error_code = CASE WHEN d.endpoint_id IS NULL THEN COALESCE(u.error_code, d.error_code) ELSE u.error_code END,"
    " error_message = CASE WHEN d.endpoint_id IS NULL THEN COALESCE(u.error_message, d.error_message)"
    "   ELSE u.error_message END,"
    " next_attempt_at = CASE WHEN u.state = 'queued' THEN COALESCE(to_timestamp(u.retry_at / 1000),"
    "   now() + make_interval(secs => u.delay)) ELSE d.next_attempt_at END,"
    " sent_at = CASE WHEN u.state IN ('sent', 'delivered') AND d.sent_at IS NULL"
    "   THEN to_timestamp($8::float8 / 1000) ELSE d.sent_at END,"
    " http_status = CASE WHEN d.endpoint_id IS NULL THEN d.http_status ELSE u.http_status END,"
    " latency_ms = COALESCE(u.latency_ms, d.latency_ms),"
    " updated_at = now()"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
    "   $7::float8[], $9::float8[], $10::integer[], $11::integer[])"
    "   AS u(id, state, sender, provider_id, error_code, error_message, delay, retry_at, http_status, latency_ms)"
    " WHERE d.id = u.id AND (delivery_rank(u.state) > delivery_rank(d.state)"
    "   OR (u.state IN ('queued', 'cancelled') AND d.state = 'sending'))";

// An endpoint that answered 410 Gone is sent nothing more until someone retries by hand.
constexpr const char* kDisableEndpoints =
    "UPDATE webhook_endpoints SET state = 'disabled', disabled_reason = 'the endpoint answered 410 Gone',"
    " updated_at = now() WHERE id = ANY($1::bigint[]) AND state = 'active'";

constexpr const char* kApplyEarly =
    "WITH e AS (DELETE FROM early_status WHERE provider_id = ANY($1::text[])"
    "   RETURNING provider_id, state, error_code),"
    " best AS (SELECT DISTINCT ON (provider_id) provider_id, state, error_code FROM e"
    "   ORDER BY provider_id, delivery_rank(state) DESC)"
    " UPDATE deliveries d SET state = best.state, error_code = COALESCE(best.error_code, d.error_code),"
    " updated_at = now() FROM best WHERE d.provider_id = best.provider_id"
    " AND delivery_rank(best.state) > delivery_rank(d.state)";

constexpr const char* kInsertResponses =
    "INSERT INTO responses (alert_id, network_id, member_id, answer, text_enc, provider_id)"
    " SELECT a, n, m, ans, decode(t, 'hex'), p FROM unnest($1::bigint[], $2::bigint[],"
    "  $3::bigint[], $4::text[], $5::text[], $6::text[]) AS u(a, n, m, ans, t, p)"
    " ON CONFLICT (provider_id) WHERE provider_id IS NOT NULL DO NOTHING RETURNING provider_id";

constexpr const char* kOptOut =
    "UPDATE members SET status = 'opted_out', updated_at = now() WHERE id = ANY($1::bigint[])";


// What an ended alert claimed but never recorded is not sent after a restart: only its
// closing message may still go.
constexpr const char* kRecoverEnded =
    "UPDATE deliveries d SET state = 'cancelled', error_message = 'alert ended', updated_at = now()"
    " FROM alerts a, alert_messages msg WHERE d.state = 'sending' AND a.id = d.alert_id AND a.status IN ('resolved', 'cancelled')"
    " AND msg.alert_id = d.alert_id AND msg.seq = d.seq AND msg.language = d.language"
    " AND msg.kind NOT IN ('resolve', 'cancel')";
constexpr const char* kRecover =
    "UPDATE deliveries SET state = 'queued', next_attempt_at = now(), updated_at = now()"
    " WHERE state = 'sending'";
// Members whose alert message was on the wire when the alert ended and turned out sent: they
// are sent the closing message too (the end queued it only for those already reached).
constexpr const char* kQueueLate =
    "INSERT INTO deliveries (alert_id, seq, network_id, member_id, language, segments)"
    " SELECT d.alert_id, msg.seq, d.network_id, d.member_id, msg.language, msg.segments FROM deliveries d"
    " JOIN alert_messages msg ON msg.alert_id = d.alert_id AND msg.language = d.language"
    "  AND msg.kind IN ('resolve', 'cancel')"
    " WHERE d.id = ANY($1::bigint[]) AND d.seq = 0 AND d.state IN ('sent', 'delivered')"
    " AND NOT EXISTS (SELECT 1 FROM deliveries x WHERE x.alert_id = d.alert_id AND x.member_id = d.member_id"
    "  AND x.seq = msg.seq)";
// The batch's alerts, locked against an end committing meanwhile (End holds the row FOR
// UPDATE): either the end sees this batch's messages as sent, or this batch sees the end.
constexpr const char* kLockAlerts =
    "SELECT id, status IN ('resolved', 'cancelled') FROM alerts WHERE id = ANY($1::bigint[]) ORDER BY id FOR KEY SHARE";
// Early callbacks that never found their message (not ours, or lost): kept a day.
constexpr const char* kPruneEarly =
    "DELETE FROM early_status WHERE received_at < now() - interval '1 day'";
// The networks with a due delivery to a person. Polled every few hundred ms while 100,000 rows
// may be queued, so it never reads them all (a DISTINCT did: 64 ms a poll at 100,000 queued):
// a skip scan of deliveries_queue_idx finds each network with anything queued (one probe each),
// then one probe per network in due order finds whether anything of it is due.
constexpr const char* kNetworksWithWork =
    "WITH RECURSIVE queued(id) AS ("
    "  (SELECT network_id FROM deliveries WHERE state = 'queued' ORDER BY network_id LIMIT 1)"
    "  UNION ALL SELECT (SELECT network_id FROM deliveries WHERE state = 'queued' AND network_id > q.id"
    "   ORDER BY network_id LIMIT 1) FROM queued q WHERE q.id IS NOT NULL)"
    " SELECT q.id FROM queued q WHERE q.id IS NOT NULL AND EXISTS (SELECT 1 FROM deliveries d"
    "  WHERE d.state = 'queued' AND d.network_id = q.id"
    /* the index's range (implied by the channel's bound below, which no index can use) */
    "  AND d.next_attempt_at <= GREATEST(now(), to_timestamp($1::float8 / 1000))"
    "  AND (d.member_id IS NOT NULL OR d.report_id IS NOT NULL)"
    "  AND d.next_attempt_at <= CASE WHEN d.channel = 'voice'"
    "   THEN GREATEST(now(), to_timestamp($1::float8 / 1000)) ELSE now() END)";
constexpr const char* kSenders =
    "SELECT number, segments_per_second FROM network_numbers WHERE network_id = $1 ORDER BY position";
// Claims the oldest due deliveries of one network and returns what sending them needs: the
// delivery's own text if it has one (a relay node's call list), else its language's message
// (and a call's English one, read when no voice speaks the language).
// A member's number, or a non-member reporter's (schema/0042: sealed on the report only), for the
// deliveries `picked`.
#define TOCSIN_WHO_CTE                                                                   \
  " who AS (SELECT p.id, COALESCE(m.phone_enc, r.reporter_enc) AS phone_enc,"            \
  "  COALESCE(m.status, 'active') AS status FROM picked p"                               \
  "  LEFT JOIN members m ON m.id = p.member_id LEFT JOIN reports r ON r.id = p.report_id)"
// What ReadClaimed reads, in order, of deliveries d (who w, alert_messages msg, alerts a).
#define TOCSIN_CLAIMED_COLUMNS                                                                                \
  " d.id, COALESCE(d.member_id, 0), d.segments, d.attempts, w.phone_enc, w.status,"                          \
  "  COALESCE(d.body_enc, msg.body_enc), a.kind,"                                                             \
  "  d.alert_id, msg.kind, d.channel, d.body_enc IS NOT NULL, d.seq, d.language, a.code,"                     \
  "  CASE WHEN d.channel = 'voice' AND d.body_enc IS NULL AND d.language <> 'en' THEN (SELECT e.body_enc"     \
  "   FROM alert_messages e WHERE e.alert_id = d.alert_id AND e.seq = d.seq AND e.language = 'en') END,"       \
  "  CASE WHEN d.channel = 'voice' AND a.tiered THEN a.location_enc END,"                                     \
  "  CASE WHEN d.channel = 'voice' AND a.tiered THEN a.details_enc END,"                                      \
  "  CASE WHEN d.channel = 'voice' THEN (SELECT array_agg(rec.message) FROM recordings rec"                   \
  "   WHERE rec.network_id = d.network_id AND rec.language = d.language) END,"                                \
  "  COALESCE(d.report_id, 0),"                                                                               \
  /* A relay node's call: its own text is its call list (the alert has a relay tree run). */                 \
  "  d.channel = 'voice' AND d.body_enc IS NOT NULL AND EXISTS (SELECT 1 FROM tree_runs tr"                  \
  "   WHERE tr.alert_id = d.alert_id AND tr.mode = 'relay')"
#define TOCSIN_CLAIMED_JOIN                                                 \
  " d.id = w.id AND msg.alert_id = d.alert_id AND msg.seq = d.seq"         \
  "  AND msg.language = d.language AND a.id = d.alert_id"

// Claims the oldest due deliveries of one network and returns what sending them needs: the
// delivery's own text if it has one (a relay node's call list), else its language's message
// (and a call's English one, read when no voice speaks the language).
constexpr const char* kClaim =
    "WITH picked AS (SELECT id, member_id, report_id FROM deliveries WHERE network_id = $1 AND state = 'queued'"
    "  AND next_attempt_at <= CASE WHEN channel = 'voice' THEN GREATEST(now(), to_timestamp($3::float8 / 1000))"
    "   ELSE now() END AND (member_id IS NOT NULL OR report_id IS NOT NULL)"
    "  ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED),"
    TOCSIN_WHO_CTE
    " UPDATE deliveries d SET state = 'sending', attempts = d.attempts + 1, updated_at = now()"
    " FROM who w, alert_messages msg, alerts a WHERE" TOCSIN_CLAIMED_JOIN
    " RETURNING" TOCSIN_CLAIMED_COLUMNS;

// A call being placed or in progress, as its claim read it (its attempt now), with whether its
// alert is open, its SID and the number that placed it.
constexpr const char* kCallInProgress =
    "WITH picked AS (SELECT id, member_id, report_id FROM deliveries WHERE id = $2 AND network_id = $1"
    "  AND attempts = $3 AND channel = 'voice' AND state IN ('sending', 'sent')),"
    TOCSIN_WHO_CTE
    " SELECT" TOCSIN_CLAIMED_COLUMNS ", a.status = 'open', d.provider_id, d.sender"
    " FROM deliveries d, who w, alert_messages msg, alerts a WHERE" TOCSIN_CLAIMED_JOIN;

ClaimedDelivery ReadClaimed(const pqxx::row& r) {
  return {r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<int>(), r[3].as<int>(),
          FromBytea(r[4]).value_or(""), r[5].as<std::string>(), FromBytea(r[6]).value_or(""),
          r[7].as<std::string>(), r[8].as<std::int64_t>(), r[9].as<std::string>(), r[10].as<std::string>(),
          r[11].as<bool>(), r[12].as<int>(), r[13].as<std::string>(), r[14].as<std::string>(),
          FromBytea(r[15]).value_or(""), FromBytea(r[16]).value_or(""), FromBytea(r[17]).value_or(""),
          r[18].is_null() ? std::vector<std::string>{} : FromPgArray(r[18]),
          r[19].as<std::int64_t>(), r[20].as<bool>()};
}

}  // namespace

void WriteTransitions(pqxx::work& tx, const std::vector<Transition>& batch, std::int64_t now_ms) {
  if (batch.empty()) return;
  // First of all, before any delivery row is touched (so nothing is held while waiting here):
  // the batch's alerts, and whether each has ended.
  std::set<std::int64_t> alert_ids, ended;
  for (const auto& t : batch) {
    if (t.alert_id != 0) alert_ids.insert(t.alert_id);
  }
  if (!alert_ids.empty()) {
    auto ids = ToPgArray(std::vector<std::int64_t>(alert_ids.begin(), alert_ids.end()));
    for (const auto& r : ExecPrepared(tx, "lock_batch_alerts", kLockAlerts, ids)) {
      if (r[1].as<bool>()) ended.insert(r[0].as<std::int64_t>());
    }
  }
  // The provider ids this batch records, locked against their status callbacks committing
  // meanwhile (LockProviderIds); early statuses kept for them are applied below.
  std::vector<std::string> new_ids;
  for (const auto& t : batch) {
    if (t.provider_id && !t.provider_id->empty()) new_ids.push_back(*t.provider_id);
  }
  LockProviderIds(tx, new_ids);
  std::vector<std::string> ids, states, delays, opt_outs, late;
  std::vector<std::optional<std::string>> senders, providers, codes, messages, retry_at, statuses, latencies;
  std::vector<std::int64_t> disable;
  auto opt = [](const auto& v) { return v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt; };
  for (const auto& t : batch) {
    bool after_end = ended.count(t.alert_id) && !t.closing;
    bool reached = t.state == "sent" || t.state == "delivered";
    // A retry of an ended alert's message would go out after its end: cancelled instead.
    bool cancel = after_end && t.state == "queued";
    ids.push_back(std::to_string(t.delivery_id));
    states.push_back(cancel ? "cancelled" : t.state);
    senders.push_back(t.sender);
    providers.push_back(t.provider_id);
    codes.push_back(t.error_code);
    messages.push_back(cancel ? std::optional<std::string>("alert ended") : t.error_message);
    delays.push_back(std::to_string(t.retry_in_seconds));
    retry_at.push_back(opt(t.retry_at_ms));
    statuses.push_back(opt(t.http_status));
    latencies.push_back(opt(t.latency_ms));
    if (t.disable_endpoint) disable.push_back(*t.disable_endpoint);
    if (t.opt_out_member) opt_outs.push_back(std::to_string(*t.opt_out_member));
    if (after_end && reached) late.push_back(std::to_string(t.delivery_id));
  }
  ExecPrepared(tx, "apply_transitions", kApply, ToPgArray(ids), ToPgArray(states), ToPgArray(senders),
               ToPgArray(providers), ToPgArray(codes), ToPgArray(messages), ToPgArray(delays),
               static_cast<double>(now_ms), ToPgArray(retry_at), ToPgArray(statuses), ToPgArray(latencies));
  if (!disable.empty()) tx.exec_params(kDisableEndpoints, ToPgArray(disable));
  if (!new_ids.empty()) tx.exec_params(kApplyEarly, ToPgArray(new_ids));
  if (!opt_outs.empty()) tx.exec_params(kOptOut, ToPgArray(opt_outs));
  if (!late.empty()) tx.exec_params(kQueueLate, ToPgArray(late));
}

std::vector<std::string> InsertResponses(pqxx::work& tx, const std::vector<ResponseRecord>& records) {
  std::vector<std::string> inserted;
  if (records.empty()) return inserted;
  std::vector<std::string> alerts, networks, members, answers;
  std::vector<std::optional<std::string>> texts, sids;
  for (const auto& r : records) {
    alerts.push_back(std::to_string(r.alert_id));
    networks.push_back(std::to_string(r.network_id));
    members.push_back(std::to_string(r.member_id));
    answers.push_back(r.answer);
    texts.push_back(r.text_sealed ? std::optional<std::string>(ToHex(*r.text_sealed)) : std::nullopt);
    sids.push_back(r.provider_id);
  }
  for (const auto& r : ExecPrepared(tx, "insert_responses", kInsertResponses, ToPgArray(alerts), ToPgArray(networks), ToPgArray(members),
                                      ToPgArray(answers), ToPgArray(texts), ToPgArray(sids))) {
    if (!r[0].is_null()) inserted.push_back(r[0].as<std::string>());
  }
  return inserted;
}

long long RecoverSending(pqxx::work& tx) {
  tx.exec(kRecoverEnded);
  auto r = tx.exec(kRecover);
  tx.exec(kPruneEarly);
  return static_cast<long long>(r.affected_rows());
}

std::vector<std::int64_t> NetworksWithWork(pqxx::transaction_base& tx, std::int64_t now_ms) {
  std::vector<std::int64_t> out;
  for (const auto& r : tx.exec_params(kNetworksWithWork, static_cast<double>(now_ms))) out.push_back(r[0].as<std::int64_t>());
  return out;
}

std::vector<SenderConfig> SendersOf(pqxx::transaction_base& tx, std::int64_t network_id) {
  std::vector<SenderConfig> out;
  for (const auto& r : tx.exec_params(kSenders, network_id)) {
    out.push_back({r[0].as<std::string>(), r[1].is_null() ? std::nullopt : std::optional<double>(r[1].as<double>())});
  }
  return out;
}

std::vector<ClaimedDelivery> ClaimDeliveries(pqxx::work& tx, std::int64_t network_id, long long limit,
                                             std::int64_t now_ms) {
  std::vector<ClaimedDelivery> out;
  for (const auto& r : tx.exec_params(kClaim, network_id, limit, static_cast<double>(now_ms))) {
    out.push_back(ReadClaimed(r));
  }
  return out;
}

std::optional<CallInProgress> FindCallInProgress(pqxx::transaction_base& tx, std::int64_t network_id,
                                                 std::int64_t delivery_id, int attempt) {
  auto rows = tx.exec_params(kCallInProgress, network_id, delivery_id, attempt);
  if (rows.empty()) return std::nullopt;
  const auto& r = rows[0];
  return CallInProgress{ReadClaimed(r), r[21].as<bool>(), r[22].is_null() ? "" : r[22].as<std::string>(),
                        r[23].is_null() ? "" : r[23].as<std::string>()};
}

}  // namespace tocsin
