#include "dispatch/store/report_batch_store.h"

#include <algorithm>
#include <stdexcept>

#include "dispatch/store/pq_types.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

// Each statement runs once a batch, planned each time (not prepared): a plan made while the
// tables were nearly empty (a new network's first reports) and kept would scan them whole later
// (measured in reports_bench: the hour's count took 40 ms a batch with a kept plan, 0.1 ms planned
// afresh).
constexpr const char* kSenders =
    "SELECT q.i, n.default_language, m.id, m.language, m.status, m.roles, m.areas"
    " FROM unnest($2::text[]) WITH ORDINALITY AS q(hash, i) JOIN networks n ON n.id = $1"
    " LEFT JOIN members m ON m.network_id = n.id AND m.phone_hash = decode(q.hash, 'hex')";
constexpr const char* kInLastHour =
    "SELECT q.i, (SELECT count(*) FROM reports r WHERE r.network_id = $1 AND r.reporter_hash = decode(q.hash, 'hex')"
    "  AND r.received_at > to_timestamp($3::float8 / 1000) - interval '1 hour')"
    " FROM unnest($2::text[]) WITH ORDINALITY AS q(hash, i)";
constexpr const char* kSeenBefore = "SELECT provider_id FROM inbound_messages WHERE provider_id = ANY($1::text[])";
constexpr const char* kCodesInUse =
    "SELECT code FROM reports WHERE network_id = $1 AND status IN ('awaiting_area', 'pending')"
    " UNION SELECT code FROM alerts WHERE network_id = $1 AND status IN ('verifying', 'pending_approval', 'open')";
constexpr const char* kAreaNeighbours = "SELECT name, neighbours FROM areas WHERE network_id = $1";
constexpr const char* kReserveIds =
    "SELECT nextval(pg_get_serial_sequence('reports', 'id')) FROM generate_series(1, $1::integer)";
// New reports, each with its `received` event (one text[] a column; areas as array literals).
// A report's code must name nothing else that can still be answered with `1 CODE`: a report
// being dealt with, or an alert that carries the code (a confirmed report's alert keeps it while
// open); codes of reports and alerts that are over may be used again. A report whose code is
// taken is not inserted.
constexpr const char* kInsertMany =
    "WITH q AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
    "   $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],"
    "   $16::text[]) AS q(id, code, kind, areas, location, details, source, created_by, member_id, hash, reporter,"
    "   language, status, received_ms, recording_sid)),"
    " r AS (INSERT INTO reports (id, network_id, code, kind, areas, location_enc, details_enc, source,"
    "  created_by, reporter_member_id, reporter_hash, reporter_enc, reporter_language, status, received_at,"
    "  recording_sid)"
    " OVERRIDING SYSTEM VALUE SELECT q.id::bigint, $1::bigint, q.code, q.kind, q.areas::text[], decode(q.location, 'hex'),"
    "  decode(q.details, 'hex'), q.source, q.created_by, q.member_id::bigint, decode(q.hash, 'hex'),"
    "  decode(q.reporter, 'hex'), q.language, q.status, to_timestamp(q.received_ms::float8 / 1000), q.recording_sid"
    " FROM q WHERE NOT EXISTS (SELECT 1 FROM reports o WHERE o.network_id = $1 AND o.code = q.code"
    "   AND o.status IN ('awaiting_area', 'pending'))"
    "  AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.network_id = $1 AND a.code = q.code"
    "   AND a.status IN ('verifying', 'pending_approval', 'open'))"
    " RETURNING id, received_at, created_by)"
    " INSERT INTO report_events (report_id, seq, at, what, actor) SELECT id, 0, received_at, 'received', created_by FROM r";
