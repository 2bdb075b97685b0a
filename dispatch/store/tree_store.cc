#include "dispatch/store/tree_store.h"

#include "dispatch/store/member_registry.h"
#include "dispatch/model/validation.h"
#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kUpsertTree =
    "INSERT INTO trees (network_id, name, mode, wait_ms) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (network_id, name) DO UPDATE SET mode = EXCLUDED.mode, wait_ms = EXCLUDED.wait_ms,"
    " updated_at = now()"
    " RETURNING id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
constexpr const char* kDeleteNodes = "DELETE FROM tree_nodes WHERE tree_id = $1";
constexpr const char* kInsertNodes =
    "INSERT INTO tree_nodes (tree_id, member_id, parent_id, backup_id, position)"
    " SELECT $1, n.member, NULLIF(n.parent, 0), NULLIF(n.backup, 0), n.position"
    " FROM unnest($2::bigint[], $3::bigint[], $4::bigint[]) WITH ORDINALITY AS n(member, parent, backup, position)";
constexpr const char* kSelectTree =
    "SELECT id, mode, wait_ms, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM trees WHERE network_id = $1 AND name = $2";
// A node whose parent was deleted (as a member) is a root now.
constexpr const char* kSelectNodes =
    "SELECT n.member_id, coalesce(p.member_id, 0), coalesce(n.backup_id, 0) FROM tree_nodes n"
    " LEFT JOIN tree_nodes p ON p.tree_id = n.tree_id AND p.member_id = n.parent_id"
    " WHERE n.tree_id = $1 ORDER BY n.position";
constexpr const char* kTreeExists = "SELECT 1 FROM trees WHERE network_id = $1 AND name = $2";
constexpr const char* kTreeNames = "SELECT name FROM trees WHERE network_id = $1 ORDER BY name";
constexpr const char* kDeleteTree = "DELETE FROM trees WHERE network_id = $1 AND name = $2";

constexpr const char* kTreesWithMember =
    "SELECT DISTINCT t.name FROM trees t JOIN tree_nodes n ON n.tree_id = t.id WHERE t.network_id = $1"
    " AND (n.member_id = $2 OR n.backup_id = $2) ORDER BY t.name";

}  // namespace

Result<StoredTree> PutTree(pqxx::work& tx, std::int64_t network_id, const std::string& name,
                           const TreeSpec& spec) {
  if (auto s = CheckAreaName(name, "name"); !s.ok()) return s.error();
  if (auto unknown = FirstUnknownMember(tx, network_id, TreeMembers(spec))) {
    return Error::Invalid("nodes", "member " + std::to_string(*unknown) + " is not in this network");
  }
  auto stored = tx.exec_params1(kUpsertTree, network_id, name, std::string(TreeModeName(spec.mode)),
                                spec.wait_ms);
  auto id = stored[0].as<std::int64_t>();
  std::vector<std::int64_t> members, parents, backups;
  for (const auto& n : spec.nodes) {
    members.push_back(n.member);
    parents.push_back(n.parent);
    backups.push_back(n.backup);
  }
  tx.exec_params(kDeleteNodes, id);
  tx.exec_params(kInsertNodes, id, ToPgArray(members), ToPgArray(parents), ToPgArray(backups));
  return StoredTree{id, name, spec, stored[1].as<std::string>()};  // the spec is canonical already
}

Result<StoredTree> GetTree(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& name) {
  auto rows = tx.exec_params(kSelectTree, network_id, name);
  if (rows.empty()) return Error::NotFound("no such tree");
  StoredTree t;
  t.id = rows[0][0].as<std::int64_t>();
  t.name = name;
  t.spec.mode = StoredTreeMode(rows[0][1].as<std::string>());
  t.spec.wait_ms = rows[0][2].as<std::int64_t>();
  t.updated_at = rows[0][3].as<std::string>();
  for (const auto& r : tx.exec_params(kSelectNodes, t.id)) {
    t.spec.nodes.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::int64_t>()});
  }
  return t;
}

bool TreeExists(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& name) {
  return !tx.exec_params(kTreeExists, network_id, name).empty();
}

std::vector<std::string> TreeNames(pqxx::transaction_base& tx, std::int64_t network_id) {
  std::vector<std::string> out;
  for (const auto& r : tx.exec_params(kTreeNames, network_id)) out.push_back(r[0].as<std::string>());
  return out;
}

std::vector<std::string> TreesWithMember(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t member_id) {
  std::vector<std::string> out;
  for (const auto& r : tx.exec_params(kTreesWithMember, network_id, member_id)) out.push_back(r[0].as<std::string>());
  return out;
}

Status DeleteTree(pqxx::work& tx, std::int64_t network_id, const std::string& name) {
  if (tx.exec_params(kDeleteTree, network_id, name).affected_rows() == 0) {
    return Error::NotFound("no such tree");
  }
  return Ok{};
}

}  // namespace tocsin
