// TimerWheel: order, ties, cancellation, ids, past and far deadlines, re-entrant callbacks,
// NextDue, and a long randomized run against a std::map model. Then TimerService on a real
// io_context (short waits of a few tens of ms).
#include "dispatch/engine/timer_wheel.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "dispatch/engine/timer_service.h"

using namespace tocsin;
using TimerId = TimerWheel::TimerId;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;  // 2023-11-14, ms since epoch
constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

struct Fire {
  TimerId id;
  std::uint64_t payload;
  std::int64_t due;
  bool operator==(const Fire&) const = default;
};

// Advances and returns what fired.
std::vector<Fire> AdvanceTo(TimerWheel& wheel, std::int64_t now) {
  std::vector<Fire> out;
  wheel.Advance(now, [&](TimerId id, std::uint64_t payload, std::int64_t due) {
    out.push_back({id, payload, due});
  });
  return out;
}

std::vector<std::uint64_t> Payloads(const std::vector<Fire>& fires) {
  std::vector<std::uint64_t> out;
  for (const Fire& f : fires) out.push_back(f.payload);
  return out;
}

}  // namespace

TEST_CASE("timers fire in deadline order, each at its deadline", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  std::vector<std::int64_t> offsets = {5, 1, 300, 256, 255, 70'000, 65'536, 2, 1000};
  for (std::size_t i = 0; i < offsets.size(); ++i) wheel.Add(kT0 + offsets[i], i);
  REQUIRE(wheel.size() == offsets.size());

  std::vector<Fire> all;
  for (std::int64_t t = kT0; t <= kT0 + 70'000; ++t) {
    for (const Fire& f : AdvanceTo(wheel, t)) {
      REQUIRE(f.due == t);  // 1 ms resolution: fires at the first Advance reaching it
      all.push_back(f);
    }
  }
  REQUIRE(Payloads(all) == std::vector<std::uint64_t>{1, 7, 0, 4, 3, 2, 8, 6, 5});
  REQUIRE(wheel.empty());
  REQUIRE(wheel.now_ms() == kT0 + 70'000);
}

TEST_CASE("one big jump fires everything in order with exact deadlines", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  wheel.Add(kT0 + 3 * kDay, 1);
  wheel.Add(kT0 + 10, 2);
  wheel.Add(kT0 + 5 * kHour, 3);
  wheel.Add(kT0 + 90 * kSecond, 4);
  auto fires = AdvanceTo(wheel, kT0 + 4 * kDay);
  REQUIRE(Payloads(fires) == std::vector<std::uint64_t>{2, 4, 3, 1});
  REQUIRE(fires[3].due == kT0 + 3 * kDay);
  REQUIRE(AdvanceTo(wheel, kT0 + 5 * kDay).empty());
}

TEST_CASE("equal deadlines fire in insertion order, across levels", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  const std::int64_t due = kT0 + 2 * kHour + 12'345;
  wheel.Add(due, 1);  // far out: level 3 or so, cascades down
  wheel.Add(due + 1, 100);
  AdvanceTo(wheel, due - 70'000);
  wheel.Add(due, 2);  // now on a lower level than 1 was when added
  AdvanceTo(wheel, due - 300);
  wheel.Add(due, 3);
  AdvanceTo(wheel, due - 5);
  wheel.Add(due, 4);  // level 0
  wheel.Add(due - 1, 0);
  auto fires = AdvanceTo(wheel, due + 1);
  REQUIRE(Payloads(fires) == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 100});
}

TEST_CASE("cancel before fire; cancel after fire, twice or of nonsense is false", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  TimerId a = wheel.Add(kT0 + 10, 1);
  TimerId b = wheel.Add(kT0 + 10, 2);
  TimerId c = wheel.Add(kT0 + 5 * kDay, 3);
  REQUIRE(a != 0);
  REQUIRE(a != b);
  REQUIRE(wheel.Cancel(a));
  REQUIRE_FALSE(wheel.Cancel(a));
  REQUIRE(wheel.Cancel(c));
  REQUIRE(wheel.size() == 1);
  auto fires = AdvanceTo(wheel, kT0 + 10 * kDay);
  REQUIRE(Payloads(fires) == std::vector<std::uint64_t>{2});
  REQUIRE(fires[0].id == b);
  REQUIRE_FALSE(wheel.Cancel(b));
  REQUIRE_FALSE(wheel.Cancel(0));
  REQUIRE_FALSE(wheel.Cancel(1));
  REQUIRE_FALSE(wheel.Cancel(std::numeric_limits<TimerId>::max()));
  REQUIRE_FALSE(wheel.Cancel(b + (TimerId{1} << 32)));
  REQUIRE(wheel.empty());
}

TEST_CASE("a stale id cannot cancel the timer that reuses its node", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  TimerId a = wheel.Add(kT0 + 100, 1);
  REQUIRE(wheel.Cancel(a));
  TimerId b = wheel.Add(kT0 + 200, 2);
  REQUIRE((b & 0xFFFFFFFF) == (a & 0xFFFFFFFF));  // the same node, reused
  REQUIRE(b != a);
  REQUIRE_FALSE(wheel.Cancel(a));
  REQUIRE(wheel.size() == 1);

  // Also after a fire.
  auto fires = AdvanceTo(wheel, kT0 + 200);
  REQUIRE(fires.size() == 1);
  TimerId c = wheel.Add(kT0 + 300, 3);
  REQUIRE((c & 0xFFFFFFFF) == (b & 0xFFFFFFFF));
  REQUIRE_FALSE(wheel.Cancel(b));
  REQUIRE_FALSE(wheel.Cancel(a));
  REQUIRE(wheel.Cancel(c));
}

TEST_CASE("deadlines in the past fire at the next Advance, in deadline order", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  AdvanceTo(wheel, kT0 + kHour);
  const std::int64_t now = kT0 + kHour;
  wheel.Add(now - 5, 1);
  wheel.Add(now, 2);  // "now" is past too: Advance already passed it
  wheel.Add(now - 2 * kDay, 3);
  wheel.Add(now - 5, 4);
  wheel.Add(now + 1, 5);
  REQUIRE(wheel.NextDue() == now - 2 * kDay);
  // Even an Advance to an earlier time (wall clock stepped back) fires them; time stays.
  auto fires = AdvanceTo(wheel, now - kMinute);
  REQUIRE(Payloads(fires) == std::vector<std::uint64_t>{3, 1, 4, 2});
  REQUIRE(fires[0].due == now - 2 * kDay);
  REQUIRE(wheel.now_ms() == now);
  REQUIRE(wheel.NextDue() == now + 1);
  REQUIRE(Payloads(AdvanceTo(wheel, now + 1)) == std::vector<std::uint64_t>{5});
}

TEST_CASE("many past-due ties keep insertion order", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  std::mt19937 rng(7);
  std::vector<std::pair<std::int64_t, std::uint64_t>> expected;
  for (std::uint64_t i = 0; i < 500; ++i) {
    std::int64_t due = kT0 - static_cast<std::int64_t>(rng() % 4);
    wheel.Add(due, i);
    expected.emplace_back(due, i);
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  auto fires = AdvanceTo(wheel, kT0);
  REQUIRE(fires.size() == expected.size());
  for (std::size_t i = 0; i < fires.size(); ++i) {
    REQUIRE(fires[i].due == expected[i].first);
    REQUIRE(fires[i].payload == expected[i].second);
  }
}

TEST_CASE("far-future timers cascade and fire on time", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  std::vector<std::int64_t> dues = {
      kT0 + kDay,           kT0 + 3 * kDay + 7,        kT0 + 49 * kDay + 17 * kHour + 2,
      kT0 + 50 * kDay,  // beyond 2^32 ms: level 4
      kT0 + 400 * kDay + 1, kT0 + 20 * 365 * kDay + 3, std::numeric_limits<std::int64_t>::max()};
  for (std::size_t i = 0; i < dues.size(); ++i) wheel.Add(dues[i], i);

  SECTION("hour-sized steps: fires in the step that crosses it") {
    std::int64_t prev = kT0;
    std::size_t next = 0;
    for (std::int64_t t = kT0 + kHour; t <= kT0 + 21 * 365 * kDay; t += 7 * kHour + 13) {
      for (const Fire& f : AdvanceTo(wheel, t)) {
        REQUIRE(f.payload == next);
        REQUIRE(f.due == dues[next]);
        REQUIRE(f.due > prev);
        REQUIRE(f.due <= t);
        ++next;
      }
      prev = t;
    }
    REQUIRE(next == dues.size() - 1);
    REQUIRE(wheel.NextDue() == std::numeric_limits<std::int64_t>::max());
  }
  SECTION("exactly: not at due - 1, yes at due") {
    for (std::size_t i = 0; i < dues.size(); ++i) {
      REQUIRE(wheel.NextDue() == dues[i]);
      REQUIRE(AdvanceTo(wheel, dues[i] - 1).empty());
      auto fires = AdvanceTo(wheel, dues[i]);
      REQUIRE(fires.size() == 1);
      REQUIRE(fires[0].payload == i);
    }
    REQUIRE(wheel.empty());
    REQUIRE_FALSE(wheel.NextDue().has_value());
  }
}

TEST_CASE("negative times and the full int64 range", "[timer_wheel]") {
  TimerWheel wheel(-5000);
  wheel.Add(-10, 1);
  wheel.Add(3, 2);
  wheel.Add(-4999, 0);
  wheel.Add(std::numeric_limits<std::int64_t>::min(), 9);  // past: next Advance
  auto fires = AdvanceTo(wheel, 0);
  REQUIRE(Payloads(fires) == std::vector<std::uint64_t>{9, 0, 1});
  REQUIRE(Payloads(AdvanceTo(wheel, 3)) == std::vector<std::uint64_t>{2});
}

TEST_CASE("callbacks may add and cancel during Advance", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  std::vector<std::uint64_t> order;
  TimerId self_id = 0, victim_same_due = 0, victim_later = 0;
  self_id = wheel.Add(kT0 + 10, 1);
  victim_same_due = wheel.Add(kT0 + 10, 2);
  wheel.Add(kT0 + 10, 3);
  victim_later = wheel.Add(kT0 + 50, 4);
  wheel.Add(kT0 + 60, 5);

  std::size_t n =
      wheel.Advance(kT0 + 100, [&](TimerId id, std::uint64_t payload, std::int64_t due) {
        order.push_back(payload);
        REQUIRE(wheel.now_ms() == due);
        if (payload == 1) {
          REQUIRE(id == self_id);
          REQUIRE_FALSE(wheel.Cancel(self_id));  // already fired
          REQUIRE(wheel.Cancel(victim_same_due));
          REQUIRE(wheel.Cancel(victim_later));
          wheel.Add(kT0 + 30, 6);   // later in this Advance
          wheel.Add(kT0 + 10, 7);   // == now: next Advance
          wheel.Add(kT0 + 1, 8);    // past: next Advance, before 7
          wheel.Add(kT0 + 500, 9);  // beyond the target
          REQUIRE(wheel.NextDue() == kT0 + 1);
        }
        if (payload == 6) wheel.Add(kT0 + 60, 10);  // ties with 5, added after it
      });
  REQUIRE(n == 5);
  REQUIRE(order == std::vector<std::uint64_t>{1, 3, 6, 5, 10});
  order.clear();
  REQUIRE(wheel.NextDue() == kT0 + 1);
  wheel.Advance(kT0 + 100,
                [&](TimerId, std::uint64_t payload, std::int64_t) { order.push_back(payload); });
  REQUIRE(order == std::vector<std::uint64_t>{8, 7});
  REQUIRE(wheel.NextDue() == kT0 + 500);
}

TEST_CASE("a callback re-adding itself at now does not loop", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  wheel.Add(kT0 + 1, 1);
  int calls = 0;
  auto fire = [&](TimerId, std::uint64_t payload, std::int64_t) {
    ++calls;
    wheel.Add(wheel.now_ms(), payload);
  };
  REQUIRE(wheel.Advance(kT0 + 10, fire) == 1);
  REQUIRE(wheel.Advance(kT0 + 10, fire) == 1);
  REQUIRE(calls == 2);
  REQUIRE(wheel.size() == 1);
}

TEST_CASE("max_fires stops and the next Advance continues in the same order", "[timer_wheel]") {
  TimerWheel wheel(kT0 + 100);
  for (std::uint64_t i = 0; i < 10; ++i) wheel.Add(kT0 + 200, i);  // one slot, ties
  wheel.Add(kT0 + 50, 100);                                        // past
  wheel.Add(kT0 + 300, 200);
  std::vector<std::uint64_t> order;
  auto fire = [&](TimerId, std::uint64_t payload, std::int64_t) {
    order.push_back(payload);
    if (payload == 3) wheel.Add(kT0 + 200, 50);  // == now: after the remaining ties
  };
  REQUIRE(wheel.Advance(kT0 + 1000, fire, 5) == 5);
  REQUIRE(wheel.now_ms() == kT0 + 200);
  REQUIRE(wheel.NextDue() == kT0 + 200);
  REQUIRE(wheel.Advance(kT0 + 1000, fire, 3) == 3);
  REQUIRE(wheel.Advance(kT0 + 1000, fire) == 5);
  REQUIRE(order == std::vector<std::uint64_t>{100, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 50, 200});
}

TEST_CASE("NextDue is exact", "[timer_wheel]") {
  TimerWheel wheel(kT0);
  REQUIRE_FALSE(wheel.NextDue().has_value());
  TimerId far = wheel.Add(kT0 + 3 * kHour + 999, 1);
  REQUIRE(wheel.NextDue() == kT0 + 3 * kHour + 999);
  // Several deadlines in one high-level slot: the minimum, not the slot start.
  wheel.Add(kT0 + 3 * kHour + 5, 2);
  TimerId mid = wheel.Add(kT0 + 3 * kHour + 3, 3);
  REQUIRE(wheel.NextDue() == kT0 + 3 * kHour + 3);
  REQUIRE(wheel.Cancel(mid));
  REQUIRE(wheel.NextDue() == kT0 + 3 * kHour + 5);
  TimerId near = wheel.Add(kT0 + 7, 4);
  REQUIRE(wheel.NextDue() == kT0 + 7);
  REQUIRE(wheel.Cancel(near));
  REQUIRE(wheel.NextDue() == kT0 + 3 * kHour + 5);
  AdvanceTo(wheel, kT0 + 3 * kHour);  // cascades nothing yet fired
  REQUIRE(wheel.NextDue() == kT0 + 3 * kHour + 5);
  REQUIRE(AdvanceTo(wheel, kT0 + 3 * kHour + 5).size() == 1);
  REQUIRE(wheel.NextDue() == kT0 + 3 * kHour + 999);
  REQUIRE(wheel.Cancel(far));
  REQUIRE_FALSE(wheel.NextDue().has_value());
}

namespace {

// The reference: every pending timer in a std::map ordered by (deadline, insertion number).
// Adds from callbacks due at or before the deadline being fired wait for the next Advance.
class Model {
 public:
  explicit Model(std::int64_t now) : now_(now) {}

  void Add(TimerId id, std::int64_t due, std::uint64_t payload) {
    Key key{due, seq_++};
    bool defer = advancing_ && due <= cur_;
    (defer ? deferred_ : pending_)[key] = {id, payload};
    where_[id] = {defer, key};
  }
  bool Cancel(TimerId id) {
    auto it = where_.find(id);
    if (it == where_.end()) return false;
    (it->second.first ? deferred_ : pending_).erase(it->second.second);
    where_.erase(it);
    return true;
  }
  void Begin(std::int64_t target) {
    advancing_ = true;
    cur_ = now_;
    target_ = std::max(now_, target);
  }
  std::optional<Fire> Next() {
    if (pending_.empty() || pending_.begin()->first.first > target_) return std::nullopt;
    auto it = pending_.begin();
    Fire f{it->second.first, it->second.second, it->first.first};
    cur_ = std::max(cur_, f.due);
    where_.erase(f.id);
    pending_.erase(it);
    return f;
  }
  void End(bool stopped_by_limit) {
    advancing_ = false;
    now_ = stopped_by_limit ? cur_ : target_;
    for (auto& [key, value] : deferred_) {
      pending_[key] = value;
      where_[value.first] = {false, key};
    }
    deferred_.clear();
  }
  std::optional<std::int64_t> NextDue() const {
    std::optional<std::int64_t> best;
    if (!pending_.empty()) best = pending_.begin()->first.first;
    if (!deferred_.empty() && (!best || deferred_.begin()->first.first < *best)) {
      best = deferred_.begin()->first.first;
    }
    return best;
  }
  std::size_t size() const { return where_.size(); }
  std::int64_t now() const { return now_; }

 private:
  using Key = std::pair<std::int64_t, std::uint64_t>;
  std::int64_t now_;
  std::int64_t cur_ = 0;
  std::int64_t target_ = 0;
  bool advancing_ = false;
  std::uint64_t seq_ = 0;
  std::map<Key, std::pair<TimerId, std::uint64_t>> pending_, deferred_;
  std::unordered_map<TimerId, std::pair<bool, Key>> where_;
};

}  // namespace

TEST_CASE("randomized against a std::map model", "[timer_wheel]") {
  const std::uint64_t seed = GENERATE(1u, 2u, 3u);
  std::mt19937_64 rng(seed);
  auto uniform = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  auto chance = [&](int percent) { return uniform(0, 99) < percent; };

  TimerWheel wheel(kT0);
  Model model(kT0);
  std::vector<TimerId> ids;  // every id ever issued (most are stale eventually)
  std::unordered_set<TimerId> unique_ids;
  std::uint64_t next_payload = 0;
  std::size_t fired_total = 0;

  auto random_due = [&]() -> std::int64_t {
    std::int64_t now = wheel.now_ms();
    switch (uniform(0, 9)) {
      case 0:
        return chance(50) ? now : now - uniform(1, 5000);  // now (ties in callbacks), past
      case 1:
        return now + uniform(1, 5);
      case 2:
      case 3:
        return now + uniform(1, 300);
      case 4:
      case 5:
        return now + uniform(1, 5 * kMinute);
      case 6:
        return now + uniform(1, 6 * kHour);
      case 7:
        return now + uniform(1, 3 * kDay);
      case 8:
        return now + uniform(1, 100 * kDay);  // crosses 2^32 ms
      default:
        return now + 100 * (uniform(1, 50));  // many ties
    }
  };
  auto add = [&] {
    std::int64_t due = random_due();
    std::uint64_t payload = next_payload++;
    TimerId id = wheel.Add(due, payload);
    REQUIRE(id != 0);
    REQUIRE(unique_ids.insert(id).second);
    model.Add(id, due, payload);
    ids.push_back(id);
  };
  auto cancel = [&] {
    TimerId id =
        ids.empty() || chance(3) ? static_cast<TimerId>(rng()) : ids[uniform(0, ids.size() - 1)];
    REQUIRE(wheel.Cancel(id) == model.Cancel(id));
  };

  for (int op = 0; op < 200'000; ++op) {
    int kind = static_cast<int>(uniform(0, 99));
    if (kind < 45) {
      add();
    } else if (kind < 70) {
      cancel();
    } else {
      std::int64_t now = wheel.now_ms();
      std::int64_t target;
      switch (uniform(0, 9)) {
        case 0:
          target = now - uniform(0, kMinute);
          break;  // clock stepped back
        case 1:
          target = now;
          break;
        case 2:
        case 3:
        case 4:
          target = now + uniform(1, 50);
          break;
        case 5:
        case 6:
          target = now + uniform(1, 2000);
          break;
        case 7:
          target = now + uniform(1, 10 * kMinute);
          break;
        case 8:
          target = now + uniform(1, 8 * kHour);
          break;
        default:
          target = now + uniform(1, 20 * kDay);
          break;
      }
      std::size_t limit = chance(15) ? static_cast<std::size_t>(uniform(1, 20))
                                     : std::numeric_limits<std::size_t>::max();
      model.Begin(target);
      std::size_t n = wheel.Advance(
          target,
          [&](TimerId id, std::uint64_t payload, std::int64_t due) {
            std::optional<Fire> expected = model.Next();
            REQUIRE(expected.has_value());
            REQUIRE(*expected == Fire{id, payload, due});
            REQUIRE(wheel.size() == model.size());
            if (chance(10)) add();
            if (chance(10)) cancel();
            if (chance(2)) REQUIRE(wheel.NextDue() == model.NextDue());
          },
          limit);
      fired_total += n;
      bool stopped = n == limit;
      if (!stopped) REQUIRE_FALSE(model.Next().has_value());
      model.End(stopped);
      REQUIRE(wheel.now_ms() == model.now());
    }
    REQUIRE(wheel.size() == model.size());
    if (op % 7 == 0) REQUIRE(wheel.NextDue() == model.NextDue());
  }
  // Drain everything, far in the future.
  model.Begin(kT0 + 100'000 * kDay);
  wheel.Advance(kT0 + 100'000 * kDay, [&](TimerId id, std::uint64_t payload, std::int64_t due) {
    std::optional<Fire> expected = model.Next();
    REQUIRE(expected.has_value());
    REQUIRE(*expected == Fire{id, payload, due});
    ++fired_total;
  });
  model.End(false);
  REQUIRE(wheel.empty());
  REQUIRE(model.size() == 0);
  REQUIRE(fired_total > 10'000);
}

// --- TimerService on a real io_context --------------------------------------------------------

TEST_CASE("TimerService fires on time, in order, and honours Cancel", "[timer_service]") {
  boost::asio::io_context io;
  std::vector<std::pair<std::uint64_t, std::int64_t>> fired;  // payload, lateness ms
  SystemClock wall_clock;
  std::unique_ptr<TimerService> service;
  service = std::make_unique<TimerService>(
      io.get_executor(), [&](TimerId, std::uint64_t payload, std::int64_t due) {
        fired.emplace_back(payload, TimerService::SystemNowMs() - due);
        if (payload == 2) service->Add(TimerService::SystemNowMs() + 5, 4);
        if (fired.size() == 4) io.stop();
      },
      wall_clock);
  std::int64_t now = TimerService::SystemNowMs();
  service->Add(now + 60, 3);
  service->Add(now + 20, 1);  // earlier than the armed deadline: re-arms
  TimerId cancelled = service->Add(now + 10, 99);
  service->Add(now + 40, 2);
  service->Add(now - 1000, 0);  // past: at once
  REQUIRE(service->Cancel(cancelled));
  boost::asio::steady_timer guard(io, std::chrono::seconds(5));
  guard.async_wait([&](auto) { io.stop(); });
  io.run();
  REQUIRE(fired.size() == 4);
  REQUIRE(fired[0].first == 0);
  REQUIRE(fired[1].first == 1);
  REQUIRE(fired[2].first == 2);
  REQUIRE(fired[3].first == 4);
  for (std::size_t i = 1; i < fired.size(); ++i) {
    REQUIRE(fired[i].second >= 0);   // never early
    REQUIRE(fired[i].second < 500);  // loose: shared CI machines
  }
  REQUIRE(service->size() == 1);
}

TEST_CASE("TimerService yields between turns of many due timers", "[timer_service]") {
  boost::asio::io_context io;
  std::vector<std::uint64_t> order;
  int interleaved_at = -1;
  SystemClock wall_clock;
  TimerService service(
      io.get_executor(),
      [&](TimerId, std::uint64_t payload, std::int64_t) {
        order.push_back(payload);
        // Queued during the first turn: runs after it, before the continuation.
        if (payload == 0) {
          boost::asio::post(io, [&] { interleaved_at = static_cast<int>(order.size()); });
        }
      },
      wall_clock, 100);
  std::int64_t now = TimerService::SystemNowMs();
  for (std::uint64_t i = 0; i < 1000; ++i)
    service.Add(now - 1000 + static_cast<std::int64_t>(i), i);
  io.run();
  REQUIRE(order.size() == 1000);
  for (std::uint64_t i = 0; i < 1000; ++i) REQUIRE(order[i] == i);
  REQUIRE(interleaved_at == 100);
}
