#include "dispatch/store/approval_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kHold = "UPDATE alerts SET status = 'pending_approval', recipients = $2 WHERE id = $1";
constexpr const char* kPending =
    "SELECT coalesce(requested_by, created_by), audience_given FROM alerts WHERE id = $1"
    " AND status = 'pending_approval'";
constexpr const char* kRequestedBy = "UPDATE alerts SET requested_by = $2 WHERE id = $1";
constexpr const char* kOpen = "UPDATE alerts SET status = 'open', recipients = 0 WHERE id = $1";
constexpr const char* kTokenLabel = "SELECT label FROM api_tokens WHERE id = $1";
constexpr const char* kAreaNames =
    "SELECT name FROM areas WHERE network_id = $1"
    " UNION SELECT DISTINCT unnest(areas) FROM members WHERE network_id = $1 AND status = 'active'";

}  // namespace

void HoldAlertForApproval(pqxx::work& tx, std::int64_t alert_id, std::int64_t recipients) {
  tx.exec_params(kHold, alert_id, static_cast<long long>(recipients));
}

std::optional<PendingRaise> FindPendingRaise(pqxx::transaction_base& tx, std::int64_t alert_id) {
  auto rows = tx.exec_params(kPending, alert_id);
  if (rows.empty()) return std::nullopt;
  return PendingRaise{rows[0][0].as<std::string>(), rows[0][1].as<bool>()};
}

void SetRequestedBy(pqxx::work& tx, std::int64_t alert_id, const std::string& actor) {
  tx.exec_params0(kRequestedBy, alert_id, actor);
}

void OpenApprovedAlert(pqxx::work& tx, std::int64_t alert_id) { tx.exec_params(kOpen, alert_id); }

std::string ActorTokenLabel(pqxx::transaction_base& tx, const std::string& actor) {
  constexpr std::string_view kPrefix = "token:";
  if (actor.rfind(kPrefix, 0) != 0) return "";
  long long id = 0;
  try {
    id = std::stoll(actor.substr(kPrefix.size()));
  } catch (const std::exception&) {
    return "";
  }
  auto rows = tx.exec_params(kTokenLabel, id);
  if (rows.empty() || rows[0][0].is_null()) return "";
  return rows[0][0].as<std::string>();
}

std::vector<std::string> NetworkAreaNames(pqxx::transaction_base& tx, std::int64_t network_id) {
  std::vector<std::string> out;
  for (const auto& r : tx.exec_params(kAreaNames, network_id)) out.push_back(r[0].as<std::string>());
  return out;
}

}  // namespace tocsin
