#include "dispatch/util/email_address.h"

#include <cstring>

namespace tocsin {
namespace {

constexpr std::size_t kMaxLocal = 64;
constexpr std::size_t kMaxAddress = 254;

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsAtext(char c) {
  return IsAlnum(c) || (c != '\0' && std::strchr("!#$%&'*+/=?^_`{|}~-", c) != nullptr);
}

// Dot-atom: atext runs separated by single dots.
bool IsDotAtom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!IsAtext(s[i])) {
      return false;
    }
  }
  return true;
}

bool IsLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  for (char c : label) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

bool IsDomain(std::string_view domain) {
  std::size_t labels = 0;
  while (true) {
    const std::size_t dot = domain.find('.');
    if (!IsLabel(domain.substr(0, dot))) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  return labels >= 2;
}

}  // namespace

bool IsEmailAddress(std::string_view address) {
  if (address.size() > kMaxAddress) return false;
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > kMaxLocal) return false;
  return IsDotAtom(address.substr(0, at)) && IsDomain(address.substr(at + 1));
}

std::string RedactEmail(std::string_view address) {
  if (!IsEmailAddress(address)) return "***";
  const std::size_t at = address.rfind('@');
  const std::string_view domain = address.substr(at + 1);
  std::string out;
  out += address.front();
  out += "***@";
  out += domain.front();
  out += "***";
  out += domain.substr(domain.rfind('.'));
  return out;
}

}  // namespace tocsin
