#include <catch2/catch.hpp>

#include "dispatch/channels/token_bucket.h"

using namespace tocsin;
using namespace std::chrono_literals;

TEST_CASE("token bucket: never more than rate x window + capacity", "[rate]") {
  auto t0 = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket b(10.0, t0);
  int sent = 0;
  // Try every millisecond for 10 s of fake time.
  for (int ms = 0; ms <= 10000; ++ms) {
    while (b.TryTake(1, t0 + std::chrono::milliseconds(ms))) ++sent;
  }
  CHECK(sent <= 10 * 10 + 1);  // at most one token of burst at 10/s
  CHECK(sent >= 10 * 10);
}

TEST_CASE("token bucket: a long message on a slow number waits its turn", "[rate]") {
  auto t0 = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket b(1.0, t0);
  CHECK(b.TryTake(3, t0));        // full bucket: allowed, leaves a debt of 2
  CHECK_FALSE(b.TryTake(1, t0 + 2s));
  CHECK(b.WaitFor(1, t0 + 2s) > 0ns);
  CHECK(b.TryTake(1, t0 + 3s));
}
