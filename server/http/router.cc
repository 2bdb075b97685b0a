#include "server/http/router.h"

#include <boost/url/parse.hpp>
#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include "server/api/api_error.h"

namespace tocsin::http {
namespace {

std::vector<std::string> SplitPattern(const std::string& pattern) {
  std::vector<std::string> out;
  if (pattern == "/") return out;  // the root: no segment
  std::size_t start = 1;
  while (start <= pattern.size()) {
    auto slash = pattern.find('/', start);
    if (slash == std::string::npos) slash = pattern.size();
    out.push_back(pattern.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::vector<std::string> PathSegments(boost::urls::url_view url) {
  std::vector<std::string> out;
  for (auto seg : url.segments()) out.push_back(seg);
  if (out.size() == 1 && out[0].empty()) out.clear();  // "/" is the root, as in SplitPattern
  return out;
}

}  // namespace

void Router::Add(bhttp::verb method, std::string pattern, Handler handler, std::size_t body_limit,
                 Access access) {
  auto segments = SplitPattern(pattern);
  routes_.push_back(
      {method, std::move(pattern), std::move(segments), std::move(handler), body_limit, access});
}

bool Router::Match(const Route& r, const std::vector<std::string>& path,
                   std::map<std::string, std::string>& params) {
  if (r.segments.size() != path.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto& want = r.segments[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (path[i].empty()) return false;
      params[want.substr(1, want.size() - 2)] = path[i];
    } else if (want != path[i]) {
      return false;
    }
  }
  return true;
}

const Router::Route* Router::Find(const Request& req) const {
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) return nullptr;
  auto path = PathSegments(*url);
  std::map<std::string, std::string> params;
  for (const auto& r : routes_) {
    if (r.method == req.method() && Match(r, path, params)) return &r;
  }
  return nullptr;
}

boost::asio::awaitable<Admission> Router::Admit(const Request& head,
                                                std::optional<std::uint64_t> content_length,
                                                bool chunked, const HttpLimits& limits) const {
  auto started = std::chrono::steady_clock::now();
  const Route* route = Find(head);
  const std::size_t small = limits.unauthenticated_body_bytes;
  // Signed, public and unknown routes, and token routes with no way to check a token, read
  // only what a stranger may send.
  const bool token_route = route && route->access == Access::kToken && token_check_;
  const std::size_t limit =
      !token_route ? small : route->body_limit ? route->body_limit : limits.max_body_bytes;
  const bool beyond_small = chunked || (content_length && *content_length > small);
  std::optional<Response> refusal;
  if (token_route && beyond_small) {
    // Check the token now: a stranger's large body is refused before a byte of it is read.
    try {
      co_await token_check_(head);
    } catch (...) {
      refusal = ResponseForCurrentException(head, route->pattern);
    }
  }
  if (!refusal && content_length && *content_length > limit) {
    refusal = ErrorResponse(head, Error{ErrorCode::kTooLarge,
                                        "request body over " + std::to_string(limit) + " bytes",
                                        "body"});
  }
  if (refusal) {
    refusal->keep_alive(false);  // the body was not read: the connection cannot go on
    Record(head, route ? route->pattern : "unmatched", *refusal, started);
  }
  co_return Admission{limit, std::move(refusal)};
}

Response Router::ResponseForCurrentException(const Request& req, const std::string& route) {
  try {
    throw;
  } catch (const ApiError& e) {
    return ErrorResponse(req, e.error());
  } catch (const pqxx::broken_connection&) {
    return ErrorResponse(req, Error::Unavailable("the database is unavailable; try again"));
  } catch (const std::exception& e) {
    auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
    if (sql && sql->sqlstate() == "57014") {
      // database.api_statement_timeout_ms passed: the statement was cancelled, nothing changed.
      return ErrorResponse(req, Error::Unavailable("the database took too long; try again"));
    }
    spdlog::error("{} {}: unexpected failure: {}", std::string(bhttp::to_string(req.method())),
                  route, e.what());
    return ErrorResponse(req, Error::Internal("internal error"));
  } catch (...) {
    spdlog::error("{} {}: unexpected failure", std::string(bhttp::to_string(req.method())), route);
    return ErrorResponse(req, Error::Internal("internal error"));
  }
}

void Router::Record(const Request& req, const std::string& route, const Response& res,
                    std::chrono::steady_clock::time_point started) const {
  metrics_.Record(std::string(bhttp::to_string(req.method())), route, res.result_int(),
                  std::chrono::steady_clock::now() - started);
}

boost::asio::awaitable<Response> Router::Handle(const Request& req, StreamBody* stream) const {
  auto started = std::chrono::steady_clock::now();
  ++in_flight_;
  std::string route = "unmatched";
  Response res;
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) {
    res = ErrorResponse(req, Error{ErrorCode::kMalformed, "malformed request target", "target"});
  } else {
    auto path = PathSegments(*url);
    RequestContext ctx{req, {}, *url};
    const Route* found = nullptr;
    std::string allow;
    for (const auto& r : routes_) {
      if (!Match(r, path, ctx.params)) continue;
      if (r.method == req.method()) {
        found = &r;
        break;
      }
      allow += (allow.empty() ? "" : ", ") + std::string(bhttp::to_string(r.method));
    }
    if (found) {
      route = found->pattern;
      try {
        res = co_await found->handler(ctx);
        if (stream && ctx.stream) *stream = std::move(ctx.stream);
      } catch (...) {
        res = ResponseForCurrentException(req, route);
      }
    } else if (!allow.empty()) {
      res = ErrorResponse(req, Error{ErrorCode::kInvalid, "method not allowed on this path", {}},
                          bhttp::status::method_not_allowed);
      res.set(bhttp::field::allow, allow);
    } else {
      res = ErrorResponse(req, Error::NotFound("no such route"));
    }
  }
  --in_flight_;
  Record(req, route, res, started);
  co_return res;
}

}  // namespace tocsin::http
