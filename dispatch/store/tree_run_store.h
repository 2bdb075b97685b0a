// Phone trees as alerts run them, in the database (the rules are model/tree_walk.h's; the
// engine's TreeMover applies them). A run is a snapshot of the tree taken when its step starts
// (tree_run_nodes): a later edit of the tree does not change a running alert. Functions run
// inside a caller's transaction; movers lock the alert's runs (LockRuns) first.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/delivery_state.h"
#include "dispatch/model/tree_walk.h"
#include "dispatch/store/tree_store.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct TreeRunRow {
  std::int64_t tree_id = 0;
  TreeMode mode = TreeMode::kAutomated;
  std::int64_t wait_ms = 0;
  std::string channel = "sms";  // the starting step's: "voice" calls the run's nodes
};

// Starts the run of `tree` for the alert at `now_ms` (copies its nodes), reaching its nodes by
// `channel` ("sms" or "voice"). False when the alert runs that tree already.
bool InsertTreeRun(pqxx::work& tx, std::int64_t alert_id, const StoredTree& tree, std::int64_t now_ms,
                   const std::string& channel);
// The alert's runs, locked until the transaction ends.
std::vector<TreeRunRow> LockTreeRuns(pqxx::work& tx, std::int64_t alert_id);
std::vector<WalkNode> LoadNodes(pqxx::work& tx, std::int64_t alert_id, std::int64_t tree_id);
// Stores the nodes marked in `dirty`.
void StoreNodes(pqxx::work& tx, std::int64_t alert_id, std::int64_t tree_id, const std::vector<WalkNode>& nodes,
                const std::vector<bool>& dirty);
// Of `people`: who answered the alert (going or cannot), and the state of each one's alert
// delivery (absent: never queued).
std::unordered_set<std::int64_t> AnsweredOf(pqxx::transaction_base& tx, std::int64_t alert_id,
                                            const std::vector<std::int64_t>& people);
std::unordered_map<std::int64_t, DeliveryState> DeliveryStatesOf(pqxx::transaction_base& tx, std::int64_t alert_id,
                                                                 const std::vector<std::int64_t>& people);
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
