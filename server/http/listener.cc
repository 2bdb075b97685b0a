#include "server/http/listener.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <spdlog/spdlog.h>

#include "server/http/session.h"

namespace tocsin::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::chrono::milliseconds kFirstBackoff{10};
constexpr std::chrono::milliseconds kLongestBackoff{1000};
constexpr std::chrono::seconds kRefusalLogEvery{60};

// Failures that belong to one connection (it went away before we took it): accept again at once.
bool IsPerConnection(const boost::system::error_code& ec) {
  return ec == asio::error::connection_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::try_again || ec == asio::error::would_block ||
         ec == asio::error::interrupted;
}

// The whole answer to a connection over a cap, written in one go.
const std::string& OverCapResponse() {
  static const std::string response = [] {
    const std::string body =
        "{\"error\":{\"code\":\"unavailable\",\"message\":\"too many connections; try again\"}}";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
           "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return response;
}

// Answers 503 on a connection over a cap and closes it. A fresh socket's send buffer takes the
// answer whole; never wait for a client we are refusing.
template <typename Socket>
void AnswerOverCap(Socket& socket) {
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  asio::write(socket, asio::buffer(OverCapResponse()), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace

Listener::Listener(asio::io_context& ioc, const tcp::endpoint& endpoint, const Router& router,
                   HttpLimits limits)
    : ioc_(ioc),
      acceptor_(asio::make_strand(ioc)),
      backoff_(acceptor_.get_executor()),
      router_(router),
      limits_(limits),
      limiter_(limits.max_connections, limits.max_connections_per_address) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

void Listener::Start() { asio::co_spawn(acceptor_.get_executor(), AcceptLoop(), asio::detached); }

void Listener::Stop() {
  asio::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    backoff_.cancel();
  });
}

void Listener::NoteRefusal(ConnectionLimiter::Refusal why) {
  ++refused_;
  auto now = std::chrono::steady_clock::now();
  if (now - last_refusal_log_ >= kRefusalLogEvery) {
    last_refusal_log_ = now;
    spdlog::warn("connection refused: {} cap reached ({} refused so far; http.max_connections{})",
                 why == ConnectionLimiter::Refusal::kTotal ? "total" : "per-address", refused_.load(),
                 why == ConnectionLimiter::Refusal::kTotal ? "" : "_per_address");
  }
}

asio::awaitable<void> Listener::AcceptLoop() {
  std::chrono::milliseconds backoff{0};  // 0: accept is working
  long long failures_in_episode = 0;
  for (;;) {
    // Each connection gets its own strand: its socket and deadline timer never run concurrently.
    auto [ec, socket] =
        co_await acceptor_.async_accept(asio::make_strand(ioc_), asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec && IsPerConnection(ec)) continue;
    if (ec) {
      // Out of descriptors or memory: the listening socket stays readable, so accepting again at
      // once would spin. Wait, longer each time, until a descriptor is free again.
      ++accept_failures_;
      ++failures_in_episode;
      if (backoff.count() == 0) {
        spdlog::warn("accept failed: {}; backing off (up to {} ms) until it works again",
                     ec.message(), kLongestBackoff.count());
        backoff = kFirstBackoff;
      } else {
        backoff = std::min(backoff * 2, kLongestBackoff);
      }
      backoff_.expires_after(backoff);
      co_await backoff_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (!acceptor_.is_open()) co_return;
      continue;
    }
    if (backoff.count() != 0) {
      spdlog::info("accept works again after {} failed attempt(s)", failures_in_episode);
      backoff = std::chrono::milliseconds{0};
      failures_in_episode = 0;
    }
    boost::system::error_code peer_ec;
    auto address = socket.remote_endpoint(peer_ec).address();
    if (peer_ec) continue;  // already gone
    if (auto why = limiter_.TryAcquire(address); why != ConnectionLimiter::Refusal::kNone) {
      NoteRefusal(why);
      AnswerOverCap(socket);
      continue;
    }
    socket.set_option(tcp::no_delay(true));
    ++active_;
    // Each session ends by itself: every read and write in it has a deadline. The slot is
    // released in the completion handler, which never runs if the io_context is destroyed first.
    boost::beast::tcp_stream stream(std::move(socket));
    auto executor = stream.get_executor();
    asio::co_spawn(executor, RunSession(std::move(stream), router_, limits_),
                   [this, address](std::exception_ptr e) {
                     limiter_.Release(address);
                     --active_;
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& ex) {
                         spdlog::error("session ended by exception: {}", ex.what());
                       }
                     }
                   });
  }
}

}  // namespace tocsin::http
