// Router: maps (method, path pattern) to a handler and turns everything a handler can throw
// into a response, so a session never sees an exception.
//
// Bodies are admitted before they are read (Admit): a stranger may send at most
// HttpLimits::unauthenticated_body_bytes. A token route whose body may be larger has its bearer
// token checked at the headers (the token check set by SetTokenCheck), so an unauthenticated
// 16 MiB upload is answered 401 and never read; once the token is good the route's own limit
// applies (413 naming it). Signed routes (Twilio, inbound webhooks) cannot be checked before the
// body is read, so they keep the small limit.
//
// Patterns are literal segments and "{name}" parameters ("/v1/networks/{slug}/members/{id}").
// An unknown path is 404, a known path with another method 405 (with Allow). Handlers may throw
// ApiError (its status and JSON body), pqxx::broken_connection (503) or anything else (500,
// logged with the route, never with the body).
//
// Thread safety: routes are added before serving; afterwards the Router is read-only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/http/metrics.h"
#include "server/http/types.h"

namespace tocsin::http {

// Who may make a route read a body, and so how much of it is read before anyone is known.
enum class Access {
  kToken,   // a bearer token: the route's limit, once the token is checked (default)
  kSigned,  // a signature over the body: HttpLimits::unauthenticated_body_bytes at most
  kPublic,  // no credentials (health checks): HttpLimits::unauthenticated_body_bytes at most
};

// What a session does with a request whose header it has read.
struct Admission {
  std::size_t body_limit = 0;        // read at most this many bytes of body
  std::optional<Response> refusal;   // or answer this (401, 413) at once, read nothing, close
};

class Router {
 public:
  // Checks the credentials in a request's header; throws as a handler would (ApiError).
  using TokenCheck = std::function<boost::asio::awaitable<void>(const Request&)>;

  explicit Router(Metrics& metrics) : metrics_(metrics) {}

  // `body_limit`: the largest body this route accepts (0: HttpLimits::max_body_bytes).
  void Add(bhttp::verb method, std::string pattern, Handler handler, std::size_t body_limit = 0,
           Access access = Access::kToken);
  // Set before serving. Without one, a token route's body is held to the unauthenticated limit.
  void SetTokenCheck(TokenCheck check) { token_check_ = std::move(check); }

  // Decides, from the header alone (`head` has no body yet), how much body may be read.
  // `content_length` is the announced length (none: no body, or chunked when `chunked`).
  // Never throws; a refusal is recorded in the metrics like any response.
  boost::asio::awaitable<Admission> Admit(const Request& head,
                                          std::optional<std::uint64_t> content_length,
                                          bool chunked, const HttpLimits& limits) const;

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
    Access access;
  };
  // Matches decoded path segments against a route's pattern, filling `params`.
  static bool Match(const Route& r, const std::vector<std::string>& path,
                    std::map<std::string, std::string>& params);
  // The route for `req`'s method and target, or nullptr.
  const Route* Find(const Request& req) const;
  // The response for the exception being handled (call inside a catch block).
  static Response ResponseForCurrentException(const Request& req, const std::string& route);
  void Record(const Request& req, const std::string& route, const Response& res,
              std::chrono::steady_clock::time_point started) const;

  Metrics& metrics_;
  std::vector<Route> routes_;
  TokenCheck token_check_;
  mutable std::atomic<int> in_flight_{0};
};

}  // namespace tocsin::http
