#include "dispatch/engine/report_batch.h"

#include <spdlog/spdlog.h>

namespace tocsin {

std::vector<TakenSms> TakeSmsBatch(pqxx::work& tx, const ReportIntake& intake, const ReportVerification& verification,
                                   const std::vector<InboundSms>& batch, std::int64_t now_ms) {
  auto ctx = verification.Context();
  std::vector<TakenSms> out;
  out.reserve(batch.size());
  for (const auto& sms : batch) {
    TakenSms taken;
    taken.answer = intake.Take(tx, sms, now_ms, ctx);
    const auto* answer = taken.answer ? &*taken.answer : nullptr;
    if (!answer || !answer->report) {
      out.push_back(std::move(taken));
      continue;
    }
    const Report& report = *answer->report;
    const auto network_id = ctx.NetworkOfNumber(tx, sms.to).value_or(0);
    const bool located = answer->outcome == "report_area";
    taken.received.push_back(ReportNetworkEvent(network_id, located ? "report_located" : "report_received", report.id,
                                                report.code, report.kind, report.areas));
    if (answer->outcome == "report_awaiting_area") {  // nothing to verify before its area
      out.push_back(std::move(taken));
      continue;
    }
    auto begun = located ? verification.Begin(tx, report.id, now_ms, ctx)
                         : verification.BeginNew(tx, *ctx.NetworkById(tx, network_id), report, now_ms, ctx);
    if (begun.ok()) {
      taken.begun = std::move(begun).value();
    } else {
      spdlog::warn("report {}: verification not begun ({})", report.id, begun.error().message);
    }
    out.push_back(std::move(taken));
  }
  return out;
}

}  // namespace tocsin
