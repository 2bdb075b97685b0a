#include "dispatch/engine/report_intake.h"

#include <algorithm>
#include <map>

#include "dispatch/model/report.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/store/sender_lookup.h"

namespace tocsin {
namespace {

constexpr std::size_t kMaxLocationBytes = 200;

// At most `max` bytes of `text`, never cutting a UTF-8 character.
std::string CutUtf8(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

bool Has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Whether the provider sent this very message before (its MessageSid is recorded on first sight,
// in the transaction that takes the report, so a repeated webhook makes no second report).
bool Repeated(pqxx::work& tx, const InboundSms& sms) {
  return !sms.sid.empty() && FirstSeen(tx, {sms.sid}).empty();
}

}  // namespace

bool IsReportWord(ReportWord word) { return word == ReportWord::kRaid || word == ReportWord::kReport; }

std::string ReporterLanguage(const ReportCommand& command, const ReportSender& sender, bool member) {
  return !member && !command.language.empty() ? command.language : sender.language;
}

ReportInput NewSmsReport(const InboundSms& sms, const ReportCommand& command, const ReportSender& sender, bool member,
                         const std::string& language, const std::vector<std::string>& network_areas,
                         std::int64_t now_ms) {
  ReportInput in;
  in.kind = command.word == ReportWord::kRaid ? "raid" : "other";
  in.location = CutUtf8(command.rest, kMaxLocationBytes);
  in.source = "sms";
  in.created_by = "sms";
  in.reporter_member_id = sender.member_id;
  in.reporter_phone = sms.from;
  in.reporter_language = language;
  in.received_at_ms = now_ms;
  if (auto area = MatchReportArea(command.rest, network_areas)) {
    in.areas = {*area};
  } else if (member && !sender.areas.empty()) {
    in.areas = {sender.areas.front()};
  } else {
    in.status = ReportStatus::kAwaitingArea;
  }
  return in;
}

bool MayReport(const ReportSettings& settings, const ReportSender& sender) {
  const bool member = sender.active_member();
  switch (settings.from) {
    case ReportsFrom::kReporters: return member && Has(sender.roles, "reporter");
    case ReportsFrom::kMembers: return member;
    case ReportsFrom::kAnyone: return true;
  }
  return false;
}

std::optional<VoiceReporter> VoiceReporterOf(pqxx::transaction_base& tx, const DataCipher& cipher,
                                             const std::string& from, const std::string& to, std::int64_t now_ms) {
  if (from.empty()) return std::nullopt;  // a withheld number is never offered 5
  const ReportStore store(cipher);
  auto sender = store.Sender(tx, to, from);
  if (!sender) return std::nullopt;
  auto network = FindNetworkById(tx, sender->network_id);
  if (!network || !MayReport(network->reports, *sender)) return std::nullopt;
  const bool limited = !sender->active_member() &&
                       store.ReportsInLastHour(tx, network->id, from, now_ms) >= network->reports.max_per_hour_per_number;
  return VoiceReporter{std::move(*sender), std::move(*network), limited};
}

std::optional<SmsReportAnswer> TakeVoiceReport(pqxx::work& tx, const DataCipher& cipher, const VoiceReportInput& in,
                                               std::int64_t now_ms) {
  auto reporter = VoiceReporterOf(tx, cipher, in.from, in.to, now_ms);
  if (!reporter) return std::nullopt;
  if (reporter->limited) return SmsReportAnswer{{}, "report_limited", std::nullopt};
  const ReportSender& sender = reporter->sender;
  const bool member = sender.active_member();
  if (FirstSeen(tx, {in.recording_sid}).empty()) return SmsReportAnswer{{}, "repeat", std::nullopt};
  ReportInput report;
  report.kind = "raid";
  report.location = std::string(kVoiceReportLocation);
  report.source = "voice";
  report.created_by = "voice";
  report.reporter_member_id = sender.member_id;
  report.reporter_phone = in.from;
  report.reporter_language = sender.language;
  report.received_at_ms = now_ms;
  report.recording_sid = in.recording_sid;
  if (member && !sender.areas.empty()) {
    report.areas = {sender.areas.front()};
  } else {
    report.status = ReportStatus::kAwaitingArea;
  }
  auto taken = ReportStore(cipher).Insert(tx, reporter->network.id, report);
  return SmsReportAnswer{{}, report.areas.empty() ? "report_awaiting_area" : "report", taken.id};
}

bool ReportIntake::MightTake(std::string_view body) const {
  return words_.Match(body).has_value() || !PostcodePlaces(body).empty();
}

bool ReportIntake::IsReport(std::string_view body) const {
  auto command = words_.Match(body);
  return command && IsReportWord(command->word);
}

std::vector<std::string> ReportIntake::Say(const Network& network, const std::string& language, std::string_view key,
                                           const std::string& code) const {
  auto text = templates_.RenderReport(language, network.default_language, key, {{"code", code}, {"network", network.name}});
  return text.ok() ? std::vector<std::string>{text.value()} : std::vector<std::string>{};
}

std::optional<SmsReportAnswer> ReportIntake::Take(pqxx::work& tx, const InboundSms& sms, std::int64_t now_ms,
                                                  ReportContext& ctx) const {
  auto command = words_.Match(sms.body);
  if (command && IsReportWord(command->word)) return TakeReports(tx, {&sms}, now_ms, ctx).front();
  const ReportStore store(cipher_, codes_);
  auto network_id = ctx.NetworkOfNumber(tx, sms.to);
  if (!network_id) return std::nullopt;
  const Network* network = ctx.NetworkById(tx, *network_id);
  if (!network) return std::nullopt;
  const auto sender = store.SenderIn(tx, network->id, sms.from);
  const bool member = sender.active_member();
  // A member is answered in their language; anyone else in that of the word they used (RAFLE:
  // French), else the network's. The report keeps it, to tell them its outcome.
  const std::string language = command ? ReporterLanguage(*command, sender, member) : sender.language;
  auto say_with = [&](std::string_view key, const std::map<std::string, std::string>& vars) {
    auto text = templates_.RenderReport(language, network->default_language, key, vars);
    return text.ok() ? std::vector<std::string>{text.value()} : std::vector<std::string>{};
  };
  const auto& areas = ctx.Areas(tx, network->id);

  // DETAINED is a case's (server/api/case_sms.h): not a report when it reaches here.
  if (command && command->word == ReportWord::kDetained) return std::nullopt;
  if (command && command->word == ReportWord::kCheck) {  // "is it true?"
    if (!member && !network->reports.public_check) return SmsReportAnswer{{}, "check_ignored", std::nullopt, std::nullopt};
    std::string area;
    if (auto named = MatchReportArea(command->rest, areas)) {
      area = *named;
    } else if (member && !sender.areas.empty() && command->rest.empty()) {
      area = sender.areas.front();
    } else {
      area = CutUtf8(command->rest, 20);
    }
    if (auto open = store.OpenAlertIn(tx, network->id, area)) {
      return SmsReportAnswer{say_with("check_verified", {{"areas", area}, {"message", open->second}, {"code", open->first}}),
                             "check", std::nullopt, std::nullopt};
    }
    return SmsReportAnswer{
        say_with("check_none", {{"areas", area}, {"count", std::to_string(store.PendingIn(tx, network->id, area))}}),
        "check", std::nullopt, std::nullopt};
  }

  if (!command) {  // the answer to "Which area?", or no report business at all
    auto waiting = store.AwaitingArea(tx, network->id, sms.from, now_ms - kAskAreaWindowMs);
    if (!waiting) return std::nullopt;
    auto area = MatchReportArea(sms.body, areas);
    if (!area) return std::nullopt;
    if (Repeated(tx, sms)) return SmsReportAnswer{{}, "repeat", std::nullopt, std::nullopt};
    store.SetAreas(tx, waiting->id, {*area});
    waiting->areas = {*area};
    waiting->status = ReportStatus::kPending;
    return SmsReportAnswer{Say(*network, language, "received", waiting->code), "report_area", waiting->id,
                           std::move(waiting)};
  }

  return std::nullopt;  // a report (RAID, REPORT) was TakeReports'
}

}  // namespace tocsin
