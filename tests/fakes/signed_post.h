// What the fake Twilio does when it calls the application back (status callbacks, the voice
// URL, a <Gather> action): a form POST signed with X-Twilio-Signature, only to loopback.
//
// Only http URLs whose host is loopback (127.0.0.0/8, ::1, localhost, which must also resolve
// to loopback) are called; anything else is refused with Error::Invalid naming `field`. One
// connection per request, closed afterwards; the whole exchange has a 5 s deadline, after which
// (or on any connection failure) the result is Error::Unavailable. Test code only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "dispatch/channels/twilio_signature.h"
#include "dispatch/util/result.h"

namespace tocsin::fake {

struct LoopbackTarget {
  std::string host;         // for the resolver, without brackets
  std::string port;
  std::string host_header;  // as written in the URL
  std::string target;       // path and query
};

// Parses `url` and refuses anything but http:// to a loopback host.
Result<LoopbackTarget> ParseLoopbackUrl(std::string_view url, std::string_view field);

struct SignedPostReply {
  int status = 0;
  std::string content_type;
  std::string body;
};

// POSTs `params` form-encoded to `url`, signed over `url` and `params` with `auth_token`.
boost::asio::awaitable<Result<SignedPostReply>> PostSigned(std::string url, FormParams params,
                                                           std::string auth_token,
                                                           std::string field);

}  // namespace tocsin::fake
