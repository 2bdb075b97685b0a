// ConnectionLimiter: how many HTTP connections are open, in all and per client address, so one
// client (or a flood of them) cannot take every descriptor and starve the rest.
//
// Contract:
//   1. TryAcquire(a) succeeds only while fewer than max_total connections are open and fewer
//      than max_per_address of them are from `a`; each success must be paired with one
//      Release(a) when that connection closes.
//   2. Open() is the number acquired and not yet released.
// Thread safety: every method may be called from any thread (one mutex, held for a map update).
#pragma once

#include <map>
#include <mutex>

#include <boost/asio/ip/address.hpp>

namespace tocsin::http {

class ConnectionLimiter {
 public:
  enum class Refusal { kNone, kTotal, kPerAddress };

  ConnectionLimiter(int max_total, int max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // kNone: the connection may go on (Release it when it closes); otherwise why it may not.
  Refusal TryAcquire(const boost::asio::ip::address& address);
  void Release(const boost::asio::ip::address& address);
  int Open() const;

 private:
  // Immutable after construction.
  const int max_total_;
  const int max_per_address_;

  mutable std::mutex mu_;
  // Guarded by mu_. An address is in the map only while it has a connection open.
  int open_ = 0;
  std::map<boost::asio::ip::address, int> per_address_;
};

}  // namespace tocsin::http
