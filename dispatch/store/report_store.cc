#include "dispatch/store/report_store.h"

#include "dispatch/store/pq_types.h"
#include "dispatch/store/report_batch_store.h"
#include "dispatch/store/report_batch_store.h"
#include "dispatch/util/clock.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

#define TOCSIN_RFC3339(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
// Read by ReportStore::Read, in this order. Never the reporter's number or hash.
#define TOCSIN_REPORT_COLUMNS                                                                        \
  "id, code, kind, areas, location_enc, details_enc, source, created_by, reporter_member_id,"       \
  " reporter_language, reporters, status, merged_into, alert_id, " TOCSIN_RFC3339("received_at") "," \
  " " TOCSIN_RFC3339("decided_at") ", recording_sid"

constexpr const char* kGet =
    "SELECT " TOCSIN_REPORT_COLUMNS " FROM reports WHERE network_id = $1 AND id = $2";
constexpr const char* kList =
    "SELECT " TOCSIN_REPORT_COLUMNS " FROM reports WHERE network_id = $1"
    " AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4";
constexpr const char* kTimeline =
    "SELECT seq, " TOCSIN_RFC3339("at") ", what, member_id, count, actor FROM report_events"
    " WHERE report_id = $1 ORDER BY seq";
constexpr const char* kAddEvent =
    "INSERT INTO report_events (report_id, seq, at, what, member_id, count, actor)"
    " SELECT $1::bigint, COALESCE(MAX(seq) + 1, 0), to_timestamp($2::float8 / 1000), $3::text, $4::bigint, $5::integer, $6::text"
    " FROM report_events WHERE report_id = $1";
constexpr const char* kNetworkOfNumber = "SELECT network_id FROM network_numbers WHERE number = $1";
constexpr const char* kAwaitingArea =
    "SELECT " TOCSIN_REPORT_COLUMNS " FROM reports WHERE network_id = $1 AND reporter_hash = $2"
    " AND status = 'awaiting_area' AND received_at > to_timestamp($3::float8 / 1000) ORDER BY id DESC LIMIT 1";
constexpr const char* kSetAreas =
    "UPDATE reports SET areas = $2::text[], status = 'pending' WHERE id = $1 AND status = 'awaiting_area'";
constexpr const char* kDecide =
    "UPDATE reports SET status = $3, decided_at = to_timestamp($4::float8 / 1000)"
    " WHERE network_id = $1 AND id = $2 AND status = 'pending'";
constexpr const char* kReopen = "UPDATE reports SET status = 'pending', decided_at = NULL WHERE id = $1";
constexpr const char* kSetAlert = "UPDATE reports SET alert_id = $2 WHERE id = $1";
constexpr const char* kOpenAlertIn =
    "SELECT code, to_char(created_at AT TIME ZONE 'Europe/London', 'HH24:MI') FROM alerts"
    " WHERE network_id = $1 AND status = 'open' AND $2 = ANY(areas) ORDER BY id DESC LIMIT 1";
constexpr const char* kPendingIn =
    "SELECT count(*) FROM reports WHERE network_id = $1 AND status = 'pending' AND $2 = ANY(areas)";
constexpr const char* kReporter = "SELECT reporter_enc FROM reports WHERE network_id = $1 AND id = $2";

}  // namespace

Report InsertedReport(std::int64_t id, std::string code, const ReportInput& in) {
  return Report{.id = id, .code = std::move(code), .kind = in.kind, .areas = in.areas, .location = in.location,
                .details = in.details, .source = in.source, .created_by = in.created_by,
                .reporter_member_id = in.reporter_member_id, .reporter_language = in.reporter_language,
                .reporters = 1, .status = in.status, .merged_into = std::nullopt, .alert_id = std::nullopt,
                .received_at = Rfc3339Utc(in.received_at_ms), .decided_at = std::nullopt,
                .recording_sid = in.recording_sid};
}

Report ReportStore::Insert(pqxx::work& tx, std::int64_t network_id, const ReportInput& in) const {
  // The sealed values are bound to the id; the insert is report_batch_store.h's, for one.
  std::vector<NewReport> one{NewReport{ReserveId(tx, "reports"), {}, in}};
  do {
    one[0].code = codes_();
  } while (InsertReportRows(tx, cipher_, network_id, one) == 0);
  return InsertedReport(one[0].id, std::move(one[0].code), in);
}

Result<Report> ReportStore::Get(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id) const {
  auto rows = tx.exec_params(kGet, network_id, id);
  if (rows.empty()) return Error::NotFound("no such report");
  return Read(rows[0], network_id);
}

std::vector<Report> ReportStore::List(pqxx::transaction_base& tx, std::int64_t network_id,
                                      std::optional<ReportStatus> status, std::optional<std::int64_t> before_id,
                                      int limit) const {
  std::optional<std::string> status_name;
  if (status) status_name = std::string(ReportStatusName(*status));
  std::vector<Report> out;
  for (const auto& r : tx.exec_params(kList, network_id, status_name, before_id, limit)) {
    out.push_back(Read(r, network_id));
  }
  return out;
}

