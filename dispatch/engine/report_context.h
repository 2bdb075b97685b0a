// ReportContext: what the reports of one transaction share (issue 12, intake in batches). SMS
// reports are taken many to a transaction (engine/report_queue.h); they would otherwise read the
// same network, its areas and its neighbour lists again for each report, take the network's
// report lock again, and read what a report may merge into again. Here each is read once per
// transaction and kept.
//
// Invariants:
//  1. A context lives in one transaction only: create it after the transaction begins, drop it
//     before the transaction ends.
//  2. Candidates(network) is read only once the network's report lock is held (Lock), and from
//     then on the transaction keeps it true: a report that stays pending is added (AddPending),
//     so a later report of the batch merges into an earlier one exactly as it would have after
//     the earlier one's commit. What other transactions change needs the same lock, so it cannot
//     change under it (a deadline firing may still decide a candidate report meanwhile, as it
//     could between the read and the merge before batches).
//
// Thread safety: none; one transaction's thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/report_rules.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/network_registry.h"

namespace tocsin {

class ReportContext {
 public:
  explicit ReportContext(const AlertStore& alerts) : alerts_(alerts) {}

  // The network whose number `to` is; nullopt: no network's.
  std::optional<std::int64_t> NetworkOfNumber(pqxx::transaction_base& tx, const std::string& to);
  // The network; nullptr when there is none. The pointer lives as long as the context.
  const Network* NetworkById(pqxx::transaction_base& tx, std::int64_t id);
  // The network's area names.
  const std::vector<std::string>& Areas(pqxx::transaction_base& tx, std::int64_t network_id);
  // The areas around `areas` (not among them).
  const std::vector<std::string>& Neighbours(pqxx::transaction_base& tx, std::int64_t network_id,
                                             const std::vector<std::string>& areas);
  // Takes the network's report lock (store/verification_store.h LockNetworkReports) once.
  void Lock(pqxx::work& tx, std::int64_t network_id);
  // What a report of the network received at `now_ms` may merge into (excluding `report_id`,
  // which must be the first report merged in this transaction: read once, under the lock).
  std::vector<MergeCandidate>& Candidates(pqxx::work& tx, std::int64_t network_id, std::int64_t report_id,
                                          std::int64_t since_ms, std::int64_t now_ms);
  // A report of the network now pending (verifying, or waiting for a coordinator): later
  // reports of this transaction may merge into it.
  void AddPending(std::int64_t network_id, MergeCandidate c);

 private:
  const AlertStore& alerts_;
  std::map<std::string, std::optional<std::int64_t>> number_networks_;
  std::map<std::int64_t, std::optional<Network>> networks_;
  std::map<std::int64_t, std::vector<std::string>> areas_;
  std::map<std::pair<std::int64_t, std::vector<std::string>>, std::vector<std::string>> neighbours_;
  std::set<std::int64_t> locked_;
  std::map<std::int64_t, std::vector<MergeCandidate>> candidates_;
};

}  // namespace tocsin
