// MIME encodings for a plain-text email in any language (RFC 2045 quoted-printable, RFC 2047
// encoded-words), so that the message stays 7-bit: it passes every relay whether or not it
// offers 8BITMIME (libcurl never declares BODY=8BITMIME), and no line exceeds 76 characters.
//
// Every output uses CRLF line ends and contains no bare CR or LF: callers build headers from it
// without any chance of a value starting a header of its own.
//
// Pure functions of their input; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tocsin {

// `text` (UTF-8, lines ended by "\n", "\r\n" or "\r") as a quoted-printable body: lines end in
// CRLF; '=', control characters other than tab, every byte above 0x7E, a space or tab at the
// end of a line and a '.' at the start of one are encoded as =XX; lines longer than 76
// characters are broken with soft line breaks ("=" CRLF), never inside an =XX.
std::string QuotedPrintable(std::string_view text);

// An unstructured header value (Subject), `used` characters of its line already taken by
// "Name: ". Printable ASCII is kept as written, folded before a space when a line would pass
// 78 characters; anything else becomes RFC 2047 B encoded-words ("=?UTF-8?B?...?="), each at
// most 75 characters and never splitting a UTF-8 sequence, folded one per line. `text` must
// hold no CR, LF or other control character (the caller refuses those).
std::string EncodeHeaderText(std::string_view text, std::size_t used);

// A display name (From: "name" <address>): kept as is when it is letters, digits, spaces and
// RFC 5322 atext symbols; a quoted string when it is other printable ASCII; encoded-words
// otherwise. Same precondition as EncodeHeaderText.
std::string EncodeDisplayName(std::string_view name, std::size_t used);

}  // namespace tocsin
