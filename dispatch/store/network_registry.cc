#include "dispatch/store/network_registry.h"

#include <set>

#include <boost/json.hpp>

#include "dispatch/model/alert.h"
#include "dispatch/model/validation.h"
#include "dispatch/util/phone.h"

namespace tocsin {
namespace {

// Both selects return the same columns, read by ReadNetwork.
constexpr const char* kSelectNetworkBySlug =
    "SELECT id, slug, name, country, default_language, retention_days, help_text,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " approval_min_recipients, approval_all_areas, disclosure_default, disclosure_kinds::text,"
    " reports_from, reports_public_check, reports_max_per_hour, reports_merge_window_ms, voice_message"
    " FROM networks WHERE slug = $1";
constexpr const char* kSelectNetworkById =
    "SELECT id, slug, name, country, default_language, retention_days, help_text,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " approval_min_recipients, approval_all_areas, disclosure_default, disclosure_kinds::text,"
    " reports_from, reports_public_check, reports_max_per_hour, reports_merge_window_ms, voice_message"
    " FROM networks WHERE id = $1";

constexpr const char* kSelectNumbers =
    "SELECT number, segments_per_second FROM network_numbers WHERE network_id = $1"
    " ORDER BY position";

constexpr const char* kUpdateNetwork =
    "UPDATE networks SET name = $2, help_text = $3, default_language = $4, retention_days = $5,"
    " approval_min_recipients = $6, approval_all_areas = $7, disclosure_default = $8,"
    " disclosure_kinds = $9::jsonb, reports_from = $10, reports_public_check = $11,"
    " reports_max_per_hour = $12, reports_merge_window_ms = $13, voice_message = $14 WHERE id = $1";

Network ReadNetwork(pqxx::transaction_base& tx, const pqxx::row& r) {
  Network n;
  n.id = r[0].as<std::int64_t>();
  n.slug = r[1].as<std::string>();
  n.name = r[2].as<std::string>();
  n.country = r[3].as<std::string>();
  n.default_language = r[4].as<std::string>();
  n.retention_days = r[5].as<int>();
  n.help_text = r[6].as<std::string>();
  n.created_at = r[7].as<std::string>();
  if (!r[8].is_null()) n.approval.min_recipients = r[8].as<std::int64_t>();
  n.approval.all_areas = r[9].as<bool>();
  n.disclosure.default_mode = r[10].as<std::string>() == "tiered" ? Disclosure::kTiered : Disclosure::kFull;
  const auto kinds = boost::json::parse(r[11].as<std::string>());  // kept alive for the loop
  for (const auto& kv : kinds.as_object()) {
    const auto& mode = kv.value();
    if (mode.is_string()) {
      n.disclosure.kinds[std::string(kv.key())] = mode.as_string() == "tiered" ? Disclosure::kTiered : Disclosure::kFull;
    }
  }
  n.reports.from = ParseReportsFrom(r[12].as<std::string>(), "reports.from").value();
  n.reports.public_check = r[13].as<bool>();
  n.reports.max_per_hour_per_number = r[14].as<int>();
  n.reports.merge_window_ms = r[15].as<std::int64_t>();
  n.voice_message = r[16].as<std::string>();
  for (const auto& row : tx.exec_params(kSelectNumbers, n.id)) {
    SenderNumber s{row[0].as<std::string>(), std::nullopt};
    if (!row[1].is_null()) s.segments_per_second = row[1].as<double>();
    n.numbers.push_back(std::move(s));
  }
  return n;
}

}  // namespace

Result<NetworkInput> NormaliseNetworkInput(NetworkInput in) {
  if (auto s = CheckText(in.name, "name"); !s.ok()) return s.error();
  if (auto s = CheckSlug(in.slug); !s.ok()) return s.error();
  if (auto s = CheckCountry(in.country); !s.ok()) return s.error();
  if (auto s = CheckLanguage(in.default_language, "default_language"); !s.ok()) return s.error();
  if (in.retention_days < 1 || in.retention_days > 3650) {
    return Error::Invalid("retention_days", "must be between 1 and 3650 days");
  }
  if (!in.help_text.empty()) {
    if (auto s = CheckText(in.help_text, "help_text", 320); !s.ok()) return s.error();
  }
  if (in.numbers.empty()) return Error::Invalid("numbers", "at least one sender number is needed");
  if (in.numbers.size() > 100) return Error::Invalid("numbers", "at most 100 sender numbers");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < in.numbers.size(); ++i) {
    auto field = "numbers[" + std::to_string(i) + "]";
    auto e164 = NormalisePhone(in.numbers[i].number, in.country, field);
    if (!e164.ok()) return e164.error();
    if (!seen.insert(e164.value()).second) return Error::Invalid(field, "number listed twice");
    in.numbers[i].number = std::move(e164.value());
    auto rate = in.numbers[i].segments_per_second;
    if (rate && (*rate <= 0 || *rate > 10000)) {
      return Error::Invalid(field + ".segments_per_second", "must be > 0 and at most 10000");
    }
  }
  return in;
}

