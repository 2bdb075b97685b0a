// ConnectionLimiter: the caps in all and per address, and freeing as connections close.
#include <catch2/catch.hpp>

#include "server/http/connection_limiter.h"

using tocsin::http::ConnectionLimiter;
using Refusal = ConnectionLimiter::Refusal;

TEST_CASE("ConnectionLimiter caps connections per address and in all", "[http]") {
  ConnectionLimiter limiter(3, 2);
  auto a = boost::asio::ip::make_address("127.0.0.2");
  auto b = boost::asio::ip::make_address("127.0.0.3");
  auto c = boost::asio::ip::make_address("::1");
  CHECK(limiter.TryAcquire(a) == Refusal::kNone);
  CHECK(limiter.TryAcquire(a) == Refusal::kNone);
  CHECK(limiter.TryAcquire(a) == Refusal::kPerAddress);
  CHECK(limiter.TryAcquire(b) == Refusal::kNone);
  CHECK(limiter.TryAcquire(c) == Refusal::kTotal);
  CHECK(limiter.Open() == 3);

  limiter.Release(a);
  CHECK(limiter.Open() == 2);
  CHECK(limiter.TryAcquire(c) == Refusal::kNone);  // the freed slot goes to whoever comes
  CHECK(limiter.TryAcquire(a) == Refusal::kTotal);
  limiter.Release(c);
  CHECK(limiter.TryAcquire(a) == Refusal::kNone);

  // Releasing an address with nothing open changes nothing.
  limiter.Release(c);
  CHECK(limiter.Open() == 3);
}
