// SMS reports taken many at a time (issue 12, engine/report_batch.h): the reads and writes of a
// batch's reports as a few set-based statements, where ReportStore does them one report at a
// time. The same rules as ReportStore's one-at-a-time functions (who the sender is, the hour's
// count, the code's uniqueness, a merge's effects and timeline events); only the number of round
// trips differs. Every function runs inside a caller's transaction.
//
// Thread safety: free functions; the cipher is only read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/store/report_store.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

// The senders `froms` (E.164) of the network, one statement (ReportStore::SenderIn reads one):
// the member behind each number, if any; the language a member's, else the network's. None
// when there is no such network.
std::map<std::string, ReportSender> SendersIn(pqxx::transaction_base& tx, const DataCipher& cipher,
                                              std::int64_t network_id, const std::vector<std::string>& froms);
// For each of `froms`, how many reports it made to the network in the hour before `now_ms`, in
// one statement (ReportStore::ReportsInLastHour counts one).
std::map<std::string, int> ReportsInLastHourOf(pqxx::transaction_base& tx, const DataCipher& cipher,
                                               std::int64_t network_id, const std::vector<std::string>& froms,
                                               std::int64_t now_ms);
// The provider ids among `ids` recorded before (sender_lookup.h FirstSeen records them).
std::unordered_set<std::string> SeenBefore(pqxx::transaction_base& tx, const std::vector<std::string>& ids);
// The codes a new report of the network may not take (InsertReportRows's rule): those of its
// reports being dealt with (awaiting_area, pending) and of its alerts in progress (verifying,
// pending_approval, open).
std::set<std::string> ReportCodesInUse(pqxx::transaction_base& tx, std::int64_t network_id);
// Each area of the network with its neighbours (as areas.neighbours lists them).
std::map<std::string, std::vector<std::string>> AreaNeighbours(pqxx::transaction_base& tx, std::int64_t network_id);
// `n` ids of the reports table reserved now (pq_types.h ReserveId), in increasing order.
std::vector<std::int64_t> ReserveReportIds(pqxx::transaction_base& tx, int n);

// A report to insert with InsertReports: its reserved id and the code picked for it.
struct NewReport {
  std::int64_t id = 0;
  std::string code;
  ReportInput in;
};
// Inserts the reports, each with its `received` event, in one statement, those whose code no
// report being dealt with and no alert in progress has; returns how many were inserted.
std::size_t InsertReportRows(pqxx::work& tx, const DataCipher& cipher, std::int64_t network_id,
                             const std::vector<NewReport>& reports);
// InsertReportRows for reports whose codes were picked from ReportCodesInUse under the network's
// report lock: all are expected in. Throws
// std::runtime_error when any was not inserted (its code taken meanwhile by another transaction):
// the caller's transaction must then be abandoned (the report queue tries each message alone).
void InsertReports(pqxx::work& tx, const DataCipher& cipher, std::int64_t network_id,
                   const std::vector<NewReport>& reports);

// Report `report_id` merged into pending report `into`, in the batch's order.
struct ReportMerge {
  std::int64_t report_id = 0;
  std::int64_t into = 0;
};
// Applies the merges in one statement, in this order: each report merged (status, merged_into,
// decided_at; its `merged` event, actor report:<into>), one more reporter on `into` and its
// `reporter_added` event with the count it reached (actor report:<report_id>).
void MergeReports(pqxx::work& tx, const std::vector<ReportMerge>& merges, std::int64_t now_ms);

}  // namespace tocsin
