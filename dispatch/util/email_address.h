// Email addresses: what Tocsin accepts as an address it sends to (or from), and how one may
// appear in a log.
//
// An organisation's caseworker address is personal data, like a member's phone: it is sealed at
// rest, never logged whole (RedactEmail) and never quoted in an error message.
//
// Accepted: a plain RFC 5321 "Mailbox" without quoting, in ASCII: local part and domain of
// letters, digits and the atext symbols (!#$%&'*+/=?^_`{|}~-), dots only between other
// characters; the domain of at least two labels of letters, digits and inner hyphens; at most
// 64 characters before the '@' and 254 in all. No display names, no comments, no quoted local
// parts, no address literals ([192.0.2.1]), no internationalised (SMTPUTF8) addresses: what
// every relay takes, and nothing that could smuggle a CR, LF, '<' or '>' into a header or an
// SMTP command.
#pragma once

#include <string>
#include <string_view>

namespace tocsin {

bool IsEmailAddress(std::string_view address);

// For logs: "c***@e***.org" (the first character of the local part and of the domain, and the
// top-level domain), never the whole address; "***" for anything that is not an address.
std::string RedactEmail(std::string_view address);

}  // namespace tocsin
