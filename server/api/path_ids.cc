#include "server/api/path_ids.h"

#include <charconv>

#include "server/api/api_error.h"

namespace tocsin {
namespace {

std::optional<std::int64_t> ParseInt(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::int64_t PathId(const http::RequestContext& ctx, const std::string& name) {
  auto v = ParseInt(ctx.Param(name));
  if (!v || *v <= 0) throw ApiError(Error::NotFound("no such " + name));
  return *v;
}

std::optional<std::string> QueryParam(const http::RequestContext& ctx, const std::string& name) {
  auto params = ctx.url.params();
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return std::string((*it).value);
}

std::int64_t QueryInt(const http::RequestContext& ctx, const std::string& name,
                      std::int64_t fallback, std::int64_t min, std::int64_t max) {
  auto raw = QueryParam(ctx, name);
  if (!raw) return fallback;
  auto v = ParseInt(*raw);
  if (!v || *v < min || *v > max) {
    throw ApiError(Error::Invalid(name, "must be a whole number from " + std::to_string(min) +
                                            " to " + std::to_string(max)));
  }
  return *v;
}

PageQuery ReadPageQuery(const http::RequestContext& ctx, int default_limit, int max_limit) {
  return {QueryInt(ctx, "cursor", 0, 0, INT64_MAX),
          static_cast<int>(QueryInt(ctx, "limit", default_limit, 1, max_limit))};
}

}  // namespace tocsin
