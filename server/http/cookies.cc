#include "server/http/cookies.h"

#include <algorithm>
#include <cctype>

namespace tocsin::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The host of a Host header value without its port ("[::1]:8080" -> "[::1]").
std::string_view HostName(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool IsLoopbackHost(std::string_view host) {
  auto name = Lower(HostName(host));
  return name == "localhost" || name == "[::1]" || name.rfind("127.", 0) == 0;
}

}  // namespace

std::optional<std::string> CookieValue(const Request& req, std::string_view name) {
  for (const auto& f : req) {
    if (f.name() != bhttp::field::cookie) continue;
    std::string_view rest = f.value();
    while (!rest.empty()) {
      auto semi = rest.find(';');
      auto pair = Trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      auto eq = pair.find('=');
      if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
      auto value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return std::nullopt;
}

std::string SessionCookie(std::string_view name, std::string_view value, long max_age_seconds,
                          bool secure) {
  std::string out(name);
  out += "=";
  out += value;
  out += "; Path=/; Max-Age=" + std::to_string(max_age_seconds) + "; HttpOnly; SameSite=Strict";
  if (secure) out += "; Secure";
  return out;
}

std::string OriginOf(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto scheme = Lower(url.substr(0, scheme_end));
  auto rest = url.substr(scheme_end + 3);
  auto authority = Lower(rest.substr(0, rest.find_first_of("/?#")));
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  std::string_view default_port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  if (!default_port.empty() && authority.ends_with(default_port)) {
    authority.erase(authority.size() - default_port.size());  // "host:443" -> "host"
  }
  return scheme + "://" + authority;
}

bool FromOwnOrigin(const Request& req, std::string_view public_url) {
  auto it = req.find(bhttp::field::origin);
  if (it == req.end()) return false;
  auto origin = Lower(Trim(it->value()));
  if (origin == OriginOf(public_url)) return true;
  auto host = Trim(req[bhttp::field::host]);
  return !host.empty() && IsLoopbackHost(host) && origin == "http://" + Lower(host);
}

}  // namespace tocsin::http
