#include "dispatch/engine/report_verification.h"

#include <algorithm>
#include <map>

#include "dispatch/model/reply_parser.h"
#include "dispatch/model/report_rules.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/policy_store.h"
#include "dispatch/store/verification_store.h"

namespace tocsin {
namespace {

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// An event of the report for its network's stream.
NetworkEvent ReportEventFor(const Network& net, const Report& r, const std::string& type, const std::string& extra_key = "",
                   std::int64_t extra_value = 0) {
  return ReportNetworkEvent(net.id, type, r.id, r.code, r.kind, r.areas, extra_key, extra_value);
}

bool Has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// What a verifier is asked (and the coordinators on a timeout): never who reported.
std::map<std::string, std::string> ReportVars(const Network& net, const Report& r, const std::string& code) {
  return {{"network", net.name}, {"code", code},          {"location", r.location},
          {"areas", Joined(r.areas)}, {"details", r.details}, {"message", ""}, {"count", std::to_string(r.reporters)}};
}

// A verifier's texts say how many people reported it once more than one did (merged reports).
std::string ManyOr(const Report& r, const std::string& key) { return r.reporters > 1 ? key + "_many" : key; }

Verification RuleOf(pqxx::transaction_base& tx, const Network& net, const std::string& kind) {
  return EffectiveVerification(PolicyFor(tx, net.id, kind).verification, kind);
}

VerificationFacts FactsOf(const VerificationTally& t, const Verification& rule, std::int64_t received_ms) {
  VerificationFacts f;
  f.received_ms = received_ms;
  f.rule = rule;
  f.confirmations = t.seen;
  f.dismissals = t.not_seen;
  f.neighbours_asked = t.neighbours_asked;
  return f;
}

}  // namespace

std::int64_t ReportVerification::TellReporter(pqxx::work& tx, const Network& net, const Report& report,
                                              const std::string& message_kind, const std::string& key,
                                              const std::string& alert_code) const {
  // Only a report made by SMS, or one with others merged into it, can have someone to tell.
  if (!report.alert_id || (report.source != "sms" && report.reporters == 1)) return 0;
  int seq = fanout_.Store(tx, net, *report.alert_id, message_kind, key, {{"code", report.code}, {"message", alert_code}});
  return fanout_.ToReporters(tx, net, *report.alert_id, seq, report.id);
}

bool ReportVerification::Merge(pqxx::work& tx, const Network& net, const Report& report, std::int64_t now_ms,
                               ReportContext& ctx, VerificationOutcome& out, std::vector<ReportMerge>& merges) const {
  const auto window = net.reports.merge_window_ms;
  const auto& candidates = ctx.Candidates(tx, net.id, report.id, now_ms - window, now_ms);
  if (candidates.empty()) return false;
  auto target = MergeTarget(report.kind, report.areas, ctx.Neighbours(tx, net.id, report.areas), candidates, now_ms,
                            window);
  if (!target) return false;
  const std::string self = "report:" + std::to_string(report.id);
  if (!target->is_alert) {
    merges.push_back(ReportMerge{report.id, target->id});  // applied by Start's caller
    out.escalation.network_events.push_back(ReportEventFor(net, report, "report_merged", "into_report", target->id));
    out.escalation.what = "merged into report " + std::to_string(target->id);
    return true;
  }
  auto reporters = MergeReportIntoAlert(tx, report.id, target->id, now_ms);
  reports_.AddEvent(tx, report.id, now_ms, ReportEvent{.what = "merged", .actor = "alert:" + std::to_string(target->id)});
  auto alert = alert_store_.Get(tx, net.id, target->id);
  if (alert.ok()) {
    if (auto raised_by = ReportOfAlert(tx, target->id); raised_by && reporters) {
      reports_.AddEvent(tx, *raised_by, now_ms, ReportEvent{.what = "reporter_added", .count = *reporters, .actor = self});
    }
    int seq = fanout_.Store(tx, net, target->id, "merged_update", "merged_update",
                            {{"code", alert->code}, {"areas", Joined(report.areas)},
                             {"count", std::to_string(reporters.value_or(2))}});
    out.escalation.alert_id = target->id;
    out.escalation.queued += fanout_.ToCoordinators(tx, net, target->id, seq);
  }
  out.escalation.network_events.push_back(ReportEventFor(net, report, "report_merged", "into_alert", target->id));
  out.escalation.what = "merged into alert " + std::to_string(target->id);
  return true;
}

Result<VerificationOutcome> ReportVerification::Begin(pqxx::work& tx, std::int64_t report_id, std::int64_t now_ms,
                                                      ReportContext& ctx) const {
  VerificationOutcome out;
  out.escalation.what = "not pending";
  auto network_id = NetworkOfReport(tx, report_id);
  const Network* net = network_id ? ctx.NetworkById(tx, *network_id) : nullptr;
  if (!net) return Error::NotFound("no such report");
  out.network_id = net->id;
  ctx.Lock(tx, net->id);  // two reports of one raid never both start a verification
  auto locked = LockReport(tx, net->id, report_id);
  if (!locked || locked->status != "pending" || locked->alert_id) return out;
  auto report = reports_.Get(tx, net->id, report_id);
  if (!report.ok()) return report.error();
  std::vector<ReportMerge> merges;
  auto started = Start(tx, *net, report.value(), locked->received_ms, now_ms, ctx, merges);
  MergeReports(tx, merges, now_ms);
  return started;
}

Result<VerificationOutcome> ReportVerification::BeginNew(pqxx::work& tx, const Network& net, const Report& report,
                                                         std::int64_t now_ms, ReportContext& ctx,
                                                         std::vector<ReportMerge>& merges) const {
  // Inserted by this transaction: nobody else sees it to lock or decide it.
  ctx.Lock(tx, net.id);
  return Start(tx, net, report, now_ms, now_ms, ctx, merges);
}

Result<VerificationOutcome> ReportVerification::Start(pqxx::work& tx, const Network& net, const Report& report,
                                                      std::int64_t received_ms, std::int64_t now_ms,
                                                      ReportContext& ctx, std::vector<ReportMerge>& merges) const {
  VerificationOutcome out;
  out.network_id = net.id;
  const std::int64_t report_id = report.id;
  if (Merge(tx, net, report, now_ms, ctx, out, merges)) return out;
  // Pending from now on (verifying, or waiting for a coordinator): later reports merge into it.
  ctx.AddPending(net.id, MergeCandidate{report.id, false, report.kind, report.areas, received_ms});
  const auto rule = RuleOf(tx, net, report.kind);
  if (!rule.required) {
    out.escalation.what = "no verification: waits for a coordinator";
    return out;
  }
  AlertInput in;
  in.kind = report.kind;
  in.areas = report.areas;
  in.location = report.location.empty() ? "(see report " + report.code + ")" : report.location;
  in.details = report.details;
  const std::string self = "report:" + std::to_string(report_id);
  auto held = alerts_.HoldForVerification(tx, net, in, self, report.code);
  if (!held.ok()) return held.error();
  reports_.SetAlert(tx, report_id, held->id);
  int seq = fanout_.Store(tx, net, held->id, "verify", "verify", ReportVars(net, report, held->code));
  auto asked = fanout_.ToVerifiers(tx, net, held->id, seq, report.areas);
  reports_.AddEvent(tx, report_id, now_ms, ReportEvent{.what = "asked", .count = static_cast<int>(asked), .actor = "verifiers"});
  auto next = DecideVerification(FactsOf({}, rule, received_ms), now_ms);
  if (next.due_ms) out.escalation.timers.push_back(InsertVerifyDeadline(tx, held->id, *next.due_ms));
  out.escalation.alert_id = held->id;
  out.escalation.queued = asked;
  out.escalation.what = "verifying: " + std::to_string(asked) + " verifiers asked";
  out.verifying_delta = 1;
  return out;
}

Result<VerificationOutcome> ReportVerification::Confirm(pqxx::work& tx, const Network& net, const Report& report,
                                                        const std::string& actor,
                                                        const std::map<std::string, std::string>& marker,
                                                        std::int64_t now_ms) const {
  CancelVerifyDeadlines(tx, *report.alert_id);
  reports_.Decide(tx, net.id, report.id, ReportStatus::kConfirmed, now_ms);
  const std::string self = "report:" + std::to_string(report.id);
  auto raised = alerts_.StartVerified(tx, net, *report.alert_id, self, marker, now_ms);
  if (!raised.ok()) return raised.error();
  reports_.AddEvent(tx, report.id, now_ms, ReportEvent{.what = marker.empty() ? "confirmed" : "unconfirmed", .actor = actor});
  reports_.AddEvent(tx, report.id, now_ms, ReportEvent{.what = "raised", .actor = self});
  RecordAudit(tx, net.id, actor, "reports.confirm", report.code);
  VerificationOutcome out;
  out.network_id = net.id;
  out.verifying_delta = -1;
  out.escalation.alert_id = *report.alert_id;
  out.escalation.queued = raised->alert.recipients + TellReporter(tx, net, report, "report_outcome", "confirmed", raised->alert.code);
  out.escalation.webhooks = true;  // its first step may reach organisations
  out.escalation.timers = std::move(raised->timers);
  out.escalation.what = marker.empty() ? "confirmed: raised" : "timeout: raised unconfirmed";
  out.escalation.network_events = {
      ReportEventFor(net, report, marker.empty() ? "report_verified" : "report_unconfirmed", "alert_id", *report.alert_id),
      AlertNetworkEvent(net.id, "alert_raised", raised->alert.id, raised->alert.code, raised->alert.kind,
                        raised->alert.areas, raised->alert.status)};
  return out;
}

VerificationOutcome ReportVerification::Dismiss(pqxx::work& tx, const Network& net, const Report& report,
                                                const std::string& actor, std::int64_t now_ms) const {
  CancelVerifyDeadlines(tx, *report.alert_id);
  reports_.Decide(tx, net.id, report.id, ReportStatus::kDismissed, now_ms);
  // Nobody of its audience was sent anything: it ends cancelled, what is still queued (verifiers'
  // messages) with it; the reporter's message is its closing one.
  alert_store_.MarkEnded(tx, *report.alert_id, "cancelled", now_ms);
  reports_.AddEvent(tx, report.id, now_ms, ReportEvent{.what = "dismissed", .actor = actor});
  RecordAudit(tx, net.id, actor, "reports.dismiss", report.code);
  VerificationOutcome out;
  out.network_id = net.id;
  out.verifying_delta = -1;
  out.escalation.alert_id = *report.alert_id;
  out.escalation.queued = TellReporter(tx, net, report, "cancel", "dismissed", "");
  out.escalation.ended = true;
  out.escalation.what = "dismissed";
  out.escalation.network_events = {ReportEventFor(net, report, "report_dismissed")};
  return out;
}

std::optional<VerificationOutcome> ReportVerification::Answer(pqxx::work& tx, const InboundSms& sms,
                                                              std::int64_t now_ms) const {
  const auto reply = ParseReply(sms.body);
  if (reply.kind != ReplyKind::kGoing && reply.kind != ReplyKind::kCannot) return std::nullopt;
  auto sender = reports_.Sender(tx, sms.to, sms.from);
  if (!sender || !sender->active_member()) return std::nullopt;
  auto target = FindVerifyingTarget(tx, sender->network_id, *sender->member_id, reply.alert_code);
  if (!target) return std::nullopt;
  auto net = FindNetworkById(tx, sender->network_id);
  if (!net) return std::nullopt;
  auto locked = LockReport(tx, net->id, target->report_id);
  auto report = reports_.Get(tx, net->id, target->report_id);
  if (!locked || !report.ok()) return std::nullopt;
  VerificationOutcome out;
  out.network_id = net->id;
  out.escalation.what = "answer to a decided report";
  out.reply_texts = {fanout_.Text(*net, sender->language, ManyOr(report.value(), "thanks"),
                                  {{"code", report->code}, {"count", std::to_string(report->reporters)}})};
  if (locked->status != "pending") return out;
  const bool seen = reply.kind == ReplyKind::kGoing;
  const std::string actor = "member:" + std::to_string(*sender->member_id);
  reports_.AddEvent(tx, report->id, now_ms,
                    ReportEvent{.what = seen ? "seen" : "not_seen", .member_id = sender->member_id, .actor = "sms"});
  VerificationStep step = VerificationStep::kWait;
  if (Has(sender->roles, "coordinator")) {
    step = seen ? VerificationStep::kConfirm : VerificationStep::kDismiss;  // a coordinator decides
  } else {
    auto tally = TallyVerification(tx, report->id);
    step = DecideVerification(FactsOf(tally, RuleOf(tx, *net, report->kind), locked->received_ms), now_ms).step;
  }
  if (step == VerificationStep::kConfirm) {
    auto confirmed = Confirm(tx, *net, report.value(), actor, {}, now_ms);
    if (!confirmed.ok()) return out;  // the answer stays recorded; a coordinator can still decide
    confirmed->reply_texts = std::move(out.reply_texts);
    return std::move(confirmed).value();
  }
  if (step == VerificationStep::kDismiss) {
    auto dismissed = Dismiss(tx, *net, report.value(), actor, now_ms);
    dismissed.reply_texts = std::move(out.reply_texts);
    return dismissed;
  }
  out.escalation.alert_id = target->alert_id;
  out.escalation.what = seen ? "seen" : "not seen";
  return out;
}

EscalationOutcome ReportVerification::Fire(pqxx::work& tx, std::int64_t timer_id, std::int64_t now_ms) const {
  EscalationOutcome out;
  out.what = "stale";
  auto fired = LockVerifyDeadline(tx, timer_id);
  if (!fired) return out;
  const auto [alert_id, network_id] = *fired;
  out.alert_id = alert_id;
  auto net = FindNetworkById(tx, network_id);
  auto report_id = ReportOfAlert(tx, alert_id);
  if (!net || !report_id) return out;
  auto locked = LockReport(tx, net->id, *report_id);
  auto report = reports_.Get(tx, net->id, *report_id);
  if (!locked || locked->status != "pending" || !report.ok()) return out;
  const auto rule = RuleOf(tx, *net, report->kind);
  const auto decision = DecideVerification(FactsOf(TallyVerification(tx, *report_id), rule, locked->received_ms), now_ms);
  const auto code = alert_store_.Get(tx, net->id, alert_id).value().code;
  switch (decision.step) {
    case VerificationStep::kAskNeighbours: {
      auto neighbours = alert_store_.NeighboursOf(tx, net->id, report->areas);
      std::erase_if(neighbours, [&](const std::string& n) { return Has(report->areas, n); });
      // Asked what the first verifiers were, unless more people have reported it since.
      auto seq = report->reporters > 1 ? fanout_.Store(tx, *net, alert_id, "verify", "verify_many",
                                                       ReportVars(*net, report.value(), code))
                                       : alert_store_.MessageSeq(tx, alert_id, "verify").value_or(0);
      auto asked = fanout_.ToVerifiers(tx, *net, alert_id, seq, neighbours);
      reports_.AddEvent(tx, *report_id, now_ms, ReportEvent{.what = "asked", .count = static_cast<int>(asked), .actor = "neighbours"});
      out.queued = asked;
      out.what = "neighbours asked: " + std::to_string(asked);
      break;
    }
    case VerificationStep::kTimeout: {
      reports_.AddEvent(tx, *report_id, now_ms, ReportEvent{.what = "timeout", .actor = std::string(OnTimeoutName(rule.on_timeout))});
      if (rule.on_timeout == OnTimeout::kCoordinators) {
        int seq = fanout_.Store(tx, *net, alert_id, "verify_timeout", "verify_timeout", ReportVars(*net, report.value(), code));
        auto asked = fanout_.ToCoordinators(tx, *net, alert_id, seq);
        reports_.AddEvent(tx, *report_id, now_ms, ReportEvent{.what = "asked", .count = static_cast<int>(asked), .actor = "coordinators"});
        out.queued = asked;
        out.what = "timeout: coordinators asked";
        return out;
      }
      if (rule.on_timeout == OnTimeout::kDrop) {
        return Dismiss(tx, *net, report.value(), "timeout", now_ms).escalation;
      }
      auto sent = Confirm(tx, *net, report.value(), "timeout", fanout_.Texts(*net, "unconfirmed", {}), now_ms);
      if (!sent.ok()) return out;
      return sent->escalation;
    }
    default:
      out.what = "waiting";
      break;
  }
  if (decision.due_ms) out.timers.push_back(InsertVerifyDeadline(tx, alert_id, *decision.due_ms));
  return out;
}

Result<VerificationOutcome> ReportVerification::Decide(pqxx::work& tx, const Network& net, std::int64_t report_id,
                                                       bool confirm, const std::string& actor,
                                                       std::int64_t now_ms) const {
  auto locked = LockReport(tx, net.id, report_id);
  if (!locked) return Error::NotFound("no such report");
  if (!locked->alert_id) return Error::NotFound("the report is not being verified");
  if (locked->status != "pending") return Error::Conflict("status", "the report is " + locked->status + ", not pending");
  auto report = reports_.Get(tx, net.id, report_id);
  if (!report.ok()) return report.error();
  if (confirm) return Confirm(tx, net, report.value(), actor, {}, now_ms);
  return Dismiss(tx, net, report.value(), actor, now_ms);
}

}  // namespace tocsin
