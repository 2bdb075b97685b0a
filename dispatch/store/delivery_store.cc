#include "dispatch/store/delivery_store.h"

#include "dispatch/store/pq_types.h"
#include "dispatch/util/crypto.h"

namespace tocsin {
namespace {

constexpr const char* kApply =
    "UPDATE deliveries d SET state = u.state,"
    " sender = COALESCE(u.sender, d.sender), provider_id = COALESCE(u.provider_id, d.provider_id),"
    " error_code = COALESCE(u.error_code, d.error_code),"
    " error_message = COALESCE(u.error_message, d.error_message),"
    " next_attempt_at = CASE WHEN u.state = 'queued'"
    "   THEN now() + make_interval(secs => u.delay) ELSE d.next_attempt_at END,"
    " sent_at = CASE WHEN u.state IN ('sent', 'delivered') AND d.sent_at IS NULL"
    "   THEN to_timestamp($8::float8 / 1000) ELSE d.sent_at END,"
    " updated_at = now()"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"
    "   $7::float8[]) AS u(id, state, sender, provider_id, error_code, error_message, delay)"
    " WHERE d.id = u.id AND (delivery_rank(u.state) > delivery_rank(d.state)"
    "   OR (u.state IN ('queued', 'cancelled') AND d.state = 'sending'))";

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
    " ON CONFLICT (provider_id) WHERE provider_id IS NOT NULL DO NOTHING";

constexpr const char* kOptOut =
    "UPDATE members SET status = 'opted_out', updated_at = now() WHERE id = ANY($1::bigint[])";

}  // namespace

void WriteTransitions(pqxx::work& tx, const std::vector<Transition>& batch, std::int64_t now_ms) {
  if (batch.empty()) return;
  std::vector<std::string> ids, states, delays, opt_outs, new_ids;
  std::vector<std::optional<std::string>> senders, providers, codes, messages;
  for (const auto& t : batch) {
    if (t.provider_id && !t.provider_id->empty()) new_ids.push_back(*t.provider_id);
    ids.push_back(std::to_string(t.delivery_id));
    states.push_back(t.state);
    senders.push_back(t.sender);
    providers.push_back(t.provider_id);
    codes.push_back(t.error_code);
    messages.push_back(t.error_message);
    delays.push_back(std::to_string(t.retry_in_seconds));
    if (t.opt_out_member) opt_outs.push_back(std::to_string(*t.opt_out_member));
  }
  tx.exec_params(kApply, ToPgArray(ids), ToPgArray(states), ToPgArray(senders), ToPgArray(providers),
                 ToPgArray(codes), ToPgArray(messages), ToPgArray(delays), static_cast<double>(now_ms));
  if (!new_ids.empty()) tx.exec_params(kApplyEarly, ToPgArray(new_ids));
  if (!opt_outs.empty()) tx.exec_params(kOptOut, ToPgArray(opt_outs));
}

void InsertResponses(pqxx::work& tx, const std::vector<ResponseRecord>& records) {
  if (records.empty()) return;
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
  tx.exec_params(kInsertResponses, ToPgArray(alerts), ToPgArray(networks), ToPgArray(members), ToPgArray(answers),
                 ToPgArray(texts), ToPgArray(sids));
}

}  // namespace tocsin
