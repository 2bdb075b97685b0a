// The alerts of cases (issue 13): which alert a case's event raised (case_alerts), the case's
// open one, the alerts its timeline lists, and the organisations' slugs its contacts name (a
// policy audience names organisations by slug). Ids, codes and states only: nothing sealed.
//
// Every function runs inside the caller's transaction, scoped by `network_id`. Thread safety:
// free functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

struct CaseAlertEntry {
  std::int64_t alert_id = 0;
  std::string code;
  std::string kind;
  std::string status;
  std::string created_at;  // RFC 3339, UTC, microseconds (as case events')
};

void LinkCaseAlert(pqxx::work& tx, std::int64_t network_id, std::int64_t case_id, std::int64_t alert_id,
                   std::int64_t event_id);
// The case's most recent alert that is open or waiting for approval, if any.
std::optional<std::int64_t> OpenCaseAlert(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id);
// The case's alerts that are open or waiting for approval, newest first.
std::vector<CaseAlertEntry> OpenCaseAlerts(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id);
// The case that raised `alert_id`, if one did, and the event that raised it.
struct AlertCase {
  std::int64_t case_id = 0;
  std::optional<std::int64_t> event_id;
};
std::optional<AlertCase> CaseOfAlert(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t alert_id);
// The case's alerts, oldest first (at most the latest 100).
std::vector<CaseAlertEntry> AlertsOfCase(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t case_id);
// Organisation id -> slug for `ids` of the network's.
std::map<std::int64_t, std::string> OrganisationSlugs(pqxx::transaction_base& tx, std::int64_t network_id,
                                                      const std::vector<std::int64_t>& ids);
// Replaces the text (sealed, hex) of message `seq` of the alert in `language`, when stored.
void ReplaceAlertMessageText(pqxx::work& tx, std::int64_t alert_id, int seq, const std::string& language,
                             const std::string& sealed_hex, int segments);
// The case whose person's phone hashes to `phone_hash` (binary), open, of the network.
std::optional<std::int64_t> OpenCaseByPhoneHash(pqxx::transaction_base& tx, std::int64_t network_id,
                                                const std::string& phone_hash);

}  // namespace tocsin
