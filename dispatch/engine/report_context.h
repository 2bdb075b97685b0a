// ReportContext: what the reports of one transaction share (issue 12, intake in batches). SMS
// reports are taken many to a transaction (engine/report_queue.h); they would otherwise read the
// same network, its areas and its neighbour lists again for each report, take the network's
// report lock again, and read what a report may merge into again. Here each is read once per
// transaction and kept; so are the senders of the batch's reports, their counts for the rate
// limit and the provider ids seen before, read for many messages in one statement each
// (LoadSenders) and kept up to date as the transaction takes reports.
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
//  3. ReportsInLastHour counts what the database held when LoadSenders read it plus the reports
//     this transaction took since (CountReport); Repeated answers true for a provider id read
//     as seen before or met earlier in the transaction; the first sightings wait in
//     TakeFirstSeen for the caller to record (sender_lookup.h FirstSeen).
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
#include "dispatch/model/reply_decision.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/store/report_store.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

class ReportContext {
 public:
  ReportContext() = default;

  // The network whose number `to` is; nullopt: no network's.
  std::optional<std::int64_t> NetworkOfNumber(pqxx::transaction_base& tx, const std::string& to);
  // The network; nullptr when there is none. The pointer lives as long as the context.
  const Network* NetworkById(pqxx::transaction_base& tx, std::int64_t id);
  // The network's area names.
  const std::vector<std::string>& Areas(pqxx::transaction_base& tx, std::int64_t network_id);
  // The areas around `areas` (not among them), in no particular order; the network's areas and
  // their neighbours read once.
  const std::vector<std::string>& Neighbours(pqxx::transaction_base& tx, std::int64_t network_id,
                                             const std::vector<std::string>& areas);
  // Takes the network's report lock (store/verification_store.h LockNetworkReports) once.
  void Lock(pqxx::work& tx, std::int64_t network_id);
  // What a report of the network received at `now_ms` may merge into (excluding `report_id`,
  // which must be the first report merged in this transaction, or 0 when it is read before the
  // transaction's new reports are inserted: read once, under the lock).
  std::vector<MergeCandidate>& Candidates(pqxx::work& tx, std::int64_t network_id, std::int64_t report_id,
                                          std::int64_t since_ms, std::int64_t now_ms);
  // A report of the network now pending (verifying, or waiting for a coordinator): later
  // reports of this transaction may merge into it.
  void AddPending(std::int64_t network_id, MergeCandidate c);

  // Reads, for those of `messages` (sent to `net`'s numbers) not read yet, their senders, the
  // non-members' reports in the hour before `now_ms`, and whether their provider ids were seen
  // before: one statement each (store/report_batch_store.h).
  void LoadSenders(pqxx::transaction_base& tx, const DataCipher& cipher, const Network& net,
                   const std::vector<const InboundSms*>& messages, std::int64_t now_ms);
  // Of a message LoadSenders read: its sender, and the number's reports in the last hour.
  const ReportSender& Sender(std::int64_t network_id, const std::string& from) const;
  int ReportsInLastHour(std::int64_t network_id, const std::string& from) const;
  // The number made one more report in this transaction.
  void CountReport(std::int64_t network_id, const std::string& from);
  // Whether the provider sent the message with id `sid` before (none: never); a first sighting
  // is kept for TakeFirstSeen.
  bool Repeated(const std::string& sid);
  // The first sightings since the last call, to record.
  std::vector<std::string> TakeFirstSeen();

 private:
  std::map<std::string, std::optional<std::int64_t>> number_networks_;
  std::map<std::int64_t, std::optional<Network>> networks_;
  std::map<std::int64_t, std::vector<std::string>> areas_;
  // Per network: each area's neighbours.
  std::map<std::int64_t, std::map<std::string, std::vector<std::string>>> area_neighbours_;
  std::map<std::pair<std::int64_t, std::vector<std::string>>, std::vector<std::string>> neighbours_;
  std::set<std::int64_t> locked_;
  std::map<std::int64_t, std::vector<MergeCandidate>> candidates_;
  std::map<std::pair<std::int64_t, std::string>, ReportSender> senders_;
  std::map<std::pair<std::int64_t, std::string>, int> hour_counts_;
  std::set<std::string> sids_read_;  // looked up in the database
  std::set<std::string> seen_;       // seen before, or met in this transaction
  std::vector<std::string> first_seen_;
};

}  // namespace tocsin