std::vector<ReportEvent> ReportStore::Timeline(pqxx::transaction_base& tx, std::int64_t report_id) const {
  std::vector<ReportEvent> out;
  for (const auto& r : tx.exec_params(kTimeline, report_id)) {
    ReportEvent e;
    e.seq = r[0].as<int>();
    e.at = r[1].as<std::string>();
    e.what = r[2].as<std::string>();
    if (!r[3].is_null()) e.member_id = r[3].as<std::int64_t>();
    if (!r[4].is_null()) e.count = r[4].as<int>();
    if (!r[5].is_null()) e.actor = r[5].as<std::string>();
    out.push_back(std::move(e));
  }
  return out;
}

void ReportStore::AddEvent(pqxx::work& tx, std::int64_t report_id, std::int64_t at_ms, const ReportEvent& e) const {
  tx.exec_params(kAddEvent, report_id, static_cast<double>(at_ms), e.what, e.member_id, e.count, e.actor);
}

int ReportStore::ReportsInLastHour(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& e164,
                                   std::int64_t now_ms) const {
  return ReportsInLastHourOf(tx, cipher_, network_id, {e164}, now_ms).at(e164);
}

std::optional<std::int64_t> NetworkOfNumber(pqxx::transaction_base& tx, const std::string& number) {
  auto rows = tx.exec_params(kNetworkOfNumber, number);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::int64_t>();
}

std::optional<ReportSender> ReportStore::Sender(pqxx::transaction_base& tx, const std::string& to,
                                                const std::string& from) const {
  auto network = NetworkOfNumber(tx, to);
  if (!network) return std::nullopt;
  return SenderIn(tx, *network, from);
}

ReportSender ReportStore::SenderIn(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& from) const {
  return SendersIn(tx, cipher_, network_id, {from}).at(from);
}

std::optional<Report> ReportStore::AwaitingArea(pqxx::transaction_base& tx, std::int64_t network_id,
                                                const std::string& e164, std::int64_t since_ms) const {
  auto rows = tx.exec_params(kAwaitingArea, network_id, Bytea(cipher_.LookupHash(network_id, e164)),
                             static_cast<double>(since_ms));
  if (rows.empty()) return std::nullopt;
  return Read(rows[0], network_id);
}

void ReportStore::SetAreas(pqxx::work& tx, std::int64_t report_id, const std::vector<std::string>& areas) const {
  tx.exec_params(kSetAreas, report_id, ToPgArray(areas));
}

bool ReportStore::Decide(pqxx::work& tx, std::int64_t network_id, std::int64_t report_id, ReportStatus to,
                         std::int64_t now_ms) const {
  return tx.exec_params(kDecide, network_id, report_id, std::string(ReportStatusName(to)), static_cast<double>(now_ms))
             .affected_rows() == 1;
}

void ReportStore::Reopen(pqxx::work& tx, std::int64_t report_id) const { tx.exec_params(kReopen, report_id); }

void ReportStore::SetAlert(pqxx::work& tx, std::int64_t report_id, std::int64_t alert_id) const {
  tx.exec_params(kSetAlert, report_id, alert_id);
}

std::optional<std::pair<std::string, std::string>> ReportStore::OpenAlertIn(pqxx::transaction_base& tx,
                                                                            std::int64_t network_id,
                                                                            const std::string& area) const {
  auto rows = tx.exec_params(kOpenAlertIn, network_id, area);
  if (rows.empty()) return std::nullopt;
  return std::pair{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
}

int ReportStore::PendingIn(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& area) const {
  return tx.exec_params1(kPendingIn, network_id, area)[0].as<int>();
}

std::optional<std::string> ReportStore::ReporterPhone(pqxx::transaction_base& tx, std::int64_t network_id,
                                                      std::int64_t report_id) const {
  auto rows = tx.exec_params(kReporter, network_id, report_id);
  if (rows.empty()) return std::nullopt;
  auto sealed = FromBytea(rows[0][0]);
  if (!sealed) return std::nullopt;
  return cipher_.Open(*sealed, places::ReportReporter(network_id, report_id));
}

Report ReportStore::Read(const pqxx::row& r, std::int64_t network_id) const {
  Report p;
  p.id = r[0].as<std::int64_t>();
  p.code = r[1].as<std::string>();
  p.kind = r[2].as<std::string>();
  p.areas = FromPgArray(r[3]);
  if (auto s = FromBytea(r[4])) p.location = cipher_.Open(*s, places::ReportLocation(network_id, p.id)).value_or("");
  if (auto s = FromBytea(r[5])) p.details = cipher_.Open(*s, places::ReportDetails(network_id, p.id)).value_or("");
  p.source = r[6].as<std::string>();
  p.created_by = r[7].as<std::string>();
  if (!r[8].is_null()) p.reporter_member_id = r[8].as<std::int64_t>();
  if (!r[9].is_null()) p.reporter_language = r[9].as<std::string>();
  p.reporters = r[10].as<int>();
  p.status = ParseReportStatus(r[11].as<std::string>(), "status").value();
  if (!r[12].is_null()) p.merged_into = r[12].as<std::int64_t>();
  if (!r[13].is_null()) p.alert_id = r[13].as<std::int64_t>();
  p.received_at = r[14].as<std::string>();
  if (!r[15].is_null()) p.decided_at = r[15].as<std::string>();
  if (!r[16].is_null()) p.recording_sid = r[16].as<std::string>();
  return p;
}

}  // namespace tocsin