// verification_store.cc's kMerge for many merges, in their order (ord): each report merged with
// its `merged` event; each target counted once per merge, its `reporter_added` events numbered
// on from its timeline and counting up from the reporters it had.
constexpr const char* kMergeMany =
    "WITH m AS (SELECT * FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS m(report_id, into_id, ord)),"
    " merged AS (UPDATE reports r SET status = 'merged', merged_into = m.into_id,"
    "  decided_at = to_timestamp($3::float8 / 1000) FROM m WHERE r.id = m.report_id AND r.status = 'pending'"
    "  RETURNING r.id),"
    " n AS (SELECT into_id, count(*)::integer AS n FROM m GROUP BY into_id),"
    " t AS (UPDATE reports r SET reporters = r.reporters + n.n FROM n WHERE r.id = n.into_id"
    "  RETURNING r.id, r.reporters - n.n AS had)"
    " INSERT INTO report_events (report_id, seq, at, what, count, actor)"
    " SELECT m.report_id, (SELECT COALESCE(MAX(e.seq) + 1, 0) FROM report_events e WHERE e.report_id = m.report_id),"
    "  to_timestamp($3::float8 / 1000), 'merged', NULL::integer, 'report:' || m.into_id::text FROM m"
    " UNION ALL SELECT m.into_id, (SELECT COALESCE(MAX(e.seq), -1) FROM report_events e WHERE e.report_id = m.into_id)"
    "  + (row_number() OVER (PARTITION BY m.into_id ORDER BY m.ord))::integer, to_timestamp($3::float8 / 1000),"
    "  'reporter_added', t.had + (row_number() OVER (PARTITION BY m.into_id ORDER BY m.ord))::integer,"
    "  'report:' || m.report_id::text FROM m JOIN t ON t.id = m.into_id";

// Hex of the sealed text; NULL for an empty text (as ReportStore seals).
std::optional<std::string> SealedOrNull(const DataCipher& cipher, const std::string& text, const SealPlace& place) {
  if (text.empty()) return std::nullopt;
  return ToHex(cipher.Seal(text, place));
}

std::vector<std::string> Hashes(const DataCipher& cipher, std::int64_t network_id, const std::vector<std::string>& froms) {
  std::vector<std::string> out;
  out.reserve(froms.size());
  for (const auto& f : froms) out.push_back(ToHex(cipher.LookupHash(network_id, f)));
  return out;
}

}  // namespace

std::map<std::string, ReportSender> SendersIn(pqxx::transaction_base& tx, const DataCipher& cipher,
                                              std::int64_t network_id, const std::vector<std::string>& froms) {
  std::map<std::string, ReportSender> out;
  if (froms.empty()) return out;
  for (const auto& r : tx.exec_params(kSenders, network_id,
                                    ToPgArray(Hashes(cipher, network_id, froms)))) {
    ReportSender s;
    s.network_id = network_id;
    s.language = r[1].as<std::string>();
    if (!r[2].is_null()) {
      s.member_id = r[2].as<std::int64_t>();
      s.language = r[3].as<std::string>();
      s.status = r[4].as<std::string>();
      s.roles = FromPgArray(r[5]);
      s.areas = FromPgArray(r[6]);
    }
    out.insert_or_assign(froms[r[0].as<std::size_t>() - 1], std::move(s));
  }
  return out;
}

std::map<std::string, int> ReportsInLastHourOf(pqxx::transaction_base& tx, const DataCipher& cipher,
                                               std::int64_t network_id, const std::vector<std::string>& froms,
                                               std::int64_t now_ms) {
  std::map<std::string, int> out;
  if (froms.empty()) return out;
  for (const auto& r : tx.exec_params(kInLastHour, network_id,
                                    ToPgArray(Hashes(cipher, network_id, froms)), static_cast<double>(now_ms))) {
    out[froms[r[0].as<std::size_t>() - 1]] = r[1].as<int>();
  }
  return out;
}

std::unordered_set<std::string> SeenBefore(pqxx::transaction_base& tx, const std::vector<std::string>& ids) {
  std::unordered_set<std::string> out;
  if (ids.empty()) return out;
  for (const auto& r : tx.exec_params(kSeenBefore, ToPgArray(ids))) {
    out.insert(r[0].as<std::string>());
  }
  return out;
}

