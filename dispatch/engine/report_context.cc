#include "dispatch/engine/report_context.h"

#include "dispatch/store/approval_store.h"
#include "dispatch/store/verification_store.h"

namespace tocsin {
namespace {

constexpr const char* kNetworkOfNumber = "SELECT network_id FROM network_numbers WHERE number = $1";

}  // namespace

std::optional<std::int64_t> ReportContext::NetworkOfNumber(pqxx::transaction_base& tx, const std::string& to) {
  auto [it, fresh] = number_networks_.try_emplace(to);
  if (fresh) {
    auto rows = tx.exec_params(kNetworkOfNumber, to);
    if (!rows.empty()) it->second = rows[0][0].as<std::int64_t>();
  }
  return it->second;
}

const Network* ReportContext::NetworkById(pqxx::transaction_base& tx, std::int64_t id) {
  auto [it, fresh] = networks_.try_emplace(id);
  if (fresh) it->second = FindNetworkById(tx, id);
  return it->second ? &*it->second : nullptr;
}

const std::vector<std::string>& ReportContext::Areas(pqxx::transaction_base& tx, std::int64_t network_id) {
  auto [it, fresh] = areas_.try_emplace(network_id);
  if (fresh) it->second = NetworkAreaNames(tx, network_id);
  return it->second;
}

const std::vector<std::string>& ReportContext::Neighbours(pqxx::transaction_base& tx, std::int64_t network_id,
                                                          const std::vector<std::string>& areas) {
  auto [it, fresh] = neighbours_.try_emplace(std::pair{network_id, areas});
  if (fresh) it->second = alerts_.NeighboursOf(tx, network_id, areas);
  return it->second;
}

void ReportContext::Lock(pqxx::work& tx, std::int64_t network_id) {
  if (locked_.insert(network_id).second) LockNetworkReports(tx, network_id);
}

std::vector<MergeCandidate>& ReportContext::Candidates(pqxx::work& tx, std::int64_t network_id,
                                                       std::int64_t report_id, std::int64_t since_ms,
                                                       std::int64_t now_ms) {
  Lock(tx, network_id);
  auto [it, fresh] = candidates_.try_emplace(network_id);
  if (fresh) {
    for (auto& row : MergeRows(tx, network_id, report_id, since_ms, now_ms)) {
      it->second.push_back(MergeCandidate{row.id, row.is_alert, std::move(row.kind), std::move(row.areas), row.at_ms});
    }
  }
  return it->second;
}

void ReportContext::AddPending(std::int64_t network_id, MergeCandidate c) {
  auto it = candidates_.find(network_id);
  if (it != candidates_.end()) it->second.push_back(std::move(c));
}

}  // namespace tocsin
