// An alert email as sent on the wire: an RFC 5322 message, plain text only.
//
// BuildEmail turns a rendered subject and body (email_text.h) and an envelope into the bytes
// libcurl uploads after DATA: CRLF line ends, headers From, To, Subject, Date, Message-ID,
// MIME-Version, Content-Type: text/plain; charset=UTF-8, Content-Transfer-Encoding:
// quoted-printable, Content-Language when known, and Auto-Submitted: auto-generated (so
// auto-responders stay quiet). No HTML, no images, no tracking of any kind.
//
// Why quoted-printable and not 8bit: 8bit is only allowed when the relay offers 8BITMIME and the
// client declares BODY=8BITMIME, which libcurl never does; quoted-printable keeps the message
// 7-bit and its lines short on every relay, and English and French stay readable in the raw
// text. (Arabic and Farsi grow about threefold; alert emails are a few kilobytes.)
//
// Invariants of a message BuildEmail returns:
//   1. No header can be injected: a subject, display name or language holding CR, LF or any
//      other control character, or an address that is not IsEmailAddress(), is refused
//      (Error::Invalid naming the field; the message never quotes an address).
//   2. Every line ends in CRLF and is at most 78 characters (headers folded, body
//      quoted-printable), whatever the language.
//   3. The subject and display name are RFC 2047 encoded-words when they are not ASCII.
//
// Pure; safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "dispatch/util/result.h"

namespace tocsin {

struct EmailMessage {
  std::string from;       // sender address (email.from)
  std::string from_name;  // display name, UTF-8, may be empty
  std::string to;         // recipient address
  std::string subject;    // one line, UTF-8
  std::string body;       // plain text, UTF-8, lines ended by "\n" (or "\r\n")
  std::string language;   // Content-Language ("fr"), or empty for none
  std::chrono::system_clock::time_point date;
  std::string message_id;  // MakeMessageId(...): "<...@...>"
};

// Largest body BuildEmail accepts, in bytes before encoding.
inline constexpr std::size_t kMaxEmailBodyBytes = 256 * 1024;

// The message's bytes, or Error::Invalid naming the field at fault ("from", "to", "subject",
// "from_name", "language", "body", "message_id"), or kTooLarge for a body over the bound.
Result<std::string> BuildEmail(const EmailMessage& message);

// "<unique@domain>": `unique` (letters, digits, '.', '-', '_'; the caller makes it unique, e.g.
// the delivery id and random hex) at the domain of `from` (our own domain, never the
// recipient's). Empty when `unique` is empty or holds anything else, or `from` has no domain.
std::string MakeMessageId(std::string_view unique, std::string_view from);

// RFC 5322 date-time in UTC: "Tue, 02 Jan 2024 15:04:05 +0000".
std::string FormatEmailDate(std::chrono::system_clock::time_point t);

}  // namespace tocsin
