#include "dispatch/engine/report_context.h"

#include <algorithm>

#include "dispatch/store/approval_store.h"
#include "dispatch/store/report_batch_store.h"
#include "dispatch/store/report_store.h"
#include "dispatch/store/verification_store.h"

namespace tocsin {
std::optional<std::int64_t> ReportContext::NetworkOfNumber(pqxx::transaction_base& tx, const std::string& to) {
  auto [it, fresh] = number_networks_.try_emplace(to);
  if (fresh) it->second = tocsin::NetworkOfNumber(tx, to);
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
  if (!fresh) return it->second;
  auto [all, read] = area_neighbours_.try_emplace(network_id);
  if (read) all->second = AreaNeighbours(tx, network_id);
  for (const auto& area : areas) {
    auto of = all->second.find(area);
    if (of == all->second.end()) continue;
    for (const auto& n : of->second) {
      if (std::find(areas.begin(), areas.end(), n) != areas.end()) continue;
      if (std::find(it->second.begin(), it->second.end(), n) == it->second.end()) it->second.push_back(n);
    }
  }
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

void ReportContext::LoadSenders(pqxx::transaction_base& tx, const DataCipher& cipher, const Network& net,
                                const std::vector<const InboundSms*>& messages, std::int64_t now_ms) {
  std::vector<std::string> froms, sids;
  std::set<std::string> asked;
  for (const auto* sms : messages) {
    if (!senders_.contains(std::pair{net.id, sms->from}) && asked.insert(sms->from).second) froms.push_back(sms->from);
    if (!sms->sid.empty() && sids_read_.insert(sms->sid).second) sids.push_back(sms->sid);
  }
  std::vector<std::string> strangers;
  for (auto& [from, sender] : SendersIn(tx, cipher, net.id, froms)) {
    if (!sender.active_member()) strangers.push_back(from);
    senders_.insert_or_assign(std::pair{net.id, from}, std::move(sender));
  }
  // Only a non-member is rate-limited: only theirs are counted.
  for (const auto& [from, n] : ReportsInLastHourOf(tx, cipher, net.id, strangers, now_ms)) {
    hour_counts_[std::pair{net.id, from}] += n;
  }
  for (auto& sid : SeenBefore(tx, sids)) seen_.insert(std::move(sid));
}

const ReportSender& ReportContext::Sender(std::int64_t network_id, const std::string& from) const {
  return senders_.at(std::pair{network_id, from});
}

int ReportContext::ReportsInLastHour(std::int64_t network_id, const std::string& from) const {
  auto it = hour_counts_.find(std::pair{network_id, from});
  return it == hour_counts_.end() ? 0 : it->second;
}

void ReportContext::CountReport(std::int64_t network_id, const std::string& from) {
  ++hour_counts_[std::pair{network_id, from}];
}

bool ReportContext::Repeated(const std::string& sid) {
  if (sid.empty()) return false;
  if (!seen_.insert(sid).second) return true;
  first_seen_.push_back(sid);
  return false;
}

std::vector<std::string> ReportContext::TakeFirstSeen() {
  std::vector<std::string> out;
  out.swap(first_seen_);
  return out;
}

}  // namespace tocsin
