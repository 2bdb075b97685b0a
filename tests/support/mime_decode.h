// Reading what BuildEmail writes, for tests: headers (unfolded, RFC 2047 encoded-words decoded)
// and quoted-printable bodies. An independent decoder, so a test checks the encoding against
// the standard rather than against itself. Header-only; test code only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/util/crypto.h"

namespace tocsin::test {

// The lines of `text` split at CRLF (a final CRLF ends the last line).
inline std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t end = text.find("\r\n");
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 2);
  }
  return out;
}

// The raw value of header `name` in a message (continuation lines included, with their CRLF),
// or empty. Only the header block is searched.
inline std::string HeaderOf(std::string_view message, std::string_view name) {
  const std::string_view headers = message.substr(0, message.find("\r\n\r\n") + 2);
  const std::string key = "\r\n" + std::string(name) + ": ";
  std::size_t at = ("\r\n" + std::string(headers)).find(key);
  if (at == std::string::npos) return {};
  std::size_t start = at + key.size() - 2;
  std::size_t end = start;
  for (;;) {
    end = headers.find("\r\n", end);
    if (end == std::string_view::npos || end + 2 >= headers.size() ||
        (headers[end + 2] != ' ' && headers[end + 2] != '\t')) {
      break;
    }
    end += 2;
  }
  return std::string(headers.substr(start, end - start));
}

// Unfolds a header value and decodes its =?UTF-8?B?...?= words (whitespace between two words
// is dropped, as RFC 2047 says).
inline std::string DecodeHeader(std::string_view value) {
  std::string unfolded;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value.substr(i, 2) == "\r\n") {
      ++i;
      continue;
    }
    unfolded += value[i];
  }
  std::string out;
  std::string_view rest = unfolded;
  bool last_was_word = false;
  while (!rest.empty()) {
    const std::size_t open = rest.find("=?UTF-8?B?");
    std::string_view before = rest.substr(0, open);
    const bool only_space = before.find_first_not_of(" \t") == std::string_view::npos;
    if (!(last_was_word && only_space && open != std::string_view::npos)) out += before;
    if (open == std::string_view::npos) break;
    rest.remove_prefix(open + 10);
    const std::size_t close = rest.find("?=");
    const auto decoded = Base64Decode(rest.substr(0, close));
    out += decoded ? *decoded : "<bad base64>";
    rest.remove_prefix(close == std::string_view::npos ? rest.size() : close + 2);
    last_was_word = true;
  }
  return out;
}

// Decodes a quoted-printable body: "=XX" escapes and "=" CRLF soft breaks.
inline std::string DecodeQuotedPrintable(std::string_view qp) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < qp.size(); ++i) {
    if (qp[i] != '=') {
      out += qp[i];
    } else if (qp.substr(i + 1, 2) == "\r\n") {
      i += 2;
    } else if (i + 2 < qp.size() && hex(qp[i + 1]) >= 0 && hex(qp[i + 2]) >= 0) {
      out += static_cast<char>(hex(qp[i + 1]) * 16 + hex(qp[i + 2]));
      i += 2;
    } else {
      out += "<bad escape>";
    }
  }
  return out;
}

}  // namespace tocsin::test
