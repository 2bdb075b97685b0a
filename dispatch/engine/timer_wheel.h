// TimerWheel: the escalation engine's pending deadlines ("no answer within 3 minutes -> remind",
// "step wait passed -> next step"), up to millions of them, in memory.
//
// Time is wall-clock milliseconds since the Unix epoch (int64), the same value the engine stores
// as `due_at` in PostgreSQL, so timers are rebuilt after a restart by adding them again; a
// deadline that passed while the process was down fires at the next Advance. Resolution is 1 ms:
// a timer fires at the first Advance whose `now_ms` is >= its deadline, and the fire callback
// gets its exact `due_ms`. Any int64 deadline is accepted (days, years ahead: no overflow list).
//
// Structure: a hierarchical timing wheel of 8 levels x 256 slots over the 64-bit time (level k
// slot = byte k of the deadline: 1 ms, 256 ms, 65.5 s, 4.66 h, 49.7 days, ...). Each slot is an
// intrusive doubly-linked list of 32-byte nodes taken from a free list over 4096-node chunks, so
// Add and Cancel do not allocate (one chunk allocation per 4096 timers at growth, never freed)
// and cost O(1). A timer moves down a level at most once per level ("cascade"), so Advance costs
// O(timers fired + cascades + levels) and skips empty time with per-level occupancy bitmaps.
// Memory is ~32 bytes per pending timer plus ~64 KiB fixed (see tests/bench/timer_bench.cc).
//
// Ids: a TimerId is (generation << 32 | node index). A node's generation changes each time it is
// freed, so a stale id (fired or cancelled, slot since reused) never cancels the new occupant.
// Generations wrap after 2^32 reuses of one node; 0 is never a TimerId.
//
// Invariants (outside Advance; the "transient" cases arise only inside it):
//  1. Every pending timer is in exactly one list: a wheel slot, past_ (Added with a deadline at
//     or before now_, or otherwise left to fire at the next Advance), or firing_ (the sorted
//     batch of an Advance, non-empty afterwards only if a callback threw).
//  2. A wheel timer with deadline d sits at level L = index of the highest byte in which key(d)
//     and key(now_) differ, slot = byte L of key(d); so every wheel deadline is > now_, and
//     all timers with equal deadlines share one list. Transient: a level-0 slot may hold
//     deadlines == now_ (a cascade landed on now_, or Advance stopped at max_fires mid-slot).
//  3. Deadlines at a lower level precede all deadlines at a higher level; within a level, slot
//     order is deadline order. So the earliest wheel timer is in the first occupied slot of the
//     lowest occupied level, and in level 0 a slot holds a single deadline.
//  4. Each list keeps insertion order (cascades move timers in list order), hence ties fire in
//     insertion order; past_ timers all precede wheel timers (deadline <= now_ < wheel).
//  5. Bit (L, s) of occupied_ is set iff slot (L, s) is non-empty; bit L of level_mask_ iff any
//     slot of level L is.
//
// Thread safety: none. A TimerWheel belongs to one executor or strand (see TimerService), and all
// calls, including those made from fire callbacks, happen there.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace tocsin {

class TimerWheel {
 public:
  using TimerId = std::uint64_t;

  // The wheel's time starts at `now_ms`; deadlines at or before it fire at the first Advance.
  explicit TimerWheel(std::int64_t now_ms);
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // Schedules `payload` for `due_ms`. A deadline at or before now_ms() (also from inside a fire
  // callback, where now_ms() is the deadline being fired) fires at the next Advance, in deadline
  // order with the others. Never returns 0. O(1); allocates only to grow the node pool.
  TimerId Add(std::int64_t due_ms, std::uint64_t payload);

  // Removes a pending timer. False if `id` is unknown, already fired or already cancelled
  // (including the timer whose callback is running). O(1).
  bool Cancel(TimerId id);

  // Moves time to max(now_ms(), now_ms) and calls fire(TimerId id, std::uint64_t payload,
  // std::int64_t due_ms) for every timer due at or before it, in deadline order, ties in
  // insertion order; past-due timers first. Returns the number fired.
  //  1. During a callback now_ms() is the deadline being fired (or the old time for timers that
  //     were already past due), and the timer is no longer pending.
  //  2. A callback may Add and Cancel freely: an added timer due later than now_ms() but not
  //     after the target fires in this call at its place in the order; one due at or before
  //     now_ms() fires at the next Advance (so a callback re-adding "now" cannot loop forever).
  //  3. At most `max_fires` timers fire; if the limit stops it, time stays at the last deadline
  //     fired and the next Advance goes on in exactly the same order (a loop can yield between).
  //  4. Must not be called from inside a callback. If a callback throws, the exception
  //     propagates; that timer counts as fired, the rest stay pending and the wheel stays valid.
  template <typename F>
  std::size_t Advance(std::int64_t now_ms, F&& fire,
                      std::size_t max_fires = std::numeric_limits<std::size_t>::max());

