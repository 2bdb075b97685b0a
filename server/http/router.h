// Router: maps (method, path pattern) to a handler and turns everything a handler can throw
// into a response, so a session never sees an exception.
//
// Patterns are literal segments and "{name}" parameters ("/v1/networks/{slug}/members/{id}").
// An unknown path is 404, a known path with another method 405 (with Allow). Handlers may throw
// ApiError (its status and JSON body), pqxx::broken_connection (503) or anything else (500,
// logged with the route, never with the body).
//
// Thread safety: routes are added before serving; afterwards the Router is read-only.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "server/http/metrics.h"
#include "server/http/types.h"

namespace tocsin::http {

class Router {
 public:
  explicit Router(Metrics& metrics) : metrics_(metrics) {}

  // `body_limit`: the largest body this route accepts (0: the server default).
  void Add(bhttp::verb method, std::string pattern, Handler handler, std::size_t body_limit = 0);

  // The largest limit of any route (at least `fallback`).
  std::size_t LargestBodyLimit(std::size_t fallback) const;
  // The body limit for `target`'s route, or `fallback` when the route sets none.
  std::size_t BodyLimitFor(std::string_view target, std::size_t fallback) const;

  // Never throws: always a response (404/405/5xx included), recorded in the metrics. When the
  // handler streams, its StreamBody is moved to `*stream` (if given) and the response is the head.
  boost::asio::awaitable<Response> Handle(const Request& req, StreamBody* stream = nullptr) const;

  // Requests being handled right now (the shutdown path waits for this to reach 0).
  int InFlight() const { return in_flight_.load(); }

 private:
  struct Route {
    bhttp::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    std::size_t body_limit;
  };
  // Matches decoded path segments against a route's pattern, filling `params`.
  static bool Match(const Route& r, const std::vector<std::string>& path,
                    std::map<std::string, std::string>& params);

  Metrics& metrics_;
  std::vector<Route> routes_;
  mutable std::atomic<int> in_flight_{0};
};

}  // namespace tocsin::http
