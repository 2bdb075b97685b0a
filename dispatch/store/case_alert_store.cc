#include "dispatch/store/case_alert_store.h"

#include "dispatch/store/pq_types.h"
#include "dispatch/util/crypto.h"

namespace tocsin {
namespace {

constexpr const char* kLink =
    "INSERT INTO case_alerts (alert_id, case_id, network_id, event_id) VALUES ($1, $2, $3, $4)";
constexpr const char* kOpen =
    "SELECT k.alert_id FROM case_alerts k JOIN alerts a ON a.id = k.alert_id"
    " WHERE k.network_id = $1 AND k.case_id = $2 AND a.status IN ('open', 'pending_approval')"
    " ORDER BY k.alert_id DESC LIMIT 1";
constexpr const char* kOpenAll =
    "SELECT a.id, a.code, a.kind, a.status,"
    " to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM case_alerts k JOIN alerts a ON a.id = k.alert_id"
    " WHERE k.network_id = $1 AND k.case_id = $2 AND a.status IN ('open', 'pending_approval') ORDER BY a.id DESC";
constexpr const char* kCaseOf = "SELECT case_id, event_id FROM case_alerts WHERE network_id = $1 AND alert_id = $2";
constexpr const char* kAlerts =
    "SELECT * FROM (SELECT a.id, a.code, a.kind, a.status,"
    " to_char(k.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    " FROM case_alerts k JOIN alerts a ON a.id = k.alert_id WHERE k.network_id = $1 AND k.case_id = $2"
    " ORDER BY k.alert_id DESC LIMIT 100) t ORDER BY 1";
constexpr const char* kSlugs =
    "SELECT id, slug FROM organisations WHERE network_id = $1 AND id = ANY($2::bigint[])";
constexpr const char* kReplaceText =
    "UPDATE alert_messages SET body_enc = decode($4, 'hex'), segments = $5"
    " WHERE alert_id = $1 AND seq = $2 AND language = $3";
constexpr const char* kByPhone =
    "SELECT id FROM cases WHERE network_id = $1 AND phone_hash = decode($2, 'hex') AND status = 'open'"
    " ORDER BY id DESC LIMIT 1";

}  // namespace

void LinkCaseAlert(pqxx::work& tx, std::int64_t network_id, std::int64_t case_id, std::int64_t alert_id,
                   std::int64_t event_id) {
  tx.exec_params0(kLink, alert_id, case_id, network_id, event_id);
}

std::optional<std::int64_t> OpenCaseAlert(pqxx::transaction_base& tx, std::int64_t network_id,
                                          std::int64_t case_id) {
  auto r = tx.exec_params(kOpen, network_id, case_id);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

namespace {

std::vector<CaseAlertEntry> ReadEntries(const pqxx::result& rows) {
  std::vector<CaseAlertEntry> out;
  for (const auto& r : rows) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                   r[4].as<std::string>()});
  }
  return out;
}

}  // namespace

std::vector<CaseAlertEntry> OpenCaseAlerts(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id) {
  return ReadEntries(tx.exec_params(kOpenAll, network_id, case_id));
}

std::optional<AlertCase> CaseOfAlert(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t alert_id) {
  auto r = tx.exec_params(kCaseOf, network_id, alert_id);
  if (r.empty()) return std::nullopt;
  AlertCase out{r[0][0].as<std::int64_t>(), std::nullopt};
  if (!r[0][1].is_null()) out.event_id = r[0][1].as<std::int64_t>();
  return out;
}

std::vector<CaseAlertEntry> AlertsOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id) {
  return ReadEntries(tx.exec_params(kAlerts, network_id, case_id));
}

std::map<std::int64_t, std::string> OrganisationSlugs(pqxx::transaction_base& tx, std::int64_t network_id,
                                                      const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, std::string> out;
  if (ids.empty()) return out;
  for (const auto& r : tx.exec_params(kSlugs, network_id, ToPgArray(ids))) {
    out[r[0].as<std::int64_t>()] = r[1].as<std::string>();
  }
  return out;
}

void ReplaceAlertMessageText(pqxx::work& tx, std::int64_t alert_id, int seq, const std::string& language,
                             const std::string& sealed_hex, int segments) {
  tx.exec_params0(kReplaceText, alert_id, seq, language, sealed_hex, segments);
}

std::optional<std::int64_t> OpenCaseByPhoneHash(pqxx::transaction_base& tx, std::int64_t network_id,
                                                const std::string& phone_hash) {
  auto r = tx.exec_params(kByPhone, network_id, ToHex(phone_hash));
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

}  // namespace tocsin
