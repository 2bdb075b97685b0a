// Listener: accepts connections on one endpoint and runs a session coroutine for each.
//
// Ownership: the Listener owns the acceptor; each session owns its socket (coroutine locals) and
// ends on its own deadlines. Stop() closes the acceptor; ActiveSessions() lets the shutdown path
// wait, bounded, for sessions to finish before the io_context is stopped.
#pragma once

#include <atomic>
#include <cstdint>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/http/router.h"

namespace tocsin::http {

class Listener {
 public:
  // Binds and listens at once; throws boost::system::system_error if the address is taken.
  Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
           const Router& router, HttpLimits limits);

  void Start();
  void Stop();
  std::uint16_t port() const { return port_; }
  int ActiveSessions() const { return active_.load(); }

 private:
  boost::asio::awaitable<void> AcceptLoop();

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const Router& router_;
  const HttpLimits limits_;
  std::uint16_t port_ = 0;
  std::atomic<int> active_{0};
};

}  // namespace tocsin::http
