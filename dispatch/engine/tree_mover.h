// TreeMover: walks an alert's phone trees. The rules are model/tree_walk.h's (AdvanceWalk); the
// runs are store/tree_run_store.h's rows; whom the walk says to contact is queued through the
// Fanout (one delivery per member per alert, whatever reached them first); in a relay tree, a
// node with children (or the backup standing in for one) is sent their call list with it.
//
// A run moves whenever something may have changed (an answer, a failed delivery, the run's
// deadline), under the row lock of the alert's runs, so two movers never interleave. Each move
// reads the answers and delivery states of the tree's members, applies AdvanceWalk, queues the
// alert for whom it says, stores the changed nodes and keeps one pending 'tree' deadline no
// later than the earliest node deadline. Callers hold the alert's escalation row lock and only
// move runs of an open alert whose escalation is live.
//
// Functions run inside a caller's transaction. Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "dispatch/fanout/fanout.h"
#include "dispatch/store/escalation_store.h"
#include "dispatch/store/tree_run_store.h"

namespace tocsin {

struct TreeMove {
  std::int64_t queued = 0;            // deliveries queued
  std::optional<PendingTimer> timer;  // a new deadline for the Escalator to schedule
};

class TreeMover {
 public:
  explicit TreeMover(const Fanout& fanout) : fanout_(fanout) {}

  // Starts the run of the network's tree `name`, then moves it. A tree that no longer exists
  // reaches nobody (logged); a tree this alert already runs is not started twice. `channel` (the
  // step's): "voice" calls the run's nodes and their backups, now and whenever it moves.
  TreeMove Start(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& name,
                 const std::string& channel, std::int64_t now_ms) const;
  // Moves every run of the alert (none: nothing happens).
  TreeMove Move(pqxx::work& tx, const Network& net, std::int64_t alert_id, std::int64_t now_ms) const;

 private:
  // Moves one run to a standstill; returns its earliest node deadline (0: none).
  std::int64_t MoveRun(pqxx::work& tx, const Network& net, std::int64_t alert_id, const TreeRunRow& run,
                       std::int64_t now_ms, TreeMove& out) const;

  const Fanout& fanout_;
};

}  // namespace tocsin
