#include "server/http/session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "server/api/api_error.h"

namespace tocsin::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool IsQuietClose(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
         ec == beast::error::timeout || ec == asio::error::connection_reset ||
         ec == asio::error::eof;
}

}  // namespace

asio::awaitable<void> RunSession(beast::tcp_stream stream, const Router& router, HttpLimits limits) {
  beast::flat_buffer buffer;
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    // Beast checks Content-Length against the body limit while parsing the header; the route's
    // own limit is applied below, once the target is known.
    parser.body_limit(router.LargestBodyLimit(limits.max_body_bytes));
    stream.expires_after(limits.idle_timeout);
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    if (hec == bhttp::error::body_limit) {
      auto res = ErrorResponse(11, false, Error{ErrorCode::kTooLarge, "request body too large", "body"});
      co_await bhttp::async_write(stream, res, kTuple);
      break;
    }
    if (hec) {
      if (!IsQuietClose(hec)) {
        auto res = ErrorResponse(11, false, Error{ErrorCode::kMalformed, "malformed HTTP request", {}});
        co_await bhttp::async_write(stream, res, kTuple);
      }
      break;
    }
    const auto& head = parser.get();
    auto limit = router.BodyLimitFor(head.target(), limits.max_body_bytes);
    if (parser.content_length() && *parser.content_length() > limit) {
      // Refuse before reading: the client learns at once and we read nothing more.
      auto res = ErrorResponse(head.version(), false,
                               Error{ErrorCode::kTooLarge,
                                     "request body over " + std::to_string(limit) + " bytes", "body"});
      co_await bhttp::async_write(stream, res, kTuple);
      break;
    }
    parser.body_limit(limit);
    if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, head.version()};
      stream.expires_after(limits.request_timeout);
      auto [cec, cn] = co_await bhttp::async_write(stream, cont, kTuple);
      if (cec) break;
    }
    stream.expires_after(limits.request_timeout);
    auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (bec == bhttp::error::body_limit) {
      auto res = ErrorResponse(head.version(), false,
                               Error{ErrorCode::kTooLarge,
                                     "request body over " + std::to_string(limit) + " bytes", "body"});
      co_await bhttp::async_write(stream, res, kTuple);
      break;
    }
    if (bec) break;

    auto req = parser.release();
    auto res = co_await router.Handle(req);
    res.keep_alive(req.keep_alive() && res.keep_alive());
    bool keep_alive = res.keep_alive();
    stream.expires_after(limits.request_timeout);
    auto [wec, wn] = co_await bhttp::async_write(stream, res, kTuple);
    if (wec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace tocsin::http
