// Reading ids and query parameters out of a request, with errors that name them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/http/types.h"

namespace tocsin {

// The path parameter `name` as a positive id; a non-numeric id is 404 (no such thing).
std::int64_t PathId(const http::RequestContext& ctx, const std::string& name);
// A query parameter's value, or nullopt when absent.
std::optional<std::string> QueryParam(const http::RequestContext& ctx, const std::string& name);
// A whole-number query parameter in [min, max], or `fallback` when absent.
std::int64_t QueryInt(const http::RequestContext& ctx, const std::string& name,
                      std::int64_t fallback, std::int64_t min, std::int64_t max);

// `?cursor=` (an id; default 0) and `?limit=` (1..max_limit) of a paged listing.
struct PageQuery {
  std::int64_t after_id = 0;
  int limit = 0;
};
PageQuery ReadPageQuery(const http::RequestContext& ctx, int default_limit, int max_limit);

}  // namespace tocsin
