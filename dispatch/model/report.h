// Reports from the street (issue 12): a network's report settings, a report's kind, status and
// code, and where a report is (a UK postcode district in its text, matched against the
// network's areas). Pure: the stores load and keep reports; the engine runs intake and
// verification.
//
// Invariants:
//  1. A report code is "R" followed by kReportCodeLength - 1 characters of kAlertCodeAlphabet
//     (no look-alikes). An alert code may also begin with "R": a reply naming a code is looked
//     up among the network's open reports and its open alerts alike.
//  2. Settings built by ParseReportSettings pass CheckReportSettings.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/util/result.h"

namespace tocsin {

// Who may report by SMS: members holding the `reporter` role, any active member, or any caller.
enum class ReportsFrom { kReporters, kMembers, kAnyone };

// A network's report settings ("reports" of PATCH/GET /v1/networks/{slug}); the defaults are
// the issue's.
struct ReportSettings {
  ReportsFrom from = ReportsFrom::kReporters;
  bool public_check = false;             // CHECK answers non-members too
  int max_per_hour_per_number = 3;       // reports a non-member's number may make in an hour
  std::int64_t merge_window_ms = 30LL * 60 * 1000;  // reports this close merge

  friend bool operator==(const ReportSettings&, const ReportSettings&) = default;
};

inline constexpr int kMaxReportsPerHour = 1000;

std::string_view ReportsFromName(ReportsFrom from);  // "reporters", "members", "anyone"
// Errors name `field`.
Result<ReportsFrom> ParseReportsFrom(std::string_view text, std::string_view field);

// max_per_hour_per_number in 1..kMaxReportsPerHour, merge_window_ms in 1 s..48 h; errors name
// "reports.max_per_hour_per_number" / "reports.merge_window".
Status CheckReportSettings(const ReportSettings& s);

// kAwaitingArea: received by SMS with no area we could tell; the reporter was asked which.
enum class ReportStatus { kAwaitingArea, kPending, kConfirmed, kDismissed, kMerged };
std::string_view ReportStatusName(ReportStatus status);  // "awaiting_area", "pending", ...
// Errors name `field`.
Result<ReportStatus> ParseReportStatus(std::string_view text, std::string_view field);

// "R" + 3 characters: 23^3 = 12,167 codes, enough for the reports open in one network at once
// (the store retries on a clash with an open report).
inline constexpr std::size_t kReportCodeLength = 4;
// The code drawn from three random bytes (each picks one character).
std::string ReportCodeFromBytes(const std::array<std::uint8_t, kReportCodeLength - 1>& bytes);
// A fresh random code (libsodium's uniform draw).
std::string NewReportCode();
// Whether `word` (any case) has the form of a report code.
bool LooksLikeReportCode(std::string_view word);

// What a report says, as the API (POST .../reports) and partners' webhooks give it.
struct ReportFields {
  std::string kind = "raid";
  std::vector<std::string> areas;
  std::string location;
  std::string details;
};

// Checks and canonicalises `f`: kind one of the alert kinds, at least one area (names checked,
// sorted, unique), location required (at most 200 bytes), details at most 500 bytes. Errors
// name the field.
Result<ReportFields> CanonicalReportFields(ReportFields f);

// The UK postcode places named in `text`, most precise first, upper case, in the order they
// appear: for each outward code ("SE15", "E8", "W1A", "EC1A") followed by a sector digit
// ("E8 4", "SE15 3AB"), the sector ("E8 4") and then the district ("E8"); else the district.
// Words are delimited by anything that is not a letter or digit.
std::vector<std::string> PostcodePlaces(std::string_view text);

// The first of PostcodePlaces(text) that is one of `areas` (compared without case and with
// runs of spaces as one), as the network spells it; nullopt when none is.
std::optional<std::string> MatchReportArea(std::string_view text, const std::vector<std::string>& areas);

}  // namespace tocsin
