// The HTTP vocabulary shared by the server's HTTP layer and its API handlers.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/url_view.hpp>

namespace tocsin::http {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

// Where a streaming handler writes its body, piece by piece.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Writes `data` now; false once the client has gone (the stream should end).
  virtual boost::asio::awaitable<bool> Write(std::string data) = 0;
  // Whether the client has closed its end already (checked without waiting or writing), so a
  // quiet stream ends at once rather than at its next write.
  virtual bool Gone() const = 0;
};
// A streamed body (Server-Sent Events): the session writes the handler's response head (no
// Content-Length; the connection closes after), then runs this until it returns.
using StreamBody = std::function<boost::asio::awaitable<void>(StreamWriter&)>;

// What a handler gets: the request, the path parameters of its route ("{slug}" -> "demo") and
// the parsed target (for query parameters). A handler that streams sets `stream`.
struct RequestContext {
  const Request& req;
  std::map<std::string, std::string> params;
  boost::urls::url_view url;
  StreamBody stream;

  const std::string& Param(const std::string& name) const { return params.at(name); }
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

struct HttpLimits {
  std::size_t max_body_bytes = 1 << 20;  // a token route's body unless the route sets its own
  // The most body read before anyone is known: signed webhooks, public routes, and any request
  // whose token has not been checked yet.
  std::size_t unauthenticated_body_bytes = 64 << 10;
  std::size_t max_header_bytes = 16 << 10;
  std::chrono::seconds idle_timeout{60};     // between requests on a keep-alive connection
  std::chrono::seconds request_timeout{60};  // to receive a whole request once it started
  int max_connections = 1024;                // open at once; beyond it a connection gets 503
  int max_connections_per_address = 64;      // open at once from one client address
};

}  // namespace tocsin::http