Result<Network> CreateNetwork(pqxx::work& tx, const NetworkInput& in) {
  if (!tx.exec_params("SELECT 1 FROM networks WHERE slug = $1", in.slug).empty()) {
    return Error::Conflict("slug", "a network with this slug already exists");
  }
  for (std::size_t i = 0; i < in.numbers.size(); ++i) {
    if (!tx.exec_params("SELECT 1 FROM network_numbers WHERE number = $1", in.numbers[i].number)
             .empty()) {
      return Error::Conflict("numbers[" + std::to_string(i) + "]",
                             "this number already belongs to a network");
    }
  }
  auto id = tx.exec_params1(
                  "INSERT INTO networks (slug, name, country, default_language, retention_days,"
                  " help_text) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                  in.slug, in.name, in.country, in.default_language, in.retention_days,
                  in.help_text)[0]
                .as<std::int64_t>();
  for (std::size_t i = 0; i < in.numbers.size(); ++i) {
    tx.exec_params(
        "INSERT INTO network_numbers (network_id, number, segments_per_second, position)"
        " VALUES ($1, $2, $3, $4)",
        id, in.numbers[i].number, in.numbers[i].segments_per_second, static_cast<int>(i));
  }
  return *FindNetworkById(tx, id);
}

Result<Network> UpdateNetwork(pqxx::work& tx, const Network& current, const NetworkChanges& changes) {
  NetworkInput in{current.name,    current.slug,           current.numbers,
                  current.country, current.default_language, current.retention_days,
                  current.help_text};
  if (changes.name) in.name = *changes.name;
  if (changes.help_text) in.help_text = *changes.help_text;
  if (changes.default_language) in.default_language = *changes.default_language;
  if (changes.retention_days) in.retention_days = *changes.retention_days;
  auto normal = NormaliseNetworkInput(std::move(in));
  if (!normal.ok()) return normal.error();
  auto approval = changes.approval.value_or(current.approval);
  if (auto s = CheckApprovalRule(approval); !s.ok()) return s.error();
  std::optional<long long> min_recipients;
  if (approval.min_recipients) min_recipients = *approval.min_recipients;
  auto disclosure = changes.disclosure.value_or(current.disclosure);
  boost::json::object kinds;
  for (const auto& [kind, mode] : disclosure.kinds) {
    if (auto s = CheckAlertKind(kind, "disclosure.kinds." + kind); !s.ok()) return s.error();
    kinds[kind] = DisclosureName(mode);
  }
  auto reports = changes.reports.value_or(current.reports);
  if (auto s = CheckReportSettings(reports); !s.ok()) return s.error();
  auto voice_message = changes.voice_message.value_or(current.voice_message);
  if (!voice_message.empty()) {
    if (auto s = CheckText(voice_message, "voice_message", kMaxVoiceMessage); !s.ok()) return s.error();
  }
  tx.exec_params(kUpdateNetwork, current.id, normal->name, normal->help_text,
                 normal->default_language, normal->retention_days, min_recipients, approval.all_areas,
                 std::string(DisclosureName(disclosure.default_mode)), boost::json::serialize(kinds),
                 std::string(ReportsFromName(reports.from)), reports.public_check,
                 reports.max_per_hour_per_number, reports.merge_window_ms, voice_message);
  return *FindNetworkById(tx, current.id);
}

std::optional<Network> FindNetworkBySlug(pqxx::transaction_base& tx, std::string_view slug) {
  auto rows = tx.exec_params(kSelectNetworkBySlug, std::string(slug));
  if (rows.empty()) return std::nullopt;
  return ReadNetwork(tx, rows[0]);
}

std::optional<Network> FindNetworkById(pqxx::transaction_base& tx, std::int64_t id) {
  auto rows = tx.exec_params(kSelectNetworkById, id);
  if (rows.empty()) return std::nullopt;
  return ReadNetwork(tx, rows[0]);
}

}  // namespace tocsin
