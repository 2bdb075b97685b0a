#include "dispatch/model/report.h"

#include <cctype>

#include <sodium.h>

#include "dispatch/model/alert.h"
#include "dispatch/model/alert_code.h"
#include "dispatch/model/policy.h"
#include "dispatch/model/validation.h"

namespace tocsin {
namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

// An outward code: 1-2 letters, a digit, then an optional digit or letter ("E8", "SE15", "W1A").
bool IsOutwardCode(std::string_view w) {
  std::size_t i = 0;
  while (i < w.size() && i < 2 && IsAlpha(w[i])) ++i;
  if (i == 0 || i >= w.size() || !IsDigit(w[i])) return false;
  ++i;
  if (i < w.size() && IsAlnum(w[i])) ++i;
  return i == w.size();
}

// Upper case, runs of spaces as one, trimmed.
std::string Canonical(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(Upper(c));
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string_view ReportsFromName(ReportsFrom from) {
  switch (from) {
    case ReportsFrom::kReporters: return "reporters";
    case ReportsFrom::kMembers: return "members";
    case ReportsFrom::kAnyone: return "anyone";
  }
  return "reporters";
}

Result<ReportsFrom> ParseReportsFrom(std::string_view text, std::string_view field) {
  for (auto from : {ReportsFrom::kReporters, ReportsFrom::kMembers, ReportsFrom::kAnyone}) {
    if (text == ReportsFromName(from)) return from;
  }
  return Error::Invalid(std::string(field), "must be \"reporters\", \"members\" or \"anyone\"");
}

Status CheckReportSettings(const ReportSettings& s) {
  if (s.max_per_hour_per_number < 1 || s.max_per_hour_per_number > kMaxReportsPerHour) {
    return Error::Invalid("reports.max_per_hour_per_number",
                          "must be a whole number from 1 to " + std::to_string(kMaxReportsPerHour));
  }
  if (s.merge_window_ms < 1000 || s.merge_window_ms > kMaxDurationMs) {
    return Error::Invalid("reports.merge_window", "must be a duration from 1s to 48h, e.g. \"30m\"");
  }
  return Ok{};
}

std::string_view ReportStatusName(ReportStatus status) {
  switch (status) {
    case ReportStatus::kAwaitingArea: return "awaiting_area";
    case ReportStatus::kPending: return "pending";
    case ReportStatus::kConfirmed: return "confirmed";
    case ReportStatus::kDismissed: return "dismissed";
    case ReportStatus::kMerged: return "merged";
  }
  return "pending";
}

Result<ReportStatus> ParseReportStatus(std::string_view text, std::string_view field) {
  for (auto s : {ReportStatus::kAwaitingArea, ReportStatus::kPending, ReportStatus::kConfirmed, ReportStatus::kDismissed,
                 ReportStatus::kMerged}) {
    if (text == ReportStatusName(s)) return s;
  }
  return Error::Invalid(std::string(field), "must be awaiting_area, pending, confirmed, dismissed or merged");
}

std::string ReportCodeFromBytes(const std::array<std::uint8_t, kReportCodeLength - 1>& bytes) {
  std::string code = "R";
  for (auto b : bytes) code.push_back(kAlertCodeAlphabet[b % kAlertCodeAlphabet.size()]);
  return code;
}

std::string NewReportCode() {
  std::string code = "R";
  for (std::size_t i = 1; i < kReportCodeLength; ++i) {
    code += kAlertCodeAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlertCodeAlphabet.size()))];
  }
  return code;
}

bool LooksLikeReportCode(std::string_view word) {
  if (word.size() != kReportCodeLength || Upper(word[0]) != 'R') return false;
  for (std::size_t i = 1; i < word.size(); ++i) {
    if (kAlertCodeAlphabet.find(Upper(word[i])) == std::string_view::npos) return false;
  }
  return true;
}

Result<ReportFields> CanonicalReportFields(ReportFields f) {
  if (auto s = CheckAlertKind(f.kind, "kind"); !s.ok()) return s.error();
  if (f.areas.empty()) return Error::Invalid("areas", "name at least one area");
  auto areas = CanonicalList(f.areas, "areas", &CheckAreaName);
  if (!areas.ok()) return areas.error();
  f.areas = areas.value();
  if (auto s = CheckText(f.location, "location", 200); !s.ok()) return s.error();
  if (!f.details.empty()) {
    if (auto s = CheckText(f.details, "details", 500); !s.ok()) return s.error();
  }
  return f;
}

std::vector<std::string> PostcodePlaces(std::string_view text) {
  // Split into words of letters and digits, remembering what separates them.
  std::vector<std::string> words;
  std::vector<bool> space_before;  // only a space between this word and the previous
  std::size_t i = 0;
  bool only_space = false;
  while (i < text.size()) {
    if (!IsAlnum(text[i])) {
      only_space = only_space && text[i] == ' ';
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < text.size() && IsAlnum(text[i])) ++i;
    words.push_back(Canonical(text.substr(start, i - start)));
    space_before.push_back(only_space);
    only_space = true;
  }
  std::vector<std::string> places;
  for (std::size_t w = 0; w < words.size(); ++w) {
    if (!IsOutwardCode(words[w])) continue;
    // A sector follows as a digit, alone ("E8 4") or starting an inward code ("SE15 3AB").
    if (w + 1 < words.size() && space_before[w + 1]) {
      const auto& next = words[w + 1];
      bool sector = (next.size() == 1 && IsDigit(next[0])) ||
                    (next.size() == 3 && IsDigit(next[0]) && IsAlpha(next[1]) && IsAlpha(next[2]));
      if (sector) places.push_back(words[w] + " " + next.substr(0, 1));
    }
    places.push_back(words[w]);
  }
  return places;
}

std::optional<std::string> MatchReportArea(std::string_view text, const std::vector<std::string>& areas) {
  for (const auto& place : PostcodePlaces(text)) {
    for (const auto& area : areas) {
      if (Canonical(area) == place) return area;
    }
  }
  return std::nullopt;
}

}  // namespace tocsin
