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

// What a handler gets: the request, the path parameters of its route ("{slug}" -> "demo") and
// the parsed target (for query parameters).
struct RequestContext {
  const Request& req;
  std::map<std::string, std::string> params;
  boost::urls::url_view url;

  const std::string& Param(const std::string& name) const { return params.at(name); }
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

struct HttpLimits {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  std::chrono::seconds idle_timeout{60};     // between requests on a keep-alive connection
  std::chrono::seconds request_timeout{60};  // to receive a whole request once it started
};

}  // namespace tocsin::http
