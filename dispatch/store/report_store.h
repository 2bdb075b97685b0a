// Reports from the street in the database (issue 12): inserting one, reading it back (the
// reporter's number never leaves the database but sealed, to the dispatcher's claim of a
// delivery telling them the outcome: store/delivery_store.h, schema/0042; and ReporterPhone),
// listing, the timeline, and the counts the rate limit needs. Location and details
// are sealed at rest like an alert's; every function runs inside a caller's transaction.
//
// Thread safety: holds a const reference only; may be shared.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/report.h"
#include "dispatch/model/report_codes.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

// A new report, validated by the caller (kind known, areas of the network, texts bounded).
struct ReportInput {
  std::string kind = "raid";
  std::vector<std::string> areas;  // empty only with status kAwaitingArea
  std::string location;
  std::string details;
  std::string source = "api";      // "sms", "api", "webhook", "voice" (the hotline's 5)
  std::string created_by;          // "sms", "voice", "token:<id>", "inbound:<name>"
  std::optional<std::int64_t> reporter_member_id;
  std::optional<std::string> reporter_phone;  // E.164; sealed, and hashed for lookups
  std::optional<std::string> reporter_language;
  ReportStatus status = ReportStatus::kPending;
  std::int64_t received_at_ms = 0;  // the engine's clock
  // A report recorded on the hotline: the provider's id of the recording (schema/0043).
  std::optional<std::string> recording_sid;
};

// A report as the API shows it: no reporter's number, ever.
struct Report {
  std::int64_t id = 0;
  std::string code;
  std::string kind;
  std::vector<std::string> areas;
  std::string location;
  std::string details;
  std::string source;
  std::string created_by;
  std::optional<std::int64_t> reporter_member_id;
  std::optional<std::string> reporter_language;
  int reporters = 1;
  ReportStatus status = ReportStatus::kPending;
  std::optional<std::int64_t> merged_into;
  std::optional<std::int64_t> alert_id;
  std::string received_at;               // RFC 3339 UTC
  std::optional<std::string> decided_at;
  // The caller's recorded message at the provider (the hotline's 5), fetched for a coordinator
  // by GET .../reports/{id}/recording; the API shows only whether there is one.
  std::optional<std::string> recording_sid;
};

// One line of a report's timeline. `what`: received, asked, confirmed, dismissed, merged,
// timeout, raised, reporter_added.
struct ReportEvent {
  int seq = 0;
  std::string at;  // RFC 3339 UTC
  std::string what;
  std::optional<std::int64_t> member_id;  // the verifier who answered, when one did
  std::optional<int> count;               // asked: how many; reporter_added: reporters now
  std::optional<std::string> actor;       // a coordinator's token, "sms", ...
};

// Who texted a report: the network behind the number written to and, when the sender is one of
// its members, the member.
struct ReportSender {
  std::int64_t network_id = 0;
  std::optional<std::int64_t> member_id;
  std::string language;             // the member's, else the network's default
  std::string status;               // the member's: active, paused, opted_out ("" for none)
  std::vector<std::string> roles;   // the member's
  std::vector<std::string> areas;   // the member's, in their order

  // One of the network's members, and active (not paused or opted out): counted as a member
  // for reporting, checking and rate limits.
  bool active_member() const { return member_id && status == "active"; }
};

// A report just inserted with `id` and `code` from `in`, as ReportStore::Get would read it back
// (received_at to the second, as the database shows it).
Report InsertedReport(std::int64_t id, std::string code, const ReportInput& in);

// The network whose number `number` is; nullopt when it is no network's.
std::optional<std::int64_t> NetworkOfNumber(pqxx::transaction_base& tx, const std::string& number);

class ReportStore {
 public:
  explicit ReportStore(const DataCipher& cipher, ReportCodeSource codes = NewReportCode)
      : cipher_(cipher), codes_(std::move(codes)) {}

  // Inserts the report, with its `received` event, under the first code from the code source
  // that names no report of the network being dealt with (awaiting_area, pending) and no alert
  // in progress (verifying, pending_approval, open); returns it as Get would read it back. Two
  // statements (its id, then the report and its event).
  Report Insert(pqxx::work& tx, std::int64_t network_id, const ReportInput& in) const;
  Result<Report> Get(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id) const;
  // Newest first, before `before_id` when given.
  std::vector<Report> List(pqxx::transaction_base& tx, std::int64_t network_id,
                           std::optional<ReportStatus> status, std::optional<std::int64_t> before_id,
                           int limit) const;
  std::vector<ReportEvent> Timeline(pqxx::transaction_base& tx, std::int64_t report_id) const;
  // Appends an event at `at_ms`.
  void AddEvent(pqxx::work& tx, std::int64_t report_id, std::int64_t at_ms, const ReportEvent& e) const;
  // How many reports the number `e164` made to the network in the hour before `now_ms`.
  int ReportsInLastHour(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& e164,
                        std::int64_t now_ms) const;
  // The sender of an SMS from `from` to `to`; nullopt when `to` is no network's number.
  std::optional<ReportSender> Sender(pqxx::transaction_base& tx, const std::string& to, const std::string& from) const;
  // The same, the network (an existing one) known.
  ReportSender SenderIn(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& from) const;
  // The newest report the number made to the network since `since_ms` that waits for its area.
  std::optional<Report> AwaitingArea(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& e164,
                                     std::int64_t since_ms) const;
  // Gives an awaiting report its areas: it is pending from now.
  void SetAreas(pqxx::work& tx, std::int64_t report_id, const std::vector<std::string>& areas) const;
  // Decides a pending report: `to` (confirmed or dismissed) at `now_ms`. False when it is not
  // pending (decided already, merged, or awaiting its area): nothing changes.
  bool Decide(pqxx::work& tx, std::int64_t network_id, std::int64_t report_id, ReportStatus to,
              std::int64_t now_ms) const;
  // Undoes Decide (the alert it was to raise could not be raised).
  void Reopen(pqxx::work& tx, std::int64_t report_id) const;
  // The alert a confirmed report raised.
  void SetAlert(pqxx::work& tx, std::int64_t report_id, std::int64_t alert_id) const;
  // For CHECK: the newest open alert in `area` (its code, and since when, London time "09:42"),
  // and how many reports in it are still being checked.
  std::optional<std::pair<std::string, std::string>> OpenAlertIn(pqxx::transaction_base& tx, std::int64_t network_id,
                                                                 const std::string& area) const;
  int PendingIn(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& area) const;
  // The reporter's number (opened), for telling them the outcome; nullopt when there is none.
  std::optional<std::string> ReporterPhone(pqxx::transaction_base& tx, std::int64_t network_id,
                                           std::int64_t report_id) const;

 private:
  Report Read(const pqxx::row& r, std::int64_t network_id) const;

  const DataCipher& cipher_;
  const ReportCodeSource codes_;
};

}  // namespace tocsin
