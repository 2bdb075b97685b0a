// Reports by SMS (issue 12): "RAID <what and where>" / "REPORT <...>" (and their words in each
// shipped language, message/report_words.h) from whoever the network's `reports.from` allows,
// and the answer naming the area when the report's area could not be told.
//
// Contract of Take:
//  1. Who may report: `reporters` (default) an active member with the `reporter` role;
//     `members` any active member; `anyone` any number. A message from someone else is not a
//     report: Take returns nullopt and the reply path keeps it (shown to coordinators).
//  2. A non-member's number may make `reports.max_per_hour_per_number` reports an hour; past
//     that a report is dropped (nothing stored, nothing answered: a flood never reaches anyone).
//  3. The area: the first UK postcode place in the text that is an area of the network
//     (model/report.h MatchReportArea), else the member's first area, else the report waits
//     (status awaiting_area) and the reporter is asked "Which area?". Their next message within
//     30 minutes that names an area of the network gives it; anything else is left to the reply
//     path.
//  4. The reporter is answered in their language (a member's, else the network's default) with
//     the report's code. RAID makes a `raid` report, REPORT an `other` one; the text after the
//     word is its location (at most 200 bytes, cut at a character boundary).
//  4a. A message the provider sent before (the same MessageSid) makes no second report and
//     gets no answer.
//  5. CHECK <area> (a member's, or anyone's with reports.public_check; else no answer at all):
//     "Verified alert in SE15 since 09:42 (K7Q4)" when an alert is open in the area, else "No
//     verified report in SE15 in the last 2 hours; N being checked" (N: its pending reports).
//     The area is the first of the text's postcode places that is a network area, else (a bare
//     CHECK) the member's first area, else the text itself.
//
// Thread safety: immutable after construction; Take runs on a DbPool thread in the caller's
// transaction (the report queue's batch: engine/report_queue.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/engine/report_context.h"
#include "dispatch/message/report_words.h"
#include "dispatch/message/templates.h"
#include "dispatch/model/reply_decision.h"
#include "dispatch/store/report_store.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

struct SmsReportAnswer {
  std::vector<std::string> reply_texts;  // one TwiML <Message> each; none: <Response/>
  std::string outcome;  // report, report_awaiting_area, report_area, report_limited, repeat, check,
                        // check_ignored (metrics)
  std::optional<std::int64_t> report_id;
  // The report taken (report: pending; report_awaiting_area) or told its area (report_area), as
  // it is now.
  std::optional<Report> report;
};

// A report recorded on the hotline (the caller pressed 5, engine_hotline.cc): the caller's
// number, the network number they called, and the provider's id of their recording.
struct VoiceReportInput {
  std::string from;  // E.164
  std::string to;
  std::string recording_sid;  // "RE" and 32 hex digits (checked by the caller)
};

// What a voice report's location reads (a recording holds what the caller said).
inline constexpr std::string_view kVoiceReportLocation = "by phone (recorded message)";

// Whether `sender` may report under `settings` (rule 1 of ReportIntake's contract).
bool MayReport(const ReportSettings& settings, const ReportSender& sender);
// Whether `word` makes a new report (RAID: raid; REPORT: other).
bool IsReportWord(ReportWord word);
// The language a reporter is answered in (rule 4): a member's; anyone else's that of the word
// they used (RAFLE: French), else the network's (sender.language).
std::string ReporterLanguage(const ReportCommand& command, const ReportSender& sender, bool member);
// The report an SMS `command` (IsReportWord) makes (rules 3 and 4): its kind, location, reporter,
// and its area from the text, else the member's first, else none (awaiting_area).
ReportInput NewSmsReport(const InboundSms& sms, const ReportCommand& command, const ReportSender& sender, bool member,
                         const std::string& language, const std::vector<std::string>& network_areas,
                         std::int64_t now_ms);

// A caller who may report by phone (the hotline's 5), by the rules of an SMS report: who may
// report (1; never a withheld number) and, for a stranger, whether the hour's reports of their
// number reached the limit (2). nullopt when they may not report at all.
struct VoiceReporter {
  ReportSender sender;
  Network network;
  bool limited = false;  // a stranger over reports.max_per_hour_per_number
};
std::optional<VoiceReporter> VoiceReporterOf(pqxx::transaction_base& tx, const DataCipher& cipher,
                                             const std::string& from, const std::string& to, std::int64_t now_ms);

// A hotline recording taken as a report, by the rules of an SMS report: who may report (1:
// nullopt when the caller may not; nothing stored), the stranger's rate limit (2:
// report_limited), a recording the provider posted before makes no second report (4a: repeat).
// A `raid` report (source and created_by "voice", location kVoiceReportLocation, the recording's
// id kept) whose area is the member's first area; a caller with no area on file (a stranger, a
// member without areas) cannot be asked by voice: the report waits (awaiting_area) until a
// coordinator names it (PATCH .../reports/{id} {"areas": [...]}), then is verified as any other.
// The caller's language (a member's, else the network's) is the report's. `outcome`: report,
// report_awaiting_area, report_limited, repeat; no reply texts (the call says the thanks).
std::optional<SmsReportAnswer> TakeVoiceReport(pqxx::work& tx, const DataCipher& cipher, const VoiceReportInput& in,
                                               std::int64_t now_ms);

// How long an asked-back reporter has to name the area.
inline constexpr std::int64_t kAskAreaWindowMs = 30LL * 60 * 1000;

class ReportIntake {
 public:
  // `codes`: where new reports' codes come from (store/report_store.h).
  ReportIntake(const DataCipher& cipher, const TemplateSet& templates, const ReportWords& words,
               ReportCodeSource codes = NewReportCode)
      : cipher_(cipher), templates_(templates), words_(words), codes_(std::move(codes)) {}

  // Whether Take could take `body` at all (a report word, or a UK postcode place that may answer
  // "Which area?"), without the database: replies ("1", "YES K7Q4") skip the transaction.
  bool MightTake(std::string_view body) const;
  // Whether `body` is a new report (a RAID or REPORT word): TakeReports takes those.
  bool IsReport(std::string_view body) const;
  // `ctx`: the transaction's (engine/report_context.h), shared by the reports of a batch.
  std::optional<SmsReportAnswer> Take(pqxx::work& tx, const InboundSms& sms, std::int64_t now_ms,
                                      ReportContext& ctx) const;
  // Take for messages that are all IsReport, one answer each in order: as if each were taken
  // alone in turn (the rate limit counts the earlier ones, a provider id met twice is a repeat),
  // in a few statements for them all (engine/report_intake_batch.cc): their senders, counts and
  // provider ids read at once, ids and codes reserved at once, one insert a network. Throws when
  // another transaction took a code or recorded a provider id meanwhile (the report queue then
  // takes each message alone).
  std::vector<std::optional<SmsReportAnswer>> TakeReports(pqxx::work& tx, const std::vector<const InboundSms*>& batch,
                                                          std::int64_t now_ms, ReportContext& ctx) const;

 private:
  // The answer `key` ([reports]) with the report's code, in `language` else the network's.
  std::vector<std::string> Say(const Network& network, const std::string& language, std::string_view key,
                               const std::string& code) const;
  const DataCipher& cipher_;
  const TemplateSet& templates_;
  const ReportWords& words_;
  const ReportCodeSource codes_;
};

}  // namespace tocsin
