#include "dispatch/engine/tree_mover.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "dispatch/model/call_list.h"
#include "dispatch/model/tree_walk.h"
#include "dispatch/store/tree_run_store.h"
#include "dispatch/store/tree_store.h"

namespace tocsin {
namespace {

// A deep tree of unreachable members can need a pass per level to settle; past this many
// passes in one move the rest waits for the next deadline.
constexpr int kMaxPasses = 64;

// Keeps one pending 'tree' deadline no later than `due_ms`.
void EnsureDeadline(pqxx::work& tx, std::int64_t alert_id, std::int64_t due_ms, TreeMove& out) {
  auto earliest = EarliestDeadline(tx, alert_id, DeadlineKind::kTree);
  if (earliest && *earliest <= due_ms) return;
  out.timer = InsertDeadline(tx, alert_id, {DeadlineKind::kTree, 0, due_ms});
}

}  // namespace

TreeMove TreeMover::Start(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& name,
                          const std::string& channel, std::int64_t now_ms) const {
  auto tree = GetTree(tx, net.id, name);
  if (!tree.ok()) {
    spdlog::warn("alert {}: its policy names phone tree '{}', which does not exist: nobody reached by it",
                 alert_id, name);
    return {};
  }
  if (!InsertTreeRun(tx, alert_id, tree.value(), now_ms, channel)) return {};
  return Move(tx, net, alert_id, now_ms);
}

TreeMove TreeMover::Move(pqxx::work& tx, const Network& net, std::int64_t alert_id, std::int64_t now_ms) const {
  TreeMove out;
  std::int64_t next = 0;
  for (const auto& run : LockTreeRuns(tx, alert_id)) {
    auto due = MoveRun(tx, net, alert_id, run, now_ms, out);
    if (due != 0 && (next == 0 || due < next)) next = due;
  }
  if (next != 0) EnsureDeadline(tx, alert_id, std::max(next, now_ms), out);
  return out;
}

std::int64_t TreeMover::MoveRun(pqxx::work& tx, const Network& net, std::int64_t alert_id, const TreeRunRow& run,
                                std::int64_t now_ms, TreeMove& out) const {
  auto nodes = LoadNodes(tx, alert_id, run.tree_id);
  std::vector<std::int64_t> people;
  for (const auto& n : nodes) {
    people.push_back(n.member);
    if (n.backup != 0) people.push_back(n.backup);
  }
  // Answers are fixed for the transaction; delivery states are read again after each round of
  // contacts, so a failure seen at once moves the node on in the same call.
  auto answered = AnsweredOf(tx, alert_id, people);
  auto sent = DeliveryStatesOf(tx, alert_id, people);
  WalkFacts facts{[&answered](std::int64_t m) { return answered.count(m) > 0; },
                  [&sent](std::int64_t m) {
                    auto it = sent.find(m);
                    return it == sent.end() || IsFailed(it->second) || it->second == DeliveryState::kCancelled;
                  }};
  std::vector<bool> dirty(nodes.size(), false);
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    if (pass > 0) sent = DeliveryStatesOf(tx, alert_id, people);
    auto contact = AdvanceWalk(nodes, run.mode, run.wait_ms, now_ms, facts);
    for (std::size_t i = 0; i < nodes.size(); ++i) dirty[i] = dirty[i] || nodes[i].changed;
    if (contact.empty()) break;
    auto owed = CallListsOwed(nodes, run.mode, contact);
    out.queued += fanout_.QueueMembers(tx, net, alert_id, std::move(contact), run.channel);
    fanout_.AddCallLists(tx, net, alert_id, owed);
  }
  StoreNodes(tx, alert_id, run.tree_id, nodes, dirty);
  return NextDue(nodes);
}

}  // namespace tocsin
