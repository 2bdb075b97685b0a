#include "dispatch/engine/timer_wheel.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <stdexcept>

namespace tocsin {

TimerWheel::TimerWheel(std::int64_t now_ms) : now_key_(MsToKey(now_ms)) {
  chunks_.push_back(std::unique_ptr<Node[]>(new Node[kChunkSize]));
  for (std::uint32_t i = 0; i < kFirstTimer; ++i) {
    At(i) = Node{0, 0, i, i, 0};
  }
  node_count_ = kFirstTimer;
}

TimerWheel::TimerId TimerWheel::Add(std::int64_t due_ms, std::uint64_t payload) {
  std::uint32_t i = AllocNode();
  Node& node = At(i);
  node.due_ms = due_ms;
  node.payload = payload;
  if (MsToKey(due_ms) <= now_key_) {
    Append(kPastList, i);
  } else {
    Place(i);
  }
  ++size_;
  if (next_due_valid_ && (!next_due_ || due_ms < *next_due_)) next_due_ = due_ms;
  return (static_cast<TimerId>(node.generation) << 32) | i;
}

bool TimerWheel::Cancel(TimerId id) {
  auto i = static_cast<std::uint32_t>(id);
  auto generation = static_cast<std::uint32_t>(id >> 32);
  if (i < kFirstTimer || i >= node_count_) return false;
  Node& node = At(i);
  if (node.prev == kNil || node.generation != generation) return false;
  Unlink(i);
  // Cancelling the earliest timer is the only way a cancel can move NextDue.
  if (next_due_valid_ && next_due_ == node.due_ms) next_due_valid_ = false;
  FreeNode(i);
  --size_;
  return true;
}

std::optional<std::int64_t> TimerWheel::NextDue() const {
  if (next_due_valid_) return next_due_;
  std::optional<std::int64_t> best;
  auto scan = [&](std::uint32_t list) {
    for (std::uint32_t i = At(list).next; i != list; i = At(i).next) {
      if (!best || At(i).due_ms < *best) best = At(i).due_ms;
    }
  };
  // Past-due timers precede every wheel timer (invariant 4).
  scan(kFiringList);
  scan(kPastList);
  if (!best) {
    std::uint32_t slot = FirstOccupiedSlot();
    if (slot != kNil) {
      if (slot < kSlotsPerLevel) {
        best = KeyToMs((now_key_ & ~std::uint64_t{0xFF}) | slot);  // one deadline per slot
      } else {
        scan(slot);
      }
    }
  }
  next_due_ = best;
  next_due_valid_ = true;
  return best;
}

std::size_t TimerWheel::MemoryBytes() const {
  return sizeof(*this) + chunks_.size() * kChunkSize * sizeof(Node) +
         chunks_.capacity() * sizeof(chunks_[0]) + scratch_.capacity() * sizeof(scratch_[0]);
}

std::uint32_t TimerWheel::AllocNode() {
  if (free_head_ != kNil) {
    std::uint32_t i = free_head_;
    free_head_ = At(i).next;
    return i;
  }
  if (node_count_ == kNil) throw std::length_error("TimerWheel: too many timers");
  if ((node_count_ & (kChunkSize - 1)) == 0) {
    chunks_.push_back(std::unique_ptr<Node[]>(new Node[kChunkSize]));
  }
  std::uint32_t i = node_count_++;
  At(i).generation = 1;
  return i;
}

void TimerWheel::FreeNode(std::uint32_t i) {
  Node& node = At(i);
  ++node.generation;
  node.prev = kNil;
  node.next = free_head_;
  free_head_ = i;
}

void TimerWheel::Append(std::uint32_t list, std::uint32_t i) {
  Node& sentinel = At(list);
  std::uint32_t last = sentinel.prev;
  Node& node = At(i);
  node.prev = last;
  node.next = list;
  At(last).next = i;
  sentinel.prev = i;
}

void TimerWheel::Unlink(std::uint32_t i) {
  Node& node = At(i);
  std::uint32_t prev = node.prev;
  std::uint32_t next = node.next;
  At(prev).next = next;
  At(next).prev = prev;
  // prev == next only when just the sentinel is left.
  if (prev == next && prev < kWheelLists) ClearBit(prev);
}

void TimerWheel::Place(std::uint32_t i) {
  std::uint64_t key = MsToKey(At(i).due_ms);
  std::uint64_t diff = key ^ now_key_;
  int level = diff == 0 ? 0 : (63 - std::countl_zero(diff)) / kLevelBits;
  auto slot = static_cast<std::uint32_t>(key >> (level * kLevelBits)) & (kSlotsPerLevel - 1);
  std::uint32_t list = static_cast<std::uint32_t>(level) * kSlotsPerLevel + slot;
  Append(list, i);
  SetBit(list);
}

void TimerWheel::SetBit(std::uint32_t list) {
  std::uint32_t level = list / kSlotsPerLevel;
  std::uint32_t slot = list % kSlotsPerLevel;
  occupied_[level][slot / 64] |= std::uint64_t{1} << (slot % 64);
  level_mask_ |= 1u << level;
}

void TimerWheel::ClearBit(std::uint32_t list) {
  std::uint32_t level = list / kSlotsPerLevel;
  std::uint32_t slot = list % kSlotsPerLevel;
  std::uint64_t* words = occupied_[level];
  words[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
  if ((words[0] | words[1] | words[2] | words[3]) == 0) level_mask_ &= ~(1u << level);
}

std::uint32_t TimerWheel::FirstOccupiedSlot() const {
  if (level_mask_ == 0) return kNil;
  auto level = static_cast<std::uint32_t>(std::countr_zero(level_mask_));
  for (std::uint32_t w = 0; w < kSlotsPerLevel / 64; ++w) {
    std::uint64_t word = occupied_[level][w];
    if (word != 0) {
      return level * kSlotsPerLevel + w * 64 + static_cast<std::uint32_t>(std::countr_zero(word));
    }
  }
  return kNil;  // unreachable while invariant 5 holds
}

void TimerWheel::BeginAdvance() {
  assert(!in_advance_ && "TimerWheel::Advance called from a fire callback");
  in_advance_ = true;
  next_due_valid_ = false;
  // Moves all of `from` to the end of firing_, keeping its order.
  auto splice = [this](std::uint32_t from) {
    Node& src = At(from);
    if (src.next == from) return;
    std::uint32_t first = src.next;
    std::uint32_t last = src.prev;
    Node& dst = At(kFiringList);
    std::uint32_t dst_last = dst.prev;
    At(dst_last).next = first;
    At(first).prev = dst_last;
    At(last).next = kFiringList;
    dst.prev = last;
    src.next = src.prev = from;
    if (from < kWheelLists) ClearBit(from);
  };
  // Timers left due at exactly now_ in the current level-0 slot (a max_fires stop or a throw)
  // were added before any past-due timer with that deadline, so they go first for equal ties.
  auto current = static_cast<std::uint32_t>(now_key_ & (kSlotsPerLevel - 1));
  splice(current);
  splice(kPastList);

  // Stable sort by deadline: past_ was in insertion order.
  scratch_.clear();
  bool sorted = true;
  for (std::uint32_t i = At(kFiringList).next; i != kFiringList; i = At(i).next) {
    if (!scratch_.empty() && At(i).due_ms < At(scratch_.back()).due_ms) sorted = false;
    scratch_.push_back(i);
  }
  if (sorted) return;
  std::stable_sort(scratch_.begin(), scratch_.end(), [this](std::uint32_t a, std::uint32_t b) {
    return At(a).due_ms < At(b).due_ms;
  });
  At(kFiringList).next = At(kFiringList).prev = kFiringList;
  for (std::uint32_t i : scratch_) Append(kFiringList, i);
}

bool TimerWheel::PopNext(std::uint64_t target_key, Fired* out) {
  next_due_valid_ = false;
  auto take = [this, out](std::uint32_t i) {
    Unlink(i);
    Node& node = At(i);
    *out = Fired{(static_cast<TimerId>(node.generation) << 32) | i, node.payload, node.due_ms};
    FreeNode(i);
    --size_;
  };
  if (At(kFiringList).next != kFiringList) {
    take(At(kFiringList).next);
    return true;
  }
  for (;;) {
    std::uint32_t list = FirstOccupiedSlot();
    if (list == kNil) break;
    std::uint32_t level = list / kSlotsPerLevel;
    std::uint32_t slot = list % kSlotsPerLevel;
    int shift = static_cast<int>(level) * kLevelBits;
    int span = shift + kLevelBits;  // bits below the slot's level-(L+1) block
    std::uint64_t high = span >= 64 ? 0 : now_key_ & ~((std::uint64_t{1} << span) - 1);
    std::uint64_t slot_start = high | (static_cast<std::uint64_t>(slot) << shift);
    if (slot_start > target_key) break;
    // slot_start >= now_key_ (invariant 2), and moving there keeps every other timer valid:
    // lower levels are empty and bytes above `level` do not change.
    now_key_ = slot_start;
    if (level == 0) {
      take(At(list).next);  // a level-0 slot holds one deadline: slot_start
      return true;
    }
    // Cascade: each timer goes to a lower level (level 0 slot `now` if due exactly now).
    Node& sentinel = At(list);
    std::uint32_t i = sentinel.next;
    sentinel.next = sentinel.prev = list;
    ClearBit(list);
    while (i != list) {
      std::uint32_t next = At(i).next;
      Place(i);
      i = next;
    }
  }
  now_key_ = target_key;
  return false;
}

}  // namespace tocsin
