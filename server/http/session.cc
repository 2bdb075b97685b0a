#include "server/http/session.h"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "server/api/api_error.h"

namespace tocsin::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

constexpr std::chrono::seconds kStreamWriteTimeout{30};
// How much of what a refused client keeps sending is read and dropped before closing.
constexpr std::size_t kDrainBytes = 64 << 10;
constexpr std::chrono::seconds kDrainTime{1};

class SessionStream : public StreamWriter {
 public:
  explicit SessionStream(beast::tcp_stream& stream) : stream_(stream) {}
  asio::awaitable<bool> Write(std::string data) override {
    stream_.expires_after(kStreamWriteTimeout);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(data), kTuple);
    co_return !ec;
  }
  bool Gone() const override {
    // A peek that does not wait: 0 bytes is the client's orderly close; an error other than
    // "nothing to read yet" is a reset.
    char byte;
    auto n = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
  }

 private:
  beast::tcp_stream& stream_;
};

// Writes `res`'s head with no length (the body runs until the connection closes), then the body.
asio::awaitable<void> RunStream(beast::tcp_stream& stream, const Response& res, const StreamBody& body) {
  bhttp::response<bhttp::empty_body> head{res.result(), res.version()};
  for (const auto& field : res) head.set(field.name_string(), field.value());
  head.keep_alive(false);
  bhttp::response_serializer<bhttp::empty_body> sr{head};
  stream.expires_after(kStreamWriteTimeout);
  auto [ec, n] = co_await bhttp::async_write_header(stream, sr, kTuple);
  if (ec) co_return;
  SessionStream writer(stream);
  co_await body(writer);
}

// After a refusal written without reading the body (401 or 413 at the headers, 413 part-way, 400):
// closing a socket with unread data in it sends a TCP reset, which can reach the client before it
// has read the answer and hide it. So our side ends first (the client sees the answer and then
// EOF), then what the client still sends is read and dropped, up to kDrainBytes or kDrainTime
// (the stream's deadline, a timer: whichever comes first), then the socket closes.
asio::awaitable<void> DrainAndClose(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  std::array<char, 16 << 10> scrap;
  std::size_t drained = 0;
  stream.expires_after(kDrainTime);
  while (drained < kDrainBytes) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scrap), kTuple);
    if (ec) break;  // the client's EOF, a reset, or the deadline
    drained += n;
  }
  stream.socket().close(ignored);
}

bool IsQuietClose(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
         ec == beast::error::timeout || ec == asio::error::connection_reset ||
         ec == asio::error::eof;
}

}  // namespace

asio::awaitable<void> RunSession(beast::tcp_stream stream, const Router& router, HttpLimits limits) {
  beast::flat_buffer buffer;
  bool refused = false;  // answered without reading all the client sent: drain before closing
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    // No limit while reading the header: how much body may follow is decided from the route and
    // the caller (Router::Admit), once the header is in.
    parser.body_limit(boost::none);
    stream.expires_after(limits.idle_timeout);
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    if (hec) {
      if (!IsQuietClose(hec)) {
        auto res = ErrorResponse(11, false, Error{ErrorCode::kMalformed, "malformed HTTP request", {}});
        co_await bhttp::async_write(stream, res, kTuple);
        refused = true;
      }
      break;
    }
    const auto& head = parser.get();
    std::optional<std::uint64_t> length;
    if (auto announced = parser.content_length()) length = *announced;
    auto admission = co_await router.Admit(head, length, parser.chunked(), limits);
    if (admission.refusal) {
      // Refuse before reading: the client learns at once and we read nothing more.
      stream.expires_after(limits.request_timeout);
      co_await bhttp::async_write(stream, *admission.refusal, kTuple);
      refused = true;
      break;
    }
    const auto limit = admission.body_limit;
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
      refused = true;
      break;
    }
    if (bec) break;

    auto req = parser.release();
    StreamBody streamed;
    auto res = co_await router.Handle(req, &streamed);
    if (streamed && res.result() == bhttp::status::ok) {
      co_await RunStream(stream, res, streamed);
      break;
    }
    res.keep_alive(req.keep_alive() && res.keep_alive());
    bool keep_alive = res.keep_alive();
    stream.expires_after(limits.request_timeout);
    auto [wec, wn] = co_await bhttp::async_write(stream, res, kTuple);
    if (wec || !keep_alive) break;
  }
  if (refused) {
    co_await DrainAndClose(stream);
    co_return;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace tocsin::http
