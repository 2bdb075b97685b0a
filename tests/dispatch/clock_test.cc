// The engine's clocks: the system clock, the scaled clock of demos, and the manual clock of
// tests, with the TimerService firing on a manual clock's Advance and never on its own.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "dispatch/engine/timer_service.h"
#include "dispatch/util/clock.h"

using namespace tocsin;

TEST_CASE("clocks: the system clock is the wall clock", "[clock]") {
  SystemClock clock;
  auto before = WallClockMs();
  auto now = clock.NowMs();
  CHECK(now >= before);
  CHECK(now - before < 1000);
  CHECK(clock.RealWaitUntil(now - 5).count() == 0);
  CHECK(clock.RealWaitUntil(now + 5000).count() > 4000);
}

TEST_CASE("clocks: a scaled clock waits 1/scale of the real time", "[clock]") {
  ScaledClock clock(60);
  auto now = clock.NowMs();
  CHECK(now - WallClockMs() < 1000);  // both agree where it starts
  // Three minutes of its time are about three real seconds.
  auto wait = clock.RealWaitUntil(now + 180000).count();
  CHECK(wait >= 2900);
  CHECK(wait <= 3000);
  CHECK(clock.RealWaitUntil(now - 1).count() == 0);
  CHECK(ScaledClock(0.5).RealWaitUntil(clock.NowMs() + 1000).count() >= 900);  // scale below 1 is 1
}

TEST_CASE("clocks: a manual clock moves only when told, and tells its listeners", "[clock]") {
  ManualClock clock;
  auto start = clock.NowMs();
  CHECK(clock.NowMs() == start);
  CHECK(clock.RealWaitUntil(start + 1) == Clock::kNever);
  CHECK(clock.RealWaitUntil(start).count() == 0);
  int told = 0;
  clock.Listen([&] { ++told; });
  CHECK(clock.Advance(1500) == start + 1500);
  CHECK(clock.NowMs() == start + 1500);
  CHECK(told == 1);
  CHECK(clock.Advance(-10) == start + 1500);  // never backwards
}

TEST_CASE("clocks: timers on a manual clock fire when it is advanced past them, in order", "[clock]") {
  boost::asio::io_context io;
  ManualClock clock;
  std::vector<std::uint64_t> fired;
  TimerService timers(io.get_executor(), [&](TimerService::TimerId, std::uint64_t payload, std::int64_t) {
    fired.push_back(payload);
  }, clock);
  auto turn = [&] {  // runs what is ready now, never waiting on real time
    for (int i = 0; i < 10; ++i) {
      io.restart();
      io.poll();
    }
  };
  auto t0 = clock.NowMs();
  timers.Add(t0 + 2000, 2);
  timers.Add(t0 + 1000, 1);
  timers.Add(t0 + 60000, 3);
  // Nothing is due: running the loop fires nothing (and does not wait a real second).
  turn();
  CHECK(fired.empty());
  clock.Advance(1000);
  turn();
  CHECK(fired == std::vector<std::uint64_t>{1});
  clock.Advance(59000);
  turn();
  CHECK(fired == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(timers.size() == 0);
}
