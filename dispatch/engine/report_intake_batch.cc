// ReportIntake::TakeReports (report_intake.h): new reports by SMS, many in a few statements.
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "dispatch/engine/report_intake.h"
#include "dispatch/model/report.h"
#include "dispatch/store/report_batch_store.h"
#include "dispatch/store/sender_lookup.h"

namespace tocsin {
namespace {

// A message to be taken as a report, once its id and code are known.
struct Taking {
  std::size_t index = 0;  // in the batch
  const Network* network = nullptr;
  std::string language;  // the reporter's answer's
  ReportInput in;
  std::int64_t id = 0;  // reserved for it
  std::string code;     // picked for it
};

}  // namespace

std::vector<std::optional<SmsReportAnswer>> ReportIntake::TakeReports(pqxx::work& tx,
                                                                      const std::vector<const InboundSms*>& batch,
                                                                      std::int64_t now_ms, ReportContext& ctx) const {
  std::vector<std::optional<SmsReportAnswer>> out(batch.size());
  // The networks, then what the messages need of each (senders, their counts, the provider ids
  // seen before), read for all of them at once.
  std::vector<const Network*> networks(batch.size(), nullptr);
  std::map<std::int64_t, std::vector<const InboundSms*>> by_network;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto id = ctx.NetworkOfNumber(tx, batch[i]->to);
    networks[i] = id ? ctx.NetworkById(tx, *id) : nullptr;
    if (networks[i]) by_network[*id].push_back(batch[i]);
  }
  for (const auto& [id, messages] : by_network) ctx.LoadSenders(tx, cipher_, *ctx.NetworkById(tx, id), messages, now_ms);

  // In arrival order, each decided as Take decides it, what the earlier ones took counted.
  std::vector<Taking> taking;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Network* network = networks[i];
    if (!network) continue;
    const InboundSms& sms = *batch[i];
    const auto command = words_.Match(sms.body);
    if (!command || !IsReportWord(command->word)) continue;
    const ReportSender& sender = ctx.Sender(network->id, sms.from);
    const bool member = sender.active_member();
    if (!MayReport(network->reports, sender)) continue;
    if (!member && ctx.ReportsInLastHour(network->id, sms.from) >= network->reports.max_per_hour_per_number) {
      out[i] = SmsReportAnswer{{}, "report_limited", std::nullopt, std::nullopt};
      continue;
    }
    if (ctx.Repeated(sms.sid)) {
      out[i] = SmsReportAnswer{{}, "repeat", std::nullopt, std::nullopt};
      continue;
    }
    ctx.CountReport(network->id, sms.from);
    Taking t{i, network, ReporterLanguage(*command, sender, member), {}};
    t.in = NewSmsReport(sms, *command, sender, member, t.language, ctx.Areas(tx, network->id), now_ms);
    taking.push_back(std::move(t));
  }
  if (taking.empty()) return out;

  // Ids for all in one statement, codes from one read of those in use a network, then one insert
  // a network. What a pending report may merge into is read before the batch's reports exist
  // (report_context.h, invariant 2), under the network's report lock.
  const auto ids = ReserveReportIds(tx, static_cast<int>(taking.size()));
  std::map<std::int64_t, std::set<std::string>> in_use;
  std::map<std::int64_t, std::vector<NewReport>> rows;
  for (std::size_t k = 0; k < taking.size(); ++k) {
    Taking& t = taking[k];
    auto [codes, fresh] = in_use.try_emplace(t.network->id);
    if (fresh) codes->second = ReportCodesInUse(tx, t.network->id);
    do {
      t.code = codes_();
    } while (!codes->second.insert(t.code).second);
    t.id = ids[k];
    rows[t.network->id].push_back(NewReport{t.id, t.code, t.in});
  }
  for (const auto& [network_id, reports] : rows) {
    const Network& net = *ctx.NetworkById(tx, network_id);
    if (std::any_of(reports.begin(), reports.end(), [](const NewReport& r) { return r.in.status == ReportStatus::kPending; })) {
      ctx.Candidates(tx, net.id, 0, now_ms - net.reports.merge_window_ms, now_ms);
    }
    InsertReports(tx, cipher_, network_id, reports);
  }
  // The provider ids seen for the first time, recorded (a repeated webhook makes no report).
  const auto first = ctx.TakeFirstSeen();
  if (!first.empty() && FirstSeen(tx, first).size() != first.size()) {
    throw std::runtime_error("an inbound message was recorded meanwhile by another transaction");
  }

  for (const auto& t : taking) {
    const bool awaiting = t.in.status == ReportStatus::kAwaitingArea;
    out[t.index] = SmsReportAnswer{Say(*t.network, t.language, awaiting ? "ask_area" : "received", t.code),
                                   awaiting ? "report_awaiting_area" : "report", t.id, InsertedReport(t.id, t.code, t.in)};
  }
  return out;
}

}  // namespace tocsin
