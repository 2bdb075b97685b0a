#include "server/http/connection_limiter.h"

namespace tocsin::http {

ConnectionLimiter::Refusal ConnectionLimiter::TryAcquire(const boost::asio::ip::address& address) {
  std::lock_guard lock(mu_);
  if (open_ >= max_total_) return Refusal::kTotal;
  int& from_address = per_address_[address];
  if (from_address >= max_per_address_) return Refusal::kPerAddress;
  ++from_address;
  ++open_;
  return Refusal::kNone;
}

void ConnectionLimiter::Release(const boost::asio::ip::address& address) {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(address);
  if (it == per_address_.end()) return;
  --open_;
  if (--it->second <= 0) per_address_.erase(it);
}

int ConnectionLimiter::Open() const {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace tocsin::http
