// Listener: accepts connections on one endpoint and runs a session coroutine for each.
//
// Ownership: the Listener owns the acceptor; each session owns its socket (coroutine locals) and
// ends on its own deadlines. Stop() closes the acceptor; ActiveSessions() lets the shutdown path
// wait, bounded, for sessions to finish before the io_context is stopped.
//
// No one starves the rest:
//   1. At most HttpLimits::max_connections are open, and max_connections_per_address from one
//      client address; a connection beyond either gets a 503 with Retry-After and is closed at
//      once. The cap frees as connections close.
//   2. When accept fails for want of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM...), the loop
//      waits on a timer, 10 ms doubling to 1 s, instead of spinning; it logs once when an
//      episode starts and once when accept works again.
// Threading: the accept loop and Stop() run on the acceptor's strand; the counters are atomic.
#pragma once

#include <atomic>
#include <cstdint>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/http/connection_limiter.h"
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
  // For /metrics: connections open now, refused by the caps, and failed accepts.
  int OpenConnections() const { return limiter_.Open(); }
  long long RefusedConnections() const { return refused_.load(); }
  long long AcceptFailures() const { return accept_failures_.load(); }

 private:
  boost::asio::awaitable<void> AcceptLoop();
  // Counts a connection refused over a cap; logs at most once a minute (never the address).
  void NoteRefusal(ConnectionLimiter::Refusal why);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;  // on a strand of ioc_
  boost::asio::steady_timer backoff_;        // same strand: the accept loop's wait after failures
  const Router& router_;
  const HttpLimits limits_;
  std::uint16_t port_ = 0;
  std::atomic<int> active_{0};
  ConnectionLimiter limiter_;
  std::atomic<long long> refused_{0};
  std::atomic<long long> accept_failures_{0};
  // Only on the acceptor's strand: when a refusal was last logged (at most one line a minute).
  std::chrono::steady_clock::time_point last_refusal_log_{};
};

}  // namespace tocsin::http
