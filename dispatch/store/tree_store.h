// Phone trees in the database: a network's named trees, replaced whole on every write.
// Functions run inside a caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/tree_spec.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct StoredTree {
  std::int64_t id = 0;
  std::string name;
  TreeSpec spec;
  std::string updated_at;  // RFC 3339 UTC
};

// Checks the name (the area-name charset) and that every member the spec names (nodes and
// backups) belongs to the network — Invalid naming "name" or "nodes" otherwise — then creates
// or replaces the tree. Returns the tree as stored.
Result<StoredTree> PutTree(pqxx::work& tx, std::int64_t network_id, const std::string& name,
                           const TreeSpec& spec);
// NotFound when the network has no tree of that name.
Result<StoredTree> GetTree(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& name);
bool TreeExists(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& name);
// Names, sorted.
std::vector<std::string> TreeNames(pqxx::transaction_base& tx, std::int64_t network_id);
// The names of the network's trees that have `member_id` as a node or a node's backup, sorted.
std::vector<std::string> TreesWithMember(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t member_id);
// NotFound when there is no such tree. Alerts already running it keep their copy.
Status DeleteTree(pqxx::work& tx, std::int64_t network_id, const std::string& name);

}  // namespace tocsin