std::set<std::string> ReportCodesInUse(pqxx::transaction_base& tx, std::int64_t network_id) {
  std::set<std::string> out;
  for (const auto& r : tx.exec_params(kCodesInUse, network_id)) {
    out.insert(r[0].as<std::string>());
  }
  return out;
}

std::map<std::string, std::vector<std::string>> AreaNeighbours(pqxx::transaction_base& tx, std::int64_t network_id) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& r : tx.exec_params(kAreaNeighbours, network_id)) {
    out.emplace(r[0].as<std::string>(), FromPgArray(r[1]));
  }
  return out;
}

std::vector<std::int64_t> ReserveReportIds(pqxx::transaction_base& tx, int n) {
  std::vector<std::int64_t> out;
  if (n <= 0) return out;
  for (const auto& r : tx.exec_params(kReserveIds, n)) {
    out.push_back(r[0].as<std::int64_t>());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t InsertReportRows(pqxx::work& tx, const DataCipher& cipher, std::int64_t network_id,
                             const std::vector<NewReport>& reports) {
  if (reports.empty()) return 0;
  std::vector<std::string> ids, codes, kinds, areas, sources, created_by, statuses, received;
  std::vector<std::optional<std::string>> locations, details, members, hashes, reporters, languages, recordings;
  for (const auto& [id, code, in] : reports) {
    ids.push_back(std::to_string(id));
    codes.push_back(code);
    kinds.push_back(in.kind);
    areas.push_back(ToPgArray(in.areas));
    locations.push_back(SealedOrNull(cipher, in.location, places::ReportLocation(network_id, id)));
    details.push_back(SealedOrNull(cipher, in.details, places::ReportDetails(network_id, id)));
    sources.push_back(in.source);
    created_by.push_back(in.created_by);
    members.push_back(in.reporter_member_id ? std::optional(std::to_string(*in.reporter_member_id)) : std::nullopt);
    if (in.reporter_phone) {
      hashes.emplace_back(ToHex(cipher.LookupHash(network_id, *in.reporter_phone)));
      reporters.emplace_back(ToHex(cipher.Seal(*in.reporter_phone, places::ReportReporter(network_id, id))));
    } else {
      hashes.emplace_back();
      reporters.emplace_back();
    }
    languages.push_back(in.reporter_language);
    statuses.emplace_back(ReportStatusName(in.status));
    received.push_back(std::to_string(in.received_at_ms));
    recordings.push_back(in.recording_sid);
  }
  return tx.exec_params(kInsertMany, network_id, ToPgArray(ids), ToPgArray(codes), ToPgArray(kinds), ToPgArray(areas),
                        ToPgArray(locations), ToPgArray(details), ToPgArray(sources), ToPgArray(created_by),
                        ToPgArray(members), ToPgArray(hashes), ToPgArray(reporters), ToPgArray(languages),
                        ToPgArray(statuses), ToPgArray(received), ToPgArray(recordings))
      .affected_rows();
}

void InsertReports(pqxx::work& tx, const DataCipher& cipher, std::int64_t network_id,
                   const std::vector<NewReport>& reports) {
  const auto inserted = InsertReportRows(tx, cipher, network_id, reports);
  if (inserted != reports.size()) {
    throw std::runtime_error("a report's code was taken meanwhile (" + std::to_string(reports.size() - inserted) +
                             " of " + std::to_string(reports.size()) + " not inserted)");
  }
}

void MergeReports(pqxx::work& tx, const std::vector<ReportMerge>& merges, std::int64_t now_ms) {
  if (merges.empty()) return;
  std::vector<std::int64_t> ids, into;
  for (const auto& m : merges) {
    ids.push_back(m.report_id);
    into.push_back(m.into);
  }
  tx.exec_params(kMergeMany, ToPgArray(ids), ToPgArray(into), static_cast<double>(now_ms));
}

}  // namespace tocsin
