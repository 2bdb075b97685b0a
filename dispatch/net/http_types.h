// HttpRequest and HttpResponse: one outbound HTTP request and what came back, as every client of
// dispatch/net takes and gives them (CurlMultiClient for any URL, OriginClient for one origin's
// hot path).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace tocsin {

struct HttpRequest {
  // "POST" sends `body` (as application/x-www-form-urlencoded unless `headers` name another
  // Content-Type). "GET" and "HEAD" send no body. Any other method is sent as is,
  // with `body` if it is non-empty.
  std::string method = "POST";
  std::string url;                           // http:// or https:// only
  std::string body;                          // sent as-is
  std::vector<std::string> headers;          // "Name: value", no CR or LF
  std::string basic_user, basic_password;    // HTTP Basic auth when basic_user is non-empty
  std::chrono::milliseconds timeout{15000};  // whole request, from Start() (waiting for a free
                                             // connection included); must be positive
  // Response headers to keep (lowercase names); empty keeps them all. Each kept header costs
  // allocations on every response.
  std::vector<std::string> keep_headers;
  // Connect only to public addresses (util/ip_address.h), checked for every address tried after
  // DNS, so a name that resolves to a private address is refused too (webhooks: SSRF).
  // CurlMultiClient only: an OriginClient talks to the one origin it was configured with.
  bool public_addresses_only = false;
};

struct HttpResponse {
  long status = 0;                             // 0 when the transfer failed (see error)
  std::string body;                            // empty when status == 0
  std::map<std::string, std::string> headers;  // final response only; names lowercase
                                               // (e.g. "retry-after"); repeats joined by ", "
  std::string error;       // when status == 0: the client's text, e.g. "Timeout was reached (...)"
  bool timed_out = false;  // the request's timeout expired (status is then 0)
  bool refused_address = false;  // public_addresses_only refused an address it resolved to
};

}  // namespace tocsin
