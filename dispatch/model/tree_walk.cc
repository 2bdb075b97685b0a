#include "dispatch/model/tree_walk.h"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace tocsin {
namespace {

constexpr std::array<std::string_view, 6> kStateNames = {"pending", "waiting", "contacted",
                                                         "backup",  "reached", "dead"};
constexpr std::array<std::string_view, 4> kViaNames = {"", "member", "relay", "backup"};

// Rule 2: whether `parent` lets its children start.
bool Releases(const WalkNode* parent, TreeMode mode) {
  if (parent == nullptr) return true;
  if (IsFinal(parent->state)) return true;
  return mode == TreeMode::kAutomated && parent->state == NodeState::kBackup;
}

void Move(WalkNode& n, NodeState state, std::int64_t due_ms) {
  n.state = state;
  n.due_ms = due_ms;
  n.changed = true;
}

}  // namespace

std::string_view NodeStateName(NodeState s) { return kStateNames[static_cast<std::size_t>(s)]; }
std::string_view ReachedViaName(ReachedVia v) { return kViaNames[static_cast<std::size_t>(v)]; }

NodeState ParseNodeState(std::string_view s) {
  auto it = std::find(kStateNames.begin(), kStateNames.end(), s);
  return it == kStateNames.end() ? NodeState::kPending : static_cast<NodeState>(it - kStateNames.begin());
}

ReachedVia ParseReachedVia(std::string_view s) {
  if (s.empty()) return ReachedVia::kNone;
  auto it = std::find(kViaNames.begin(), kViaNames.end(), s);
  return it == kViaNames.end() ? ReachedVia::kNone : static_cast<ReachedVia>(it - kViaNames.begin());
}

std::vector<std::int64_t> AdvanceWalk(std::vector<WalkNode>& nodes, TreeMode mode, std::int64_t wait_ms,
                                      std::int64_t now_ms, const WalkFacts& facts) {
  std::unordered_map<std::int64_t, std::size_t> index;
  index.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    index.emplace(nodes[i].member, i);
    nodes[i].changed = false;
  }
  std::vector<std::int64_t> contact;
  const std::int64_t due = now_ms + wait_ms;

  for (auto& n : nodes) {
    // Rule 5: a node given up whose member (or backup) answers after all is reached.
    if (n.state == NodeState::kDead && (facts.answered(n.member) || (n.backup != 0 && facts.answered(n.backup)))) {
      n.via = facts.answered(n.member) ? ReachedVia::kMember : ReachedVia::kBackup;
      Move(n, NodeState::kReached, 0);
      continue;
    }
    if (IsFinal(n.state)) continue;
    const bool fresh = n.changed;  // moved earlier in this call: nothing sent to it yet
    // Rule 1.
    if (facts.answered(n.member)) {
      bool contacted = n.state == NodeState::kContacted || n.state == NodeState::kBackup;
      n.via = contacted ? ReachedVia::kMember : ReachedVia::kRelay;
      Move(n, NodeState::kReached, 0);
      continue;
    }
    if (n.state == NodeState::kBackup && facts.answered(n.backup)) {
      n.via = ReachedVia::kBackup;
      Move(n, NodeState::kReached, 0);
      continue;
    }
    // Rule 2.
    if (n.state == NodeState::kPending) {
      auto p = index.find(n.parent);
      const WalkNode* parent = p == index.end() ? nullptr : &nodes[p->second];
      if (!Releases(parent, mode)) continue;
      if (mode == TreeMode::kRelay && parent != nullptr && parent->state == NodeState::kReached) {
        Move(n, NodeState::kWaiting, due);
      } else {
        Move(n, NodeState::kContacted, due);
        contact.push_back(n.member);
      }
      continue;
    }
    // Rule 3.
    if (n.state == NodeState::kWaiting) {
      if (now_ms >= n.due_ms) {
        Move(n, NodeState::kContacted, due);
        contact.push_back(n.member);
      }
      continue;
    }
    // Rule 4.
    if (n.state == NodeState::kContacted &&
        (now_ms >= n.due_ms || (!fresh && facts.unreachable(n.member)))) {
      if (n.backup != 0 && n.backup != n.member) {
        Move(n, NodeState::kBackup, due);
        contact.push_back(n.backup);
      } else {
        Move(n, NodeState::kDead, 0);
      }
    } else if (n.state == NodeState::kBackup &&
               (now_ms >= n.due_ms || (!fresh && facts.unreachable(n.backup)))) {
      Move(n, NodeState::kDead, 0);
    }
  }
  return contact;
}

std::int64_t NextDue(const std::vector<WalkNode>& nodes) {
  std::int64_t next = 0;
  for (const auto& n : nodes) {
    if (IsFinal(n.state) || n.due_ms == 0) continue;
    if (next == 0 || n.due_ms < next) next = n.due_ms;
  }
  return next;
}

}  // namespace tocsin
