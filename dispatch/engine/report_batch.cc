#include "dispatch/engine/report_batch.h"

#include <spdlog/spdlog.h>

#include "dispatch/store/report_batch_store.h"

namespace tocsin {
namespace {

// Begun: the report's Begin (merged, or its verification begun), or its failure logged.
void Begun(TakenSms& taken, Result<VerificationOutcome> begun, std::int64_t report_id) {
  if (begun.ok()) {
    taken.begun = std::move(begun).value();
  } else {
    spdlog::warn("report {}: verification not begun ({})", report_id, begun.error().message);
  }
}

// What the stream hears of a report taken (contract 2), and whether it is one to begin.
bool Received(TakenSms& taken, std::int64_t network_id) {
  const auto* answer = taken.answer ? &*taken.answer : nullptr;
  if (!answer || !answer->report) return false;
  const Report& report = *answer->report;
  const bool located = answer->outcome == "report_area";
  taken.received.push_back(ReportNetworkEvent(network_id, located ? "report_located" : "report_received", report.id,
                                              report.code, report.kind, report.areas));
  return answer->outcome != "report_awaiting_area";  // nothing to verify before its area
}

// New reports (IsReport), `run` of `batch`: taken together, begun in order, merged together.
void TakeRun(pqxx::work& tx, const ReportIntake& intake, const ReportVerification& verification,
             const std::vector<InboundSms>& batch, const std::vector<std::size_t>& run, std::int64_t now_ms,
             ReportContext& ctx, std::vector<TakenSms>& out) {
  if (run.empty()) return;
  std::vector<const InboundSms*> messages;
  for (auto i : run) messages.push_back(&batch[i]);
  auto answers = intake.TakeReports(tx, messages, now_ms, ctx);
  std::vector<ReportMerge> merges;
  for (std::size_t k = 0; k < run.size(); ++k) {
    TakenSms& taken = out[run[k]];
    taken.answer = std::move(answers[k]);
    const auto network_id = ctx.NetworkOfNumber(tx, batch[run[k]].to).value_or(0);
    if (!Received(taken, network_id)) continue;
    const Report& report = *taken.answer->report;
    Begun(taken, verification.BeginNew(tx, *ctx.NetworkById(tx, network_id), report, now_ms, ctx, merges), report.id);
  }
  MergeReports(tx, merges, now_ms);
}

}  // namespace

std::vector<TakenSms> TakeSmsBatch(pqxx::work& tx, const ReportIntake& intake, const ReportVerification& verification,
                                   const std::vector<InboundSms>& batch, std::int64_t now_ms) {
  auto ctx = verification.Context();
  std::vector<TakenSms> out(batch.size());
  std::vector<std::size_t> run;  // new reports waiting to be taken together
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (intake.IsReport(batch[i].body)) {
      run.push_back(i);
      continue;
    }
    TakeRun(tx, intake, verification, batch, run, now_ms, ctx, out);
    run.clear();
    TakenSms& taken = out[i];
    taken.answer = intake.Take(tx, batch[i], now_ms, ctx);
    const auto network_id = ctx.NetworkOfNumber(tx, batch[i].to).value_or(0);
    if (!Received(taken, network_id)) continue;
    const Report& report = *taken.answer->report;
    // Not a new report: its area given (report_located), it was pending already.
    Begun(taken, verification.Begin(tx, report.id, now_ms, ctx), report.id);
  }
  TakeRun(tx, intake, verification, batch, run, now_ms, ctx, out);
  return out;
}

}  // namespace tocsin
