// Field rules shared by the API, the CSV import and the CLI: one place decides what a valid
// slug, language, area, role, channel or status is. Each check returns Error::Invalid naming
// `field` with a message a coordinator can act on.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dispatch/util/result.h"
#include "dispatch/util/utf8.h"  // IsValidUtf8

namespace tocsin {

inline constexpr std::size_t kMaxNameLength = 200;
inline constexpr std::size_t kMaxListItems = 50;

// Lowercase letters, digits and '-', 2..63 chars, starting with a letter or digit.
Status CheckSlug(std::string_view slug, std::string_view field = "slug");
// A BCP 47-like tag: 2-3 lowercase letters, optionally '-' and 2-8 letters/digits ("en", "fa", "pt-BR").
Status CheckLanguage(std::string_view language, std::string_view field = "language");
// Area names: 1..64 chars of letters, digits, space, '-', '_', '.'; trimmed by the caller.
Status CheckAreaName(std::string_view name, std::string_view field = "areas");
// Names/labels: 1..200 bytes of valid UTF-8 without control characters.
Status CheckText(std::string_view text, std::string_view field, std::size_t max_bytes = kMaxNameLength);
// An ISO 3166-1 alpha-2 code whose calling code we know.
Status CheckCountry(std::string_view country, std::string_view field = "country");

// An RFC 3339 time such as 2026-11-23T06:40:00Z (optional fraction; Z or an offset), with every
// part in range, so PostgreSQL accepts whatever passes.
Status CheckTime(std::string_view text, std::string_view field);

// Member roles: responder, verifier, reporter, caller, coordinator.
Status CheckMemberRole(std::string_view role, std::string_view field = "roles");
// Member channels: sms, voice.
Status CheckChannel(std::string_view channel, std::string_view field = "channels");
// Member status: active, paused, opted_out.
Status CheckMemberStatus(std::string_view status, std::string_view field = "status");
// API token roles: admin, coordinator, viewer, integration.
Status CheckTokenRole(std::string_view role, std::string_view field = "role");

// Applies `check` to every item, rejects more than kMaxListItems, and returns the list sorted
// with duplicates removed (so stored lists are canonical).
Result<std::vector<std::string>> CanonicalList(
    std::vector<std::string> items, std::string_view field,
    Status (*check)(std::string_view, std::string_view));

}  // namespace tocsin
