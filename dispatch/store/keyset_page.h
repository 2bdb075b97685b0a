// Keyset pagination: a listing asks for `limit + 1` rows after a cursor id; the extra row only
// says that another page follows. One rule for every paged listing.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace tocsin {

// Rows to fetch for a page of `limit`.
inline int FetchCount(int limit) { return limit + 1; }

// Drops the look-ahead row, if any, and returns the cursor of the next page (the id of the
// last item kept), or nullopt on the last page. T needs an `id` member.
template <typename T>
std::optional<std::int64_t> TrimPage(std::vector<T>& items, int limit) {
  if (static_cast<int>(items.size()) <= limit) return std::nullopt;
  items.resize(static_cast<std::size_t>(limit));
  return items.back().id;
}

}  // namespace tocsin
