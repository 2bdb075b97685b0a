#include "dispatch/store/case_history_store.h"

namespace tocsin {
namespace {

#define TOCSIN_US(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
constexpr const char* kMessages =
    "SELECT * FROM (SELECT d.alert_id, d.seq, min(m.kind), count(DISTINCT coalesce(d.member_id, -d.report_id)),"
    " " TOCSIN_US("min(d.created_at)") ", min(d.created_at) AS first"
    " FROM case_alerts k JOIN deliveries d ON d.alert_id = k.alert_id AND d.seq > 0"
    " JOIN alert_messages m ON m.alert_id = d.alert_id AND m.seq = d.seq AND m.language = d.language"
    " WHERE k.network_id = $1 AND k.case_id = $2 GROUP BY d.alert_id, d.seq"
    " ORDER BY first DESC LIMIT 200) t ORDER BY first, alert_id, seq";
constexpr const char* kAnswers =
    "SELECT alert_id, answer, member_id, slug, " TOCSIN_US("at") " FROM (SELECT * FROM ("
    " SELECT r.alert_id, r.answer, r.member_id, NULL::text AS slug, r.received_at AS at, r.id"
    "  FROM case_alerts k JOIN responses r ON r.alert_id = k.alert_id"
    "  WHERE k.network_id = $1 AND k.case_id = $2 AND r.answer IN ('going', 'cannot')"
    " UNION ALL SELECT o.alert_id, o.answer, NULL, g.slug, o.received_at, o.id"
    "  FROM case_alerts k JOIN organisation_responses o ON o.alert_id = k.alert_id"
    "  JOIN organisations g ON g.id = o.organisation_id WHERE k.network_id = $1 AND k.case_id = $2) u"
    " ORDER BY at DESC LIMIT 200) t ORDER BY at, id";
#undef TOCSIN_US

}  // namespace

std::vector<CaseMessage> MessagesOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id) {
  std::vector<CaseMessage> out;
  for (const auto& r : tx.exec_params(kMessages, network_id, case_id)) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<int>(), r[2].as<std::string>(), r[3].as<std::int64_t>(),
                   r[4].as<std::string>()});
  }
  return out;
}

std::vector<CaseAnswer> AnswersOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id) {
  std::vector<CaseAnswer> out;
  for (const auto& r : tx.exec_params(kAnswers, network_id, case_id)) {
    CaseAnswer a;
    a.alert_id = r[0].as<std::int64_t>();
    a.answer = r[1].as<std::string>();
    if (!r[2].is_null()) a.member_id = r[2].as<std::int64_t>();
    if (!r[3].is_null()) a.organisation = r[3].as<std::string>();
    a.at = r[4].as<std::string>();
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace tocsin
