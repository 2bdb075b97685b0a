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

void Router::Add(bhttp::verb method, std::string pattern, Handler handler, std::size_t body_limit) {
  auto segments = SplitPattern(pattern);
  routes_.push_back({method, std::move(pattern), std::move(segments), std::move(handler), body_limit});
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

std::size_t Router::LargestBodyLimit(std::size_t fallback) const {
  for (const auto& r : routes_) fallback = std::max(fallback, r.body_limit);
  return fallback;
}

std::size_t Router::BodyLimitFor(std::string_view target, std::size_t fallback) const {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return fallback;
  auto path = PathSegments(*url);
  std::map<std::string, std::string> params;
  for (const auto& r : routes_) {
    if (r.body_limit && Match(r, path, params)) return r.body_limit;
  }
  return fallback;
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
      } catch (const ApiError& e) {
        res = ErrorResponse(req, e.error());
      } catch (const pqxx::broken_connection&) {
        res = ErrorResponse(req, Error::Unavailable("the database is unavailable; try again"));
      } catch (const std::exception& e) {
        auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
        if (sql && sql->sqlstate() == "57014") {
          // database.api_statement_timeout_ms passed: the statement was cancelled, nothing changed.
          res = ErrorResponse(req, Error::Unavailable("the database took too long; try again"));
        } else {
          spdlog::error("{} {}: unexpected failure: {}", std::string(bhttp::to_string(req.method())),
                        route, e.what());
          res = ErrorResponse(req, Error::Internal("internal error"));
        }
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
  metrics_.Record(std::string(bhttp::to_string(req.method())), route, res.result_int(),
                  std::chrono::steady_clock::now() - started);
  co_return res;
}

}  // namespace tocsin::http
