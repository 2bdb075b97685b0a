#include "dispatch/net/http_response_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "dispatch/net/http_text.h"

namespace tocsin {
namespace {

using Result = ParsedResponse::Result;

bool HasToken(std::string_view list, std::string_view token) {  // "keep-alive, Upgrade" has "upgrade"
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (EqualsIgnoringCase(TrimHttpSpace(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

ParsedResponse Invalid(std::string error) {
  ParsedResponse p;
  p.result = Result::kInvalid;
  p.error = std::move(error);
  return p;
}

template <typename T>
std::optional<T> Number(std::string_view s, int base) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// The chunked body starting at `in[at]`: appends the data to `body`; returns the offset after the
// last chunk and its trailers, 0 if more is needed, npos if invalid.
std::size_t Dechunk(std::string_view in, std::size_t at, std::size_t max_body, std::string& body) {
  constexpr std::size_t kBad = std::string_view::npos;
  for (;;) {
    const std::size_t eol = in.find("\r\n", at);
    if (eol == std::string_view::npos) return in.size() - at > 1024 ? kBad : 0;
    std::string_view size_text = in.substr(at, eol - at);
    size_text = TrimHttpSpace(size_text.substr(0, size_text.find(';')));
    const auto size = Number<std::size_t>(size_text, 16);
    if (!size || body.size() + *size > max_body) return kBad;
    at = eol + 2;
    if (*size == 0) {  // trailers, then an empty line
      for (;;) {
        const std::size_t end = in.find("\r\n", at);
        if (end == std::string_view::npos) return 0;
        if (end == at) return end + 2;
        at = end + 2;
      }
    }
    if (in.size() < at + *size + 2) return 0;
    if (in.substr(at + *size, 2) != "\r\n") return kBad;
    body.append(in.substr(at, *size));
    at += *size + 2;
  }
}

}  // namespace

ParsedResponse ParseHttpResponse(std::string_view in, bool head_request, bool at_eof, std::size_t max_body) {
  const std::size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    return in.size() > kMaxHeadBytes ? Invalid("the answer's header is too long") : ParsedResponse{};
  }
  if (head_end + 4 > kMaxHeadBytes) return Invalid("the answer's header is too long");
  std::string_view head = in.substr(0, head_end + 2);

  // HTTP/1.x SSS reason
  const std::size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return Invalid("the answer's status line is not HTTP/1.x");
  }
  const auto status = Number<long>(status_line.substr(9, 3), 10);
  if (!status || *status < 100) return Invalid("the answer's status is not a number");

  ParsedResponse p;
  p.status = *status;
  bool close = status_line[7] == '0', chunked = false;  // HTTP/1.0 closes unless it says not
  std::optional<std::size_t> length;
  for (std::size_t at = line_end + 2; at < head.size();) {
    const std::size_t end = head.find("\r\n", at);
    const std::string_view line = head.substr(at, end - at);
    at = end + 2;
    const std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos || line.front() == ' ' || line.front() == '\t' ||
        line.substr(0, colon).find_first_of(" \t") != std::string_view::npos) {
      return Invalid("the answer has a malformed header field");
    }
    std::string name = AsciiLower(line.substr(0, colon));
    const std::string_view value = TrimHttpSpace(line.substr(colon + 1));
    if (name == "content-length") {
      const auto n = Number<std::size_t>(value, 10);
      if (!n || (length && *length != *n)) return Invalid("the answer's Content-Length is not valid");
      length = n;
    } else if (name == "transfer-encoding") {
      chunked = AsciiLower(TrimHttpSpace(value.substr(value.rfind(',') == std::string_view::npos ? 0 : value.rfind(',') + 1))) == "chunked";
      if (!chunked) return Invalid("the answer's transfer coding is not chunked");
    } else if (name == "connection") {
      if (HasToken(value, "close")) close = true;
      if (HasToken(value, "keep-alive")) close = false;
    }
    p.headers.emplace_back(std::move(name), std::string(value));
  }

  std::size_t at = head_end + 4;
  const bool bodiless = head_request || p.status < 200 || p.status == 204 || p.status == 304;
  if (bodiless) {
    // no body
  } else if (chunked) {
    const std::size_t end = Dechunk(in, at, max_body, p.body);
    if (end == std::string_view::npos) return Invalid("the answer's chunked body is not valid or too long");
    if (end == 0) return ParsedResponse{};
    at = end;
  } else if (length) {
    if (*length > max_body) return Invalid("the answer's body is too long");
    if (in.size() - at < *length) return ParsedResponse{};
    p.body.assign(in.substr(at, *length));
    at += *length;
  } else {  // the body ends when the server closes
    if (in.size() - at > max_body) return Invalid("the answer's body is too long");
    if (!at_eof) return ParsedResponse{};
    p.body.assign(in.substr(at));
    at = in.size();
    close = true;
  }
  p.result = Result::kComplete;
  p.consumed = at;
  p.keep_alive = !close;
  return p;
}

}  // namespace tocsin
