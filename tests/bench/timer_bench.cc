// Timer benchmark (prints figures; asserts nothing about speed). Plain main(), ~20 s on 2 cores.
//
//  1. TimerWheel alone, 1,000,000 pending timers spread over 0..24 h:
//     - memory per pending timer, two ways: heap bytes live (a counting global operator new,
//       malloc_usable_size, so allocator rounding is included) and VmRSS growth from
//       /proc/self/status; both cover everything the wheel allocates, fixed part included;
//     - Add ns/op into a fresh wheel (allocating node chunks) and into a warm one (free list),
//       with the number of heap allocations made by the warm pass (goal: 0);
//     - Cancel ns/op in random order;
//     - Advance through the 24 h in 1 s steps: ns per fired timer, cascades included.
//  2. Lateness under load: a TimerService on a one-thread io_context holding 1,000,000 timers due
//     in 1..24 h plus 200,000 due over 10 s, while 64 chains of ~20 us handlers keep the loop
//     100% busy (each also Adds and Cancels a far timer now and then, as the engine would).
//     Lateness = wall clock at the callback - due_ms; p50/p99/max in ms.
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/engine/timer_service.h"
#include "dispatch/engine/timer_wheel.h"

// Counting allocator: every operator new/delete of the program (aligned forms left default).
namespace {
std::atomic<long long> g_live_bytes{0};
std::atomic<long long> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  g_live_bytes.fetch_add(static_cast<long long>(malloc_usable_size(p)), std::memory_order_relaxed);
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return p;
}
// GCC cannot see that operator new above is malloc: its mismatch warning does not apply.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  g_live_bytes.fetch_sub(static_cast<long long>(malloc_usable_size(p)), std::memory_order_relaxed);
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

using namespace tocsin;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 24 * kHourMs;

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

double NsPer(SteadyClock::duration d, std::size_t n) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) /
         static_cast<double>(n);
}

double NowMsPrecise() {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count()) /
         1000.0;
}

void WheelScenario() {
  constexpr std::size_t kTimers = 1'000'000;
  const std::int64_t t0 = TimerService::SystemNowMs();
  std::mt19937_64 rng(42);
  std::vector<std::int64_t> dues(kTimers);
  for (auto& due : dues) due = t0 + 1 + static_cast<std::int64_t>(rng() % kDayMs);
  std::vector<TimerWheel::TimerId> ids(kTimers);
  std::vector<std::size_t> cancel_order(kTimers);
  for (std::size_t i = 0; i < kTimers; ++i) cancel_order[i] = i;
  std::shuffle(cancel_order.begin(), cancel_order.end(), rng);

  std::printf("== 1. TimerWheel, %zu pending timers due over 0..24 h\n", kTimers);
  malloc_trim(0);
  long rss_before = RssKb();
  long long heap_before = g_live_bytes.load();

  auto wheel = std::make_unique<TimerWheel>(t0);
  auto start = SteadyClock::now();
  for (std::size_t i = 0; i < kTimers; ++i) ids[i] = wheel->Add(dues[i], i);
  auto add_cold = SteadyClock::now() - start;

  long long heap_bytes = g_live_bytes.load() - heap_before;
  long rss_kb = RssKb() - rss_before;
  std::printf(
      "memory per pending timer: %.1f bytes (heap live, counting operator new), "
      "%.1f bytes (VmRSS growth %ld kB); wheel's own count %.1f bytes\n",
      static_cast<double>(heap_bytes) / kTimers, rss_kb * 1024.0 / kTimers, rss_kb,
      static_cast<double>(wheel->MemoryBytes()) / kTimers);
  std::printf("add (fresh wheel, growing the node pool): %.1f ns/op\n", NsPer(add_cold, kTimers));

  start = SteadyClock::now();
  for (std::size_t i : cancel_order) wheel->Cancel(ids[i]);
  auto cancel = SteadyClock::now() - start;
  std::printf("cancel (random order): %.1f ns/op\n", NsPer(cancel, kTimers));

  long long allocations_before = g_allocations.load();
  start = SteadyClock::now();
  for (std::size_t i = 0; i < kTimers; ++i) ids[i] = wheel->Add(dues[i], i);
  auto add_warm = SteadyClock::now() - start;
  std::printf("add (warm: nodes from the free list): %.1f ns/op, heap allocations: %lld\n",
              NsPer(add_warm, kTimers), g_allocations.load() - allocations_before);

  std::size_t fired = 0;
  start = SteadyClock::now();
  for (std::int64_t t = t0; t <= t0 + kDayMs + 1000; t += 1000) {
    fired += wheel->Advance(t, [](TimerWheel::TimerId, std::uint64_t, std::int64_t) {});
  }
  auto advance = SteadyClock::now() - start;
  std::printf(
      "advance through 24 h in 1 s steps: %zu fired, %.1f ns per fired timer "
      "(cascades included), %.0f ms total\n",
      fired, NsPer(advance, fired), std::chrono::duration<double, std::milli>(advance).count());
}

