#include "dispatch/message/mime_encoding.h"

#include <cstring>

#include "dispatch/util/crypto.h"

namespace tocsin {
namespace {

constexpr std::size_t kQpLine = 76;       // RFC 2045: encoded lines at most 76 characters
constexpr std::size_t kHeaderLine = 78;   // RFC 5322: lines SHOULD stay within 78
constexpr std::size_t kEncodedWord = 75;  // RFC 2047: an encoded-word at most 75 characters
constexpr std::string_view kWordOpen = "=?UTF-8?B?";
constexpr std::string_view kWordClose = "?=";
constexpr char kHex[] = "0123456789ABCDEF";

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

bool IsAtextOrSpace(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
         (c != '\0' && std::strchr("!#$%&'*+/=?^_`{|}~-", c) != nullptr);
}

// Length of the UTF-8 sequence a lead byte starts (1 for anything that is not a lead byte, so
// invalid input still advances).
std::size_t SequenceLength(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF7) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Encoded-words for all of `text`, folded; the first word fits what is left of the first line.
std::string EncodedWords(std::string_view text, std::size_t used) {
  std::string out;
  // Bytes per word: base64 of n bytes is 4 * ceil(n / 3) characters.
  auto capacity = [](std::size_t line_left) -> std::size_t {
    const std::size_t room = line_left > kEncodedWord ? kEncodedWord : line_left;
    const std::size_t overhead = kWordOpen.size() + kWordClose.size();
    return room <= overhead + 4 ? 3 : (room - overhead) / 4 * 3;
  };
  std::size_t bytes = capacity(kQpLine > used ? kQpLine - used : 0);
  while (!text.empty()) {
    std::size_t take = 0;
    while (take < text.size()) {
      const std::size_t next = take + SequenceLength(static_cast<unsigned char>(text[take]));
      if (next > bytes && take > 0) break;
      take = next > text.size() ? text.size() : next;
    }
    if (!out.empty()) out += "\r\n ";
    out += kWordOpen;
    out += Base64Encode(text.substr(0, take));
    out += kWordClose;
    text.remove_prefix(take);
    bytes = capacity(kQpLine - 1);  // continuation lines start with one space
  }
  return out;
}

// Printable ASCII, folded before a space wherever a line would pass kHeaderLine.
std::string FoldAscii(std::string_view text, std::size_t used) {
  std::string out;
  std::size_t line = used;
  while (!text.empty()) {
    // The next word with the space before it (the first may have none).
    std::size_t end = text.find(' ', 1);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(0, end);
    if (line + word.size() > kHeaderLine && word.front() == ' ' && line > 1) {
      out += "\r\n";
      line = 0;
    }
    out += word;
    line += word.size();
    text.remove_prefix(end);
  }
  return out;
}

void AppendEscaped(std::string& out, unsigned char c) {
  out += '=';
  out += kHex[c >> 4];
  out += kHex[c & 0x0F];
}

}  // namespace

std::string QuotedPrintable(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 2 + 16);
  std::size_t line = 0;  // characters on the current output line
  // Breaks the line softly if `n` more characters would not fit (keeping room for the '=').
  auto room_for = [&](std::size_t n) {
    if (line + n > kQpLine - 1) {
      out += "=\r\n";
      line = 0;
    }
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
      line = 0;
      continue;
    }
    const bool at_line_end = i + 1 == text.size() || text[i + 1] == '\r' || text[i + 1] == '\n';
    const bool encode = c == '=' || c > 0x7E || (c < 0x20 && c != '\t') ||
                        ((c == ' ' || c == '\t') && at_line_end) || (c == '.' && line == 0);
    if (encode) {
      room_for(3);
      AppendEscaped(out, c);
      line += 3;
    } else {
      // The last character of a line may use the 76th column: no soft break follows it.
      if (!(at_line_end && line + 1 <= kQpLine)) room_for(1);
      if (c == '.' && line == 0) {  // a soft break just put it at a line's start
        AppendEscaped(out, c);
        line += 3;
        continue;
      }
      out += static_cast<char>(c);
      ++line;
    }
  }
  return out;
}

std::string EncodeHeaderText(std::string_view text, std::size_t used) {
  if (IsPrintableAscii(text)) return FoldAscii(text, used);
  return EncodedWords(text, used);
}

std::string EncodeDisplayName(std::string_view name, std::size_t used) {
  bool atext = true;
  for (char c : name) atext = atext && IsAtextOrSpace(c);
  if (atext) return std::string(name);
  if (IsPrintableAscii(name)) {
    std::string out = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
    return out;
  }
  return EncodedWords(name, used);
}

}  // namespace tocsin
