#include "dispatch/util/phone.h"

#include <array>
#include <cctype>
#include <cstddef>

namespace tocsin {
namespace {

constexpr std::size_t kMinE164Digits = 8;
constexpr std::size_t kMaxE164Digits = 15;
constexpr std::string_view kUkCallingCode = "44";
constexpr std::size_t kMinUkNationalDigits = 9;
constexpr std::size_t kMaxUkNationalDigits = 10;

// What a leading '0' means when a number is written in national form.
enum class TrunkZero {
  kDropped,  // a trunk prefix, dropped in international form (GB 07700... -> +44 7700...)
  kKept,     // part of the number itself (IT 06... -> +39 06...)
  kNone,     // national numbers never start with '0' (NANP): the national form is rejected
};

struct Country {
  std::string_view iso;           // ISO 3166-1 alpha-2, upper case
  std::string_view calling_code;  // digits, no '+'
  TrunkZero trunk_zero;
};

constexpr std::array<Country, 30> kCountries = {{
    {"GB", "44", TrunkZero::kDropped}, {"IE", "353", TrunkZero::kDropped},
    {"FR", "33", TrunkZero::kDropped}, {"DE", "49", TrunkZero::kDropped},
    {"ES", "34", TrunkZero::kNone},    {"IT", "39", TrunkZero::kKept},
    {"NL", "31", TrunkZero::kDropped}, {"BE", "32", TrunkZero::kDropped},
    {"PT", "351", TrunkZero::kNone},   {"PL", "48", TrunkZero::kNone},
    {"US", "1", TrunkZero::kNone},     {"CA", "1", TrunkZero::kNone},
    {"AT", "43", TrunkZero::kDropped}, {"CH", "41", TrunkZero::kDropped},
    {"DK", "45", TrunkZero::kNone},    {"SE", "46", TrunkZero::kDropped},
    {"NO", "47", TrunkZero::kNone},    {"FI", "358", TrunkZero::kDropped},
    {"LU", "352", TrunkZero::kNone},   {"GR", "30", TrunkZero::kNone},
    {"CZ", "420", TrunkZero::kNone},   {"SK", "421", TrunkZero::kDropped},
    {"HU", "36", TrunkZero::kNone},    {"RO", "40", TrunkZero::kDropped},
    {"IS", "354", TrunkZero::kNone},   {"AU", "61", TrunkZero::kDropped},
    {"NZ", "64", TrunkZero::kDropped}, {"ZA", "27", TrunkZero::kDropped},
    {"IN", "91", TrunkZero::kDropped}, {"JP", "81", TrunkZero::kDropped},
}};

const Country* FindCountry(std::string_view iso) {
  if (iso.size() != 2) return nullptr;
  const char upper[2] = {static_cast<char>(std::toupper(static_cast<unsigned char>(iso[0]))),
                         static_cast<char>(std::toupper(static_cast<unsigned char>(iso[1])))};
  for (const Country& country : kCountries) {
    if (country.iso == std::string_view(upper, 2)) return &country;
  }
  return nullptr;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Error messages never repeat the input: it is a phone number.
Error Invalid(std::string_view field, std::string_view what) {
  return Error::Invalid(std::string(field), std::string(what));
}

}  // namespace

std::optional<std::string> CallingCode(std::string_view country) {
  const Country* found = FindCountry(country);
  if (found == nullptr) return std::nullopt;
  return std::string(found->calling_code);
}

bool IsE164(std::string_view s) {
  if (s.size() < 1 + kMinE164Digits || s.size() > 1 + kMaxE164Digits) return false;
  if (s[0] != '+' || s[1] == '0') return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

Result<std::string> NormalisePhone(std::string_view input, std::string_view country,
                                   std::string_view field) {
  std::string_view text = Trim(input);
  if (text.empty()) return Invalid(field, "phone number is empty");

  const bool plus = text.front() == '+';
  if (plus) text.remove_prefix(1);

  // Collect the digits; separators are dropped, parentheses must pair up and not nest. A "(0)"
  // group is remembered: after a country code it is the UK-style trunk prefix and is dropped.
  std::string digits;
  digits.reserve(text.size());
  std::size_t trunk_group_at = std::string::npos;  // index in `digits` of a "(0)" digit
  bool in_parens = false;
  std::size_t group_start = 0;
  for (char c : text) {
    if (IsDigit(c)) {
      digits.push_back(c);
    } else if (c == '(') {
      if (in_parens) return Invalid(field, "phone number has nested parentheses");
      in_parens = true;
      group_start = digits.size();
    } else if (c == ')') {
      if (!in_parens) return Invalid(field, "phone number has unbalanced parentheses");
      in_parens = false;
      if (digits.size() == group_start + 1 && digits.back() == '0' &&
          trunk_group_at == std::string::npos) {
        trunk_group_at = group_start;
      }
    } else if (c == '+') {
      return Invalid(field, "'+' may only start a phone number");
    } else if (!IsSpace(c) && c != '.' && c != '-') {
      return Invalid(field,
                     "phone number may contain only digits, spaces, dots, hyphens, parentheses "
                     "and a leading '+'");
    }
  }
  if (in_parens) return Invalid(field, "phone number has unbalanced parentheses");
  if (digits.empty()) return Invalid(field, "phone number has no digits");

  std::string e164;  // digits only, without the '+'
  if (plus || digits.starts_with("00")) {
    const std::size_t prefix = plus ? 0 : 2;
    // "(0)" is a trunk prefix only straight after a country code (1 to 3 digits).
    constexpr std::size_t kMaxCallingCodeDigits = 3;
    if (trunk_group_at != std::string::npos && trunk_group_at > prefix &&
        trunk_group_at - prefix <= kMaxCallingCodeDigits) {
      digits.erase(trunk_group_at, 1);
    }
    e164 = digits.substr(prefix);
  } else if (digits.front() == '0') {
    const Country* found = FindCountry(country);
    if (found == nullptr) {
      return Invalid(field,
                     "phone number in national form needs a known country; write it with '+' and "
                     "the country code");
    }
    if (found->trunk_zero == TrunkZero::kNone) {
      return Invalid(field, "phone number cannot start with '0' in national form for " +
                                std::string(found->iso) +
                                "; write it with '+' and the country code");
    }
    const std::size_t drop = found->trunk_zero == TrunkZero::kDropped ? 1 : 0;
    e164 = std::string(found->calling_code) + digits.substr(drop);
  } else {
    return Invalid(field,
                   "phone number must start with '+' or '00' and the country code, or with '0' "
                   "in national form");
  }

  if (e164.empty() || e164.front() == '0') {
    return Invalid(field, "country code cannot start with '0'");
  }
  if (e164.size() < kMinE164Digits) return Invalid(field, "phone number is too short");
  if (e164.size() > kMaxE164Digits) return Invalid(field, "phone number is too long");
  if (e164.starts_with(kUkCallingCode)) {
    const std::string_view national = std::string_view(e164).substr(kUkCallingCode.size());
    if (national.front() == '0') {
      return Invalid(field, "UK number has a '0' after +44; drop it or write it as (0)");
    }
    if (national.size() < kMinUkNationalDigits) {
      return Invalid(field, "UK phone number is too short");
    }
    if (national.size() > kMaxUkNationalDigits) {
      return Invalid(field, "UK phone number is too long");
    }
  }
  return "+" + e164;
}

std::string RedactPhone(std::string_view e164) {
  if (!IsE164(e164)) return "***";
  constexpr std::size_t kShownHead = 2;  // digits after '+': usually (part of) the country code
  constexpr std::size_t kShownTail = 4;
  const std::string_view digits = e164.substr(1);
  std::string out = "+";
  out += digits.substr(0, kShownHead);
  out.append(digits.size() - kShownHead - kShownTail, '*');
  out += digits.substr(digits.size() - kShownTail);
  return out;
}

std::string RedactPhonesIn(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t end = i + 1;
    while (text[i] == '+' && end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    const std::string_view run = text.substr(i, end - i);
    out += IsE164(run) ? RedactPhone(run) : std::string(run);
    i = end;
  }
  return out;
}

}  // namespace tocsin