  // The earliest pending deadline, exact (not a bound), or nullopt when nothing is pending. It
  // may be <= now_ms() (past-due timers): then the next Advance fires it whatever its argument.
  // Cached: O(1) unless the earliest timer changed (cancelled, fired); then it walks one wheel
  // slot, or the past-due list when there is one.
  std::optional<std::int64_t> NextDue() const;

  // Pending timers.
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The wheel's time: the last Advance target (or the deadline being fired, in a callback).
  std::int64_t now_ms() const { return KeyToMs(now_key_); }
  // Bytes the wheel has allocated (node chunks, chunk table, scratch), for the benchmark.
  std::size_t MemoryBytes() const;

 private:
  static constexpr int kLevelBits = 8;
  static constexpr int kLevels = 64 / kLevelBits;
  static constexpr std::uint32_t kSlotsPerLevel = 1u << kLevelBits;
  static constexpr std::uint32_t kWheelLists = kLevels * kSlotsPerLevel;  // sentinels 0..2047
  static constexpr std::uint32_t kPastList = kWheelLists;                 // sentinel 2048
  static constexpr std::uint32_t kFiringList = kWheelLists + 1;           // sentinel 2049
  static constexpr std::uint32_t kFirstTimer = kWheelLists + 2;
  static constexpr std::uint32_t kChunkBits = 12;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr std::uint32_t kNil = 0xFFFFFFFFu;  // prev_ of a free node; end of free list

  // A timer, or a list sentinel (index < kFirstTimer). Lists are circular through the sentinel,
  // so unlinking needs no knowledge of which list a node is in.
  struct Node {
    std::int64_t due_ms;
    std::uint64_t payload;
    std::uint32_t prev;
    std::uint32_t next;
    std::uint32_t generation;
  };
  static_assert(sizeof(Node) == 32);

  struct Fired {
    TimerId id;
    std::uint64_t payload;
    std::int64_t due_ms;
  };

  // Order-preserving map from int64 ms to unsigned keys (flips the sign bit).
  static std::uint64_t MsToKey(std::int64_t ms) {
    return static_cast<std::uint64_t>(ms) ^ (std::uint64_t{1} << 63);
  }
  static std::int64_t KeyToMs(std::uint64_t key) {
    return static_cast<std::int64_t>(key ^ (std::uint64_t{1} << 63));
  }

  Node& At(std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }
  const Node& At(std::uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }

  std::uint32_t AllocNode();
  void FreeNode(std::uint32_t i);
  void Append(std::uint32_t list, std::uint32_t i);
  // Unlinks `i`; clears the occupancy bit if its wheel slot became empty.
  void Unlink(std::uint32_t i);
  // Appends timer `i` to the wheel slot invariant 2 gives it.
  void Place(std::uint32_t i);
  void SetBit(std::uint32_t list);
  void ClearBit(std::uint32_t list);
  // The first occupied wheel slot (lowest level, then lowest slot), or kNil.
  std::uint32_t FirstOccupiedSlot() const;

  // Advance's steps, out of line. BeginAdvance gathers past-due timers into firing_, sorted.
  void BeginAdvance();
  // Takes the next timer due at or before `target_key`, in order, and frees it; false when none
  // is left (time then moves to the target).
  bool PopNext(std::uint64_t target_key, Fired* out);

  std::vector<std::unique_ptr<Node[]>> chunks_;
  std::uint32_t node_count_ = 0;    // nodes handed out of chunks so far (incl. sentinels)
  std::uint32_t free_head_ = kNil;  // free list through Node::next
  std::size_t size_ = 0;
  std::uint64_t now_key_;
  std::uint64_t occupied_[kLevels][kSlotsPerLevel / 64] = {};
  std::uint32_t level_mask_ = 0;
  bool in_advance_ = false;
  std::vector<std::uint32_t> scratch_;  // BeginAdvance's sort buffer, kept to avoid reallocating

  // NextDue cache: valid while no change could have made it wrong.
  mutable bool next_due_valid_ = false;
  mutable std::optional<std::int64_t> next_due_;
};

template <typename F>
std::size_t TimerWheel::Advance(std::int64_t now_ms, F&& fire, std::size_t max_fires) {
  struct Guard {
    TimerWheel* wheel;
    ~Guard() {
      wheel->in_advance_ = false;
      wheel->next_due_valid_ = false;
    }
  };
  Guard guard{this};
  BeginAdvance();
  std::uint64_t target = std::max(now_key_, MsToKey(now_ms));
  std::size_t fired = 0;
  Fired f;
  while (fired < max_fires && PopNext(target, &f)) {
    ++fired;
    fire(f.id, f.payload, f.due_ms);
  }
  return fired;
}

}  // namespace tocsin
