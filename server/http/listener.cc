#include "server/http/listener.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <spdlog/spdlog.h>

#include "server/http/session.h"

namespace tocsin::http {

namespace asio = boost::asio;
using asio::ip::tcp;

Listener::Listener(asio::io_context& ioc, const tcp::endpoint& endpoint, const Router& router,
                   HttpLimits limits)
    : ioc_(ioc), acceptor_(ioc), router_(router), limits_(limits) {
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
  });
}

asio::awaitable<void> Listener::AcceptLoop() {
  for (;;) {
    // Each connection gets its own strand: its socket and deadline timer never run concurrently.
    auto [ec, socket] =
        co_await acceptor_.async_accept(asio::make_strand(ioc_), asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: log and keep serving the others.
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true));
    ++active_;
    // Each session ends by itself: every read and write in it has a deadline.
    boost::beast::tcp_stream stream(std::move(socket));
    auto executor = stream.get_executor();
    asio::co_spawn(executor, RunSession(std::move(stream), router_, limits_),
                   [this](std::exception_ptr e) {
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
