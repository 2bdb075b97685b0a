#include "dispatch/net/retry_after.h"

#include <charconv>

namespace tocsin {

std::optional<std::chrono::seconds> RetryAfter(const HttpResponse& r) {
  auto it = r.headers.find("retry-after");
  if (it == r.headers.end()) return std::nullopt;
  long long seconds = 0;
  const char* end = it->second.data() + it->second.size();
  auto [ptr, ec] = std::from_chars(it->second.data(), end, seconds);
  if (ec != std::errc() || ptr != end || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

}  // namespace tocsin
