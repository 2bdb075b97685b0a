#include "dispatch/store/case_action_store.h"

namespace tocsin {
namespace {

constexpr const char* kRecordAsk =
    "INSERT INTO case_asks (alert_id, seq, action) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
// From the network's open case alerts down to the member's deliveries of their asks (the
// deliveries' (alert_id, seq, id) index), so no scan of the member's whole history.
constexpr const char* kLatestAsk =
    "SELECT k.case_id, d.alert_id, a.code, d.seq, q.action FROM alerts a"
    " JOIN case_alerts k ON k.alert_id = a.id JOIN case_asks q ON q.alert_id = a.id"
    " JOIN deliveries d ON d.alert_id = q.alert_id AND d.seq = q.seq AND d.member_id = $2"
    " WHERE a.network_id = $1 AND a.status = 'open' AND ($3::text IS NULL OR a.code = $3)"
    " ORDER BY d.id DESC LIMIT 1";
constexpr const char* kCount =
    "INSERT INTO case_actions (network_id, case_id, alert_id, seq, member_id, action, day)"
    " VALUES ($1, $2, $3, $4, $5, $6, (to_timestamp($7::float8 / 1000) AT TIME ZONE 'UTC')::date)"
    " ON CONFLICT DO NOTHING";
constexpr const char* kByDay =
    "SELECT to_char(day, 'YYYY-MM-DD'), action, count(*) FROM case_actions"
    " WHERE network_id = $1 AND case_id = $2 GROUP BY day, action ORDER BY day, action";
constexpr const char* kItems =
    "SELECT * FROM (SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), action,"
    " member_id, alert_id, id FROM case_actions WHERE network_id = $1 AND case_id = $2"
    " ORDER BY id DESC LIMIT 500) t ORDER BY 5";

}  // namespace

void RecordAsk(pqxx::work& tx, std::int64_t alert_id, int seq, const std::string& action) {
  tx.exec_params0(kRecordAsk, alert_id, seq, action);
}

std::optional<AskSent> LatestAskSent(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t member_id,
                                     const std::optional<std::string>& code) {
  auto r = tx.exec_params(kLatestAsk, network_id, member_id, code);
  if (r.empty()) return std::nullopt;
  return AskSent{r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>(), r[0][2].as<std::string>(), r[0][3].as<int>(),
                 r[0][4].as<std::string>()};
}

bool CountAction(pqxx::work& tx, std::int64_t network_id, const AskSent& ask, std::int64_t member_id,
                 std::int64_t now_ms) {
  return tx.exec_params(kCount, network_id, ask.case_id, ask.alert_id, ask.seq, member_id, ask.action,
                        static_cast<double>(now_ms))
             .affected_rows() == 1;
}

CaseActionCounts CountCaseActions(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id) {
  CaseActionCounts out;
  for (const auto& r : tx.exec_params(kByDay, network_id, case_id)) {
    const auto day = r[0].as<std::string>();
    const auto action = r[1].as<std::string>();
    const auto n = r[2].as<std::int64_t>();
    if (out.by_day.empty() || out.by_day.back().day != day) out.by_day.push_back({day, {}});
    out.by_day.back().counts[action] = n;
    out.total[action] += n;
  }
  return out;
}

std::vector<ActionItem> ActionsOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id) {
  std::vector<ActionItem> out;
  for (const auto& r : tx.exec_params(kItems, network_id, case_id)) {
    ActionItem item{r[0].as<std::string>(), r[1].as<std::string>(), std::nullopt, std::nullopt};
    if (!r[2].is_null()) item.member_id = r[2].as<std::int64_t>();
    if (!r[3].is_null()) item.alert_id = r[3].as<std::int64_t>();
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace tocsin
