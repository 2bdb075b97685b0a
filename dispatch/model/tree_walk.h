// How a phone tree moves during an alert: the state of each node and the rules that move it, as
// a pure function of the nodes, what the members have done, and the time. The database side
// (tree_run.h) loads the nodes, asks AdvanceWalk what changes, contacts whom it says, stores the
// new states and sets a deadline for the earliest `due_ms`.
//
// A node's life:
//   pending    not started: its parent has not released it yet (roots start at once);
//   waiting    relay mode: its parent was reached and is phoning it; it has until due_ms to
//              confirm (text 1) before Tocsin contacts it directly;
//   contacted  Tocsin sent it the alert; it has until due_ms to answer;
//   backup     it stayed silent (or could not be reached): its backup was sent the alert and has
//              until due_ms to answer;
//   reached    it (or its backup) answered — `going` or `cannot` both mean the message got there;
//   dead       neither answered in time: the node is given up and its children are released.
// `reached` is final; `dead` is final but for rule 5.
//
// Rules, applied to every node in breadth-first order (parents before their children, so one
// call carries a change down the whole tree):
//  1. A member who has answered is reached wherever their node stood (via `member` if Tocsin had
//     contacted them, else via `relay`: someone in the tree passed the message on). A node in
//     `backup` whose backup answered is reached via `backup`.
//  2. A pending node is released when it is a root, or when its parent is reached or dead, or
//     (automated mode only) when its parent's own wait has passed (the parent is in `backup`).
//     Released in relay mode under a reached parent, it waits for the parent's call; otherwise
//     Tocsin contacts it.
//  3. waiting past due_ms -> contacted (Tocsin contacts it directly).
//  4. contacted past due_ms, or unreachable -> backup (when it has one other than itself),
//     else dead. backup past due_ms, or the backup unreachable -> dead.
//  5. A dead node whose member (or backup) answers after all is reached (via member or backup);
//     its children were released when it died, so nothing else changes.
// A node that changed state in this call is not tested for unreachability in the same call: its
// delivery does not exist yet. The caller contacts, then calls again to see failures at once.
//
// Thread safety: pure functions on values.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "dispatch/model/tree_spec.h"

namespace tocsin {

enum class NodeState { kPending, kWaiting, kContacted, kBackup, kReached, kDead };
enum class ReachedVia { kNone, kMember, kRelay, kBackup };

std::string_view NodeStateName(NodeState s);
std::string_view ReachedViaName(ReachedVia v);  // "" for kNone
// Inverse of the above; unknown text -> kPending / kNone.
NodeState ParseNodeState(std::string_view s);
ReachedVia ParseReachedVia(std::string_view s);

struct WalkNode {
  std::int64_t member = 0;
  std::int64_t parent = 0;  // 0 (or a member with no node): a root
  std::int64_t backup = 0;  // 0: none
  NodeState state = NodeState::kPending;
  ReachedVia via = ReachedVia::kNone;
  std::int64_t due_ms = 0;  // wall clock ms; 0 when the node waits for nothing
  bool changed = false;     // whether the last AdvanceWalk call moved the node
};

struct WalkFacts {
  std::function<bool(std::int64_t member)> answered;     // going or cannot, to this alert
  std::function<bool(std::int64_t member)> unreachable;  // sent nothing, or the sending failed
};

// Applies the rules above to `nodes` (breadth-first order) at `now_ms`; marks the nodes this call
// moved `changed` (and clears the mark on the others) and returns the members Tocsin must contact now (nodes and backups), in order.
std::vector<std::int64_t> AdvanceWalk(std::vector<WalkNode>& nodes, TreeMode mode, std::int64_t wait_ms,
                                      std::int64_t now_ms, const WalkFacts& facts);

// The earliest due_ms among nodes still waiting for something; 0 when none is.
std::int64_t NextDue(const std::vector<WalkNode>& nodes);

inline bool IsFinal(NodeState s) { return s == NodeState::kReached || s == NodeState::kDead; }

}  // namespace tocsin