void LatenessScenario() {
  constexpr std::size_t kFar = 1'000'000;
  constexpr std::size_t kNear = 200'000;
  constexpr std::int64_t kNearStartMs = 1'000;
  constexpr std::int64_t kNearSpanMs = 10'000;
  constexpr int kChains = 64;
  constexpr auto kWork = std::chrono::microseconds(20);
  constexpr std::uint64_t kMeasured = std::uint64_t{1} << 63;

  std::printf(
      "\n== 2. TimerService lateness under load: %zu far timers (1..24 h) + %zu due over "
      "%lld s, %d chains of ~%lld us handlers\n",
      kFar, kNear, static_cast<long long>(kNearSpanMs / 1000), kChains,
      static_cast<long long>(kWork.count()));
  boost::asio::io_context io(1);
  std::vector<double> lateness;
  lateness.reserve(kNear);
  double max_seen = 0;
  SystemClock wall_clock;
  TimerService service(io.get_executor(),
                       [&](TimerWheel::TimerId, std::uint64_t payload, std::int64_t due_ms) {
                         if ((payload & kMeasured) == 0) return;
                         double late = NowMsPrecise() - static_cast<double>(due_ms);
                         lateness.push_back(late);
                         max_seen = std::max(max_seen, late);
                       },
                       wall_clock);

  std::mt19937_64 rng(7);
  const std::int64_t t0 = TimerService::SystemNowMs();
  malloc_trim(0);
  long rss_before = RssKb();
  std::vector<TimerWheel::TimerId> far_ids;
  far_ids.reserve(kFar);
  for (std::size_t i = 0; i < kFar; ++i) {
    far_ids.push_back(
        service.Add(t0 + kHourMs + static_cast<std::int64_t>(rng() % (23 * kHourMs)), i));
  }
  for (std::size_t i = 0; i < kNear; ++i) {
    service.Add(t0 + kNearStartMs + static_cast<std::int64_t>(rng() % kNearSpanMs), kMeasured | i);
  }
  std::printf("pending: %zu, VmRSS growth %.1f bytes per timer (includes the id vector, 8 B)\n",
              service.size(),
              (RssKb() - rss_before) * 1024.0 / static_cast<double>(service.size()));

  // Load: chains of short busy handlers, each re-posting itself.
  bool stopping = false;
  long long load_handlers = 0;
  std::function<void()> chain = [&] {
    if (stopping) return;
    ++load_handlers;
    auto until = SteadyClock::now() + kWork;
    while (SteadyClock::now() < until) {
    }
    if (load_handlers % 10 == 0) {  // engine-like churn on far timers
      std::size_t k = rng() % far_ids.size();
      service.Cancel(far_ids[k]);
      far_ids[k] = service.Add(
          TimerService::SystemNowMs() + kHourMs + static_cast<std::int64_t>(rng() % kDayMs), k);
    }
    boost::asio::post(io, [&] { chain(); });
  };
  for (int i = 0; i < kChains; ++i) boost::asio::post(io, [&] { chain(); });

  boost::asio::steady_timer end(io);
  end.expires_after(std::chrono::milliseconds(t0 + kNearStartMs + kNearSpanMs + 1000 -
                                              TimerService::SystemNowMs()));
  end.async_wait([&](auto) {
    stopping = true;
    io.stop();  // the service stays armed for the far timers
  });
  auto start = SteadyClock::now();
  io.run();
  double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();

  std::sort(lateness.begin(), lateness.end());
  auto pct = [&](double p) {
    if (lateness.empty()) return 0.0;
    return lateness[std::min(lateness.size() - 1, static_cast<std::size_t>(p * lateness.size()))];
  };
  std::printf("loop ran %.1f s, %lld load handlers (%.0f%% of the loop busy with load)\n", seconds,
              load_handlers,
              100.0 * static_cast<double>(load_handlers) *
                  std::chrono::duration<double>(kWork).count() / seconds);
  std::printf("fired %zu of %zu near timers; lateness ms: p50 %.2f, p99 %.2f, max %.2f, min %.2f\n",
              lateness.size(), kNear, pct(0.50), pct(0.99), max_seen,
              lateness.empty() ? 0.0 : lateness.front());
  std::printf("still pending: %zu (far timers)\n", service.size());
}

}  // namespace

int main() {
  WheelScenario();
  LatenessScenario();
  return 0;
}
