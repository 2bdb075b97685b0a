// One batch of inbound SMS taken as reports in one transaction (issue 12): each message in
// arrival order, as if each were taken alone after the ones before it committed: taken by
// ReportIntake (a report, the area a reporter was asked for, CHECK, or no report business at
// all), then, for a report now pending, ReportVerification's Begin (merged, or its verification
// begun). The messages share one ReportContext, so each network, its areas and its report lock
// are read or taken once, and a report merges into one taken earlier in the batch exactly as it
// would have after that one's commit.
//
// Set-based: each run of new reports (RAID, REPORT) is taken in a few statements for the whole
// run (ReportIntake::TakeReports), then begun in order, its merges into pending reports applied
// together at the run's end (store/report_batch_store.h MergeReports); any other message (CHECK,
// an asked-back area) first ends the run, then is taken alone, so it sees everything before it.
//
// Contract:
//  1. Nothing of a batch is acknowledged before its transaction commits (the caller commits,
//     then answers everyone).
//  2. report_received is on the network's stream at receipt, with the areas known then (none
//     for a report waiting for its area); report_located when the asked-back area arrives.
//  3. A verification that cannot begin (an error of its own, not of the database) leaves its
//     report pending, as a coordinator can still decide it; the rest of the batch goes on.
//
// Thread safety: runs on a DbPool thread in the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/engine/event_hub.h"
#include "dispatch/engine/report_intake.h"
#include "dispatch/engine/report_verification.h"

namespace tocsin {

// One message of a batch, taken.
struct TakenSms {
  std::optional<SmsReportAnswer> answer;     // nullopt: no report business (the reply path takes it)
  std::optional<VerificationOutcome> begun;  // what its report's Begin did (merged, verifying, ...)
  std::vector<NetworkEvent> received;        // report_received / report_located, for the stream
};

// One result per message of `batch`, in order.
std::vector<TakenSms> TakeSmsBatch(pqxx::work& tx, const ReportIntake& intake, const ReportVerification& verification,
                                   const std::vector<InboundSms>& batch, std::int64_t now_ms);

}  // namespace tocsin
