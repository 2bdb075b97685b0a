// Phone trees as alerts run them (the rules are tree_walk.h's; this is the database side).
//
// A step whose audience is a tree starts a run: the tree's nodes are copied into
// tree_run_nodes (a later edit of the tree does not change a running alert) and the walk begins.
// The run moves whenever something may have changed — an answer to the alert, or the run's
// deadline — under a row lock on the alert's runs, so two movers never interleave. Each move
// reads the answers and delivery states of the tree's members, applies AdvanceWalk, queues the
// alert for whom it says (through AlertService::QueueAudience: one delivery per member per
// alert, whatever reached them first), stores the changed nodes and keeps one pending 'tree'
// deadline no later than the earliest node deadline. Callers hold the alert's escalation row
// lock and only move runs of an open alert whose escalation has not ended.
//
// Functions run inside a caller's transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/engine/alert_service.h"
#include "dispatch/escalation/escalation_store.h"

namespace tocsin {

struct TreeMove {
  std::int64_t queued = 0;            // deliveries queued
  std::optional<PendingTimer> timer;  // a new deadline for the Escalator to schedule
};

// Starts the run of the network's tree `name`. A tree that no longer exists reaches nobody (and
// is logged); a tree this alert already runs is not started twice.
TreeMove StartTreeRun(pqxx::work& tx, AlertService& alerts, const Network& net, std::int64_t alert_id,
                      const std::string& name);
// Moves every run of the alert (none: nothing happens).
TreeMove MoveTreeRuns(pqxx::work& tx, AlertService& alerts, const Network& net, std::int64_t alert_id);
// Whether every node of the alert's run of `name` is reached (the goal {"confirmed": true}).
bool TreeConfirmed(pqxx::transaction_base& tx, std::int64_t alert_id, const std::string& name);

struct TreeNodeReport {
  std::int64_t member = 0;
  std::int64_t parent = 0;  // 0: a root
  std::int64_t backup = 0;  // 0: none
  std::string state;
  std::string via;  // "" unless reached
  std::optional<std::string> due_at;
};

struct TreeRunReport {
  std::string name;
  std::string mode;
  std::int64_t wait_ms = 0;
  std::string started_at;
  std::vector<TreeNodeReport> nodes;  // breadth-first
  std::map<std::string, std::int64_t> counts;  // nodes by state (every state present)
};

// The runs of one alert of the network, oldest first. NotFound: no such alert.
Result<std::vector<TreeRunReport>> TreeReport(pqxx::transaction_base& tx, std::int64_t network_id,
                                              std::int64_t alert_id);

}  // namespace tocsin
