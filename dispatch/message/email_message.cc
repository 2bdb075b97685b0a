#include "dispatch/message/email_message.h"

#include <cstdio>
#include <ctime>

#include "dispatch/message/mime_encoding.h"
#include "dispatch/util/email_address.h"
#include "dispatch/util/utf8.h"

namespace tocsin {
namespace {

// One line of text: valid UTF-8 and no control character (CR and LF above all).
bool IsOneLine(std::string_view s) {
  if (!IsValidUtf8(s)) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return false;
  }
  return true;
}

bool IsLanguageTag(std::string_view s) {
  if (s.empty() || s.size() > 35) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsMessageIdPart(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool IsMessageId(std::string_view id) {
  if (id.size() < 5 || id.front() != '<' || id.back() != '>') return false;
  const std::string_view inner = id.substr(1, id.size() - 2);
  const std::size_t at = inner.find('@');
  return at != std::string_view::npos && IsMessageIdPart(inner.substr(0, at)) &&
         IsMessageIdPart(inner.substr(at + 1));
}

void Header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

Result<std::string> BuildEmail(const EmailMessage& m) {
  if (!IsEmailAddress(m.from)) return Error::Invalid("from", "the sender is not an email address");
  if (!IsEmailAddress(m.to)) return Error::Invalid("to", "the recipient is not an email address");
  if (!IsOneLine(m.subject) || m.subject.empty()) {
    return Error::Invalid("subject", "the subject must be one non-empty line of UTF-8 text");
  }
  if (!IsOneLine(m.from_name)) {
    return Error::Invalid("from_name", "the sender's name must be one line of UTF-8 text");
  }
  if (!m.language.empty() && !IsLanguageTag(m.language)) {
    return Error::Invalid("language", "the language must be a language tag such as \"fr\"");
  }
  if (!IsMessageId(m.message_id)) {
    return Error::Invalid("message_id", "the message id must look like <unique@domain>");
  }
  if (m.body.size() > kMaxEmailBodyBytes) {
    return Error{ErrorCode::kTooLarge,
                 "the body is larger than " + std::to_string(kMaxEmailBodyBytes) + " bytes",
                 "body"};
  }
  if (!IsValidUtf8(m.body) || m.body.find('\0') != std::string::npos) {
    return Error::Invalid("body", "the body must be UTF-8 text");
  }

  std::string out;
  out.reserve(m.body.size() * 2 + 512);
  std::string from = m.from_name.empty()
                         ? std::string()
                         : EncodeDisplayName(m.from_name, sizeof("From: ") - 1) + " ";
  from += "<" + m.from + ">";
  Header(out, "From", from);
  Header(out, "To", m.to);
  Header(out, "Subject", EncodeHeaderText(m.subject, sizeof("Subject: ") - 1));
  Header(out, "Date", FormatEmailDate(m.date));
  Header(out, "Message-ID", m.message_id);
  Header(out, "MIME-Version", "1.0");
  Header(out, "Content-Type", "text/plain; charset=UTF-8");
  Header(out, "Content-Transfer-Encoding", "quoted-printable");
  if (!m.language.empty()) Header(out, "Content-Language", m.language);
  Header(out, "Auto-Submitted", "auto-generated");
  out += "\r\n";
  out += QuotedPrintable(m.body);
  if (!out.ends_with("\r\n")) out += "\r\n";
  return out;
}

std::string MakeMessageId(std::string_view unique, std::string_view from) {
  const std::size_t at = from.rfind('@');
  if (at == std::string_view::npos || !IsMessageIdPart(unique)) return {};
  const std::string_view domain = from.substr(at + 1);
  if (!IsMessageIdPart(domain)) return {};
  return "<" + std::string(unique) + "@" + std::string(domain) + ">";
}

std::string FormatEmailDate(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  // Day and month names from tables, not strftime: the C locale must not matter.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

}  // namespace tocsin
