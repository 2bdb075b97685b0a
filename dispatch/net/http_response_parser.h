// ParseHttpResponse: one HTTP/1.1 response read from the start of a buffer (RFC 9112), for
// OriginClient, which knows only the few shapes a provider's API answers with: a status line,
// header fields, and a body sized by Content-Length, sent chunked, or ending at close. Pure: no
// I/O; the caller appends what it reads and parses again until the answer is complete.
//
// Not accepted (kInvalid): a malformed status line or field, obsolete line folding, a head over
// kMaxHeadBytes, a body over `max_body`, a bad Content-Length or chunk size. Chunk extensions and
// trailer fields are read past and dropped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin {

struct ParsedResponse {
  enum class Result { kIncomplete, kComplete, kInvalid };
  Result result = Result::kIncomplete;
  std::size_t consumed = 0;  // kComplete: the bytes of this response (what follows is the next)
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercase, in order
  std::string body;
  bool keep_alive = false;  // the connection may carry another request
  std::string error;        // kInvalid: what was wrong, without the answer's text
};

inline constexpr std::size_t kMaxHeadBytes = 64 * 1024;

// `in`: everything read so far. `head_request`: the request was HEAD (no body follows).
// `at_eof`: the server has closed, so a body that ends at close is complete.
ParsedResponse ParseHttpResponse(std::string_view in, bool head_request, bool at_eof, std::size_t max_body);

}  // namespace tocsin
