#include "dispatch/store/member_import.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <map>
#include <optional>

#include "dispatch/store/audit_log.h"
#include "dispatch/util/csv.h"

namespace tocsin {
namespace {

struct ParsedRow {
  std::size_t line;
  MemberInput input;  // normalised for update (phone set); creation defaults added on insert
};

std::string Trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

// Maps each known column to its index in the header; unknown or repeated columns are errors.
Result<std::map<std::string_view, std::size_t>> ReadHeader(const CsvRow& header) {
  std::map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    auto name = Trim(header.fields[i]);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto known = std::find(kMemberCsvColumns.begin(), kMemberCsvColumns.end(), name);
    if (known == kMemberCsvColumns.end()) {
      return Error::Invalid("body", "line 1: unknown column '" + name.substr(0, 40) +
                                        "' (expected phone,name,language,areas,roles,channels)");
    }
    if (!index.emplace(*known, i).second) {
      return Error::Invalid("body", "line 1: column '" + name + "' appears twice");
    }
  }
  if (!index.count("phone")) return Error::Invalid("body", "line 1: the header needs a 'phone' column");
  return index;
}

MemberInput RowToInput(const CsvRow& row, const std::map<std::string_view, std::size_t>& index) {
  auto cell = [&](std::string_view col) -> std::optional<std::string> {
    auto it = index.find(col);
    if (it == index.end() || it->second >= row.fields.size()) return std::nullopt;
    auto v = Trim(row.fields[it->second]);
    if (v.empty()) return std::nullopt;
    return v;
  };
  auto list = [&](std::string_view col) -> std::optional<std::vector<std::string>> {
    auto v = cell(col);
    if (!v) return std::nullopt;
    return SplitList(*v);
  };
  MemberInput in;
  in.phone = cell("phone");
  in.name = cell("name");
  in.language = cell("language");
  in.areas = list("areas");
  in.roles = list("roles");
  in.channels = list("channels");
  return in;
}

}  // namespace

Result<ImportResult> ImportMembersCsv(pqxx::connection& conn, MemberRegistry& members,
                                      const Network& net, std::string_view csv,
                                      const std::string& actor) {
  auto parsed = ParseCsv(csv, kImportMaxRows + 1);  // the header and the rows
  if (!parsed.ok()) {
    if (parsed.error().code != ErrorCode::kTooLarge) return parsed.error();
    return Error{ErrorCode::kTooLarge, "at most " + std::to_string(kImportMaxRows) + " rows per import", "body"};
  }
  auto& rows = parsed.value();
  if (rows.empty()) return Error::Invalid("body", "the CSV is empty: a header row is required");
  auto index = ReadHeader(rows[0]);
  if (!index.ok()) return index.error();

  ImportResult result;
  std::vector<ParsedRow> good;
  std::map<std::string, std::size_t> line_of_phone;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (row.fields.size() > rows[0].fields.size()) {
      result.errors.push_back({row.line, "more cells than header columns"});
      continue;
    }
    auto in = NormaliseMemberInput(RowToInput(row, index.value()), net, /*creating=*/false);
    if (!in.ok()) {
      result.errors.push_back({row.line, in.error().field + ": " + in.error().message});
      continue;
    }
    if (!in->phone) {
      result.errors.push_back({row.line, "phone: is required"});
      continue;
    }
    auto [it, fresh] = line_of_phone.emplace(*in->phone, row.line);
    if (!fresh) {
      result.errors.push_back(
          {row.line, "phone: same number as line " + std::to_string(it->second)});
      continue;
    }
    good.push_back({row.line, std::move(in.value())});
  }

  // One transaction for the whole import: a failure part-way stores nothing.
  pqxx::work tx(conn);
  std::size_t created = 0, updated = 0;
  {
    for (std::size_t i = 0; i < good.size(); ++i) {
      auto& row = good[i];
      if (auto id = members.FindIdByPhone(tx, net.id, *row.input.phone)) {
        auto r = members.Update(tx, net, *id, row.input);
        if (!r.ok()) throw std::runtime_error("import update failed: " + r.error().message);
        ++updated;
        continue;
      }
      // A new member: fill the creation defaults (the row was checked already).
      auto full = NormaliseMemberInput(row.input, net, /*creating=*/true);
      auto r = members.Create(tx, net, full.value());
      if (!r.ok()) throw std::runtime_error("import insert failed: " + r.error().message);
      ++created;
      if (r->status == "opted_out") {
        ++result.opted_out;
        result.notes.push_back({row.line, "status: created opted_out: this number texted STOP and has not texted START since"});
      }
    }
  }
  RecordAudit(tx, net.id, actor, "members.import", "members",
              "{\"created\":" + std::to_string(created) + ",\"updated\":" + std::to_string(updated) + "}");
  tx.commit();
  result.created = created;
  result.updated = updated;
  return result;
}

}  // namespace tocsin
