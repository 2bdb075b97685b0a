#include <catch2/catch.hpp>

#include <set>

#include "dispatch/model/tree_walk.h"

using namespace tocsin;

namespace {

constexpr std::int64_t kWait = 1000;

// 1 -> {2, 3}, 2 -> {4}; 1's backup is 9.
std::vector<WalkNode> SmallTree() {
  return {{1, 0, 9}, {2, 1, 0}, {3, 1, 0}, {4, 2, 0}};
}

struct World {
  std::set<std::int64_t> answered, unreachable;
  WalkFacts Facts() {
    return {[this](std::int64_t m) { return answered.count(m) > 0; },
            [this](std::int64_t m) { return unreachable.count(m) > 0; }};
  }
};

NodeState StateOf(const std::vector<WalkNode>& nodes, std::int64_t member) {
  for (const auto& n : nodes) {
    if (n.member == member) return n.state;
  }
  FAIL("no node " << member);
  return NodeState::kPending;
}

}  // namespace

TEST_CASE("tree walk: automated, each level when the one above answers or its wait passes", "[trees]") {
  auto nodes = SmallTree();
  World w;
  CHECK(AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 0, w.Facts()) == std::vector<std::int64_t>{1});
  CHECK(StateOf(nodes, 1) == NodeState::kContacted);
  CHECK(StateOf(nodes, 2) == NodeState::kPending);
  CHECK(NextDue(nodes) == kWait);

  // Nothing changes before the wait passes.
  CHECK(AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 500, w.Facts()).empty());

  // 1 answers: its children are contacted at once; 4 waits for 2.
  w.answered.insert(1);
  CHECK(AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 600, w.Facts()) == std::vector<std::int64_t>{2, 3});
  CHECK(nodes[0].via == ReachedVia::kMember);
  CHECK(StateOf(nodes, 4) == NodeState::kPending);

  // 2 stays silent: past its wait, with no backup it is dead and 4 is contacted in the same call.
  CHECK(AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 1600, w.Facts()) == std::vector<std::int64_t>{4});
  CHECK(StateOf(nodes, 2) == NodeState::kDead);
  CHECK(StateOf(nodes, 3) == NodeState::kDead);
  CHECK(StateOf(nodes, 4) == NodeState::kContacted);
}

TEST_CASE("tree walk: a silent node's backup, then its children directly (relay)", "[trees]") {
  auto nodes = SmallTree();
  World w;
  AdvanceWalk(nodes, TreeMode::kRelay, kWait, 0, w.Facts());
  // 1 silent past the wait: the backup 9 is contacted; in relay mode the children still wait.
  CHECK(AdvanceWalk(nodes, TreeMode::kRelay, kWait, 1000, w.Facts()) == std::vector<std::int64_t>{9});
  CHECK(StateOf(nodes, 1) == NodeState::kBackup);
  CHECK(StateOf(nodes, 2) == NodeState::kPending);
  // The backup is silent too: 1 is dead and Tocsin contacts 2 and 3 directly.
  CHECK(AdvanceWalk(nodes, TreeMode::kRelay, kWait, 2000, w.Facts()) == std::vector<std::int64_t>{2, 3});
  CHECK(StateOf(nodes, 1) == NodeState::kDead);
}

TEST_CASE("tree walk: a dead node whose member answers late is reached after all (issue 9, defect 7)",
          "[trees]") {
  auto nodes = SmallTree();
  World w;
  AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 0, w.Facts());
  AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 1000, w.Facts());
  AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 2000, w.Facts());
  REQUIRE(StateOf(nodes, 1) == NodeState::kDead);
  w.answered.insert(1);
  CHECK(AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 2500, w.Facts()).empty());  // nobody new
  CHECK(StateOf(nodes, 1) == NodeState::kReached);
  CHECK(nodes[0].via == ReachedVia::kMember);
  CHECK(nodes[0].changed);
  // Via the backup, likewise.
  auto again = SmallTree();
  World v;
  AdvanceWalk(again, TreeMode::kAutomated, kWait, 0, v.Facts());
  AdvanceWalk(again, TreeMode::kAutomated, kWait, 1000, v.Facts());
  AdvanceWalk(again, TreeMode::kAutomated, kWait, 2000, v.Facts());
  v.answered.insert(9);
  AdvanceWalk(again, TreeMode::kAutomated, kWait, 2500, v.Facts());
  CHECK(StateOf(again, 1) == NodeState::kReached);
  CHECK(again[0].via == ReachedVia::kBackup);
}

TEST_CASE("tree walk: relay, a branch confirms without Tocsin and the rest are contacted", "[trees]") {
  auto nodes = SmallTree();
  World w;
  AdvanceWalk(nodes, TreeMode::kRelay, kWait, 0, w.Facts());
  w.answered.insert(1);
  // 1 is reached: 2 and 3 wait for 1's call; nobody is contacted by Tocsin.
  CHECK(AdvanceWalk(nodes, TreeMode::kRelay, kWait, 100, w.Facts()).empty());
  CHECK(StateOf(nodes, 2) == NodeState::kWaiting);
  // 2 confirms; 3 does not within the wait and is contacted directly; 4 waits for 2's call.
  w.answered.insert(2);
  CHECK(AdvanceWalk(nodes, TreeMode::kRelay, kWait, 1100, w.Facts()) == std::vector<std::int64_t>{3});
  CHECK(nodes[1].via == ReachedVia::kRelay);
  CHECK(StateOf(nodes, 4) == NodeState::kWaiting);
}

TEST_CASE("tree walk: an unreachable member goes to the backup without waiting", "[trees]") {
  auto nodes = SmallTree();
  World w;
  AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 0, w.Facts());
  w.unreachable.insert(1);
  // Just contacted in this call: its failure is not judged before a delivery exists.
  CHECK(AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 10, w.Facts()) == std::vector<std::int64_t>{9, 2, 3});
  CHECK(StateOf(nodes, 1) == NodeState::kBackup);
  w.answered.insert(9);
  AdvanceWalk(nodes, TreeMode::kAutomated, kWait, 20, w.Facts());
  CHECK(StateOf(nodes, 1) == NodeState::kReached);
  CHECK(nodes[0].via == ReachedVia::kBackup);
  CHECK_FALSE(nodes[1].changed);  // unchanged by the last call
}

TEST_CASE("tree walk: a node whose parent is gone is a root; names round-trip", "[trees]") {
  std::vector<WalkNode> nodes = {{5, 77, 0}};
  World w;
  CHECK(AdvanceWalk(nodes, TreeMode::kRelay, kWait, 0, w.Facts()) == std::vector<std::int64_t>{5});
  for (auto s : {NodeState::kPending, NodeState::kWaiting, NodeState::kContacted, NodeState::kBackup,
                 NodeState::kReached, NodeState::kDead}) {
    CHECK(ParseNodeState(NodeStateName(s)) == s);
  }
  for (auto v : {ReachedVia::kNone, ReachedVia::kMember, ReachedVia::kRelay, ReachedVia::kBackup}) {
    CHECK(ParseReachedVia(ReachedViaName(v)) == v);
  }
}
