#include "dispatch/model/validation.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "dispatch/util/phone.h"
#include "dispatch/util/utf8.h"

namespace tocsin {
namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return IsLower(c) || (c >= 'A' && c <= 'Z'); }

template <std::size_t N>
Status OneOf(std::string_view value, const std::array<std::string_view, N>& allowed,
             std::string_view field, std::string_view what) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return Ok{};
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  return Error::Invalid(std::string(field), "unknown " + std::string(what) + " '" +
                                                std::string(value.substr(0, 40)) + "' (one of: " +
                                                list + ")");
}

// The number in s[at, at + n) when all of it is digits, else -1.
int Digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!IsDigit(s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

bool IsRfc3339(std::string_view s) {
  if (s.size() < 20 || s.size() > 35) return false;
  int year = Digits(s, 0, 4), month = Digits(s, 5, 2), day = Digits(s, 8, 2);
  int hour = Digits(s, 11, 2), minute = Digits(s, 14, 2), second = Digits(s, 17, 2);
  if (year < 1 || s[4] != '-' || month < 1 || month > 12 || s[7] != '-' || day < 1 ||
      day > DaysInMonth(year, month) || (s[10] != 'T' && s[10] != 't') || hour < 0 || hour > 23 ||
      s[13] != ':' || minute < 0 || minute > 59 || s[16] != ':' || second < 0 || second > 60) {
    return false;
  }
  std::size_t i = 19;
  if (s[i] == '.') {
    ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) return i + 1 == s.size();
  int offset_hours = Digits(s, i + 1, 2), offset_minutes = Digits(s, i + 4, 2);
  return i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && offset_hours >= 0 &&
         offset_hours <= 23 && s[i + 3] == ':' && offset_minutes >= 0 && offset_minutes <= 59;
}

}  // namespace

Status CheckTime(std::string_view text, std::string_view field) {
  if (IsRfc3339(text)) return Ok{};
  return Error::Invalid(std::string(field), "must be an RFC 3339 time such as 2026-11-23T06:40:00Z");
}

Status CheckSlug(std::string_view slug, std::string_view field) {
  bool ok = slug.size() >= 2 && slug.size() <= 63 && (IsLower(slug[0]) || IsDigit(slug[0])) &&
            std::all_of(slug.begin(), slug.end(),
                        [](char c) { return IsLower(c) || IsDigit(c) || c == '-'; });
  if (ok) return Ok{};
  return Error::Invalid(std::string(field),
                        "must be 2-63 lowercase letters, digits or '-', starting with a letter or digit");
}

Status CheckLanguage(std::string_view language, std::string_view field) {
  auto dash = language.find('-');
  auto primary = language.substr(0, dash);
  bool ok = primary.size() >= 2 && primary.size() <= 3 &&
            std::all_of(primary.begin(), primary.end(), IsLower);
  if (ok && dash != std::string_view::npos) {
    auto sub = language.substr(dash + 1);
    ok = sub.size() >= 2 && sub.size() <= 8 &&
         std::all_of(sub.begin(), sub.end(), [](char c) { return IsAlpha(c) || IsDigit(c); });
  }
  if (ok) return Ok{};
  return Error::Invalid(std::string(field),
                        "must be a language tag such as 'en', 'ar', 'fa' or 'pt-BR'");
}

Status CheckAreaName(std::string_view name, std::string_view field) {
  bool ok = !name.empty() && name.size() <= 64 && name.front() != ' ' && name.back() != ' ' &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return IsAlpha(c) || IsDigit(c) || c == ' ' || c == '-' || c == '_' || c == '.';
            });
  if (ok) return Ok{};
  return Error::Invalid(std::string(field),
                        "area names are 1-64 letters, digits, spaces, '-', '_' or '.'");
}

Status CheckText(std::string_view text, std::string_view field, std::size_t max_bytes) {
  if (text.empty() || text.size() > max_bytes) {
    return Error::Invalid(std::string(field),
                          "must be 1-" + std::to_string(max_bytes) + " bytes long");
  }
  if (!IsValidUtf8(text)) return Error::Invalid(std::string(field), "must be valid UTF-8");
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return Error::Invalid(std::string(field), "must not contain control characters");
  }
  return Ok{};
}

Status CheckCountry(std::string_view country, std::string_view field) {
  if (country.size() == 2 && CallingCode(country)) return Ok{};
  return Error::Invalid(std::string(field), "must be a supported ISO 3166 country code such as 'GB'");
}

Status CheckMemberRole(std::string_view role, std::string_view field) {
  static constexpr std::array<std::string_view, 5> kRoles = {"responder", "verifier", "reporter",
                                                             "caller", "coordinator"};
  return OneOf(role, kRoles, field, "role");
}

Status CheckChannel(std::string_view channel, std::string_view field) {
  static constexpr std::array<std::string_view, 2> kChannels = {"sms", "voice"};
  return OneOf(channel, kChannels, field, "channel");
}

Status CheckMemberStatus(std::string_view status, std::string_view field) {
  static constexpr std::array<std::string_view, 3> kStatuses = {"active", "paused", "opted_out"};
  return OneOf(status, kStatuses, field, "status");
}

Status CheckTokenRole(std::string_view role, std::string_view field) {
  static constexpr std::array<std::string_view, 5> kRoles = {"admin", "coordinator", "viewer",
                                                             "integration", "metrics"};
  return OneOf(role, kRoles, field, "token role");
}

Result<std::vector<std::string>> CanonicalList(
    std::vector<std::string> items, std::string_view field,
    Status (*check)(std::string_view, std::string_view)) {
  if (items.size() > kMaxListItems) {
    return Error::Invalid(std::string(field),
                          "at most " + std::to_string(kMaxListItems) + " items");
  }
  for (const auto& item : items) {
    auto s = check(item, field);
    if (!s.ok()) return s.error();
  }
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

}  // namespace tocsin
