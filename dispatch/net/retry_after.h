// Retry-After (RFC 9110 10.2.3) as a number of seconds, for answers that ask us to come back
// later (429, 503...). Only the delta-seconds form is read; an HTTP date, a missing or a
// malformed header gives nullopt and the caller's own delay applies.
#pragma once

#include <chrono>
#include <optional>

#include "dispatch/net/http_types.h"

namespace tocsin {

// The response's Retry-After in seconds (kept only if the request listed "retry-after" in
// keep_headers, or kept every header).
std::optional<std::chrono::seconds> RetryAfter(const HttpResponse& r);

}  // namespace tocsin
