#include "dispatch/store/tree_run_store.h"

#include "dispatch/store/alert_store.h"
#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kInsertRun =
    "INSERT INTO tree_runs (alert_id, tree_id, name, mode, wait_ms, started_at, channel)"
    " VALUES ($1, $2, $3, $4, $5, to_timestamp($6::float8 / 1000), $7)"
    " ON CONFLICT DO NOTHING";

constexpr const char* kCopyNodes =
    "INSERT INTO tree_run_nodes (alert_id, tree_id, member_id, parent_id, backup_id, position)"
    " SELECT $1, tree_id, member_id, parent_id, backup_id, position FROM tree_nodes WHERE tree_id = $2";

constexpr const char* kRunNodes =
    "SELECT member_id, coalesce(parent_id, 0), coalesce(backup_id, 0), state, coalesce(via, ''),"
    " coalesce((extract(epoch FROM due_at) * 1000)::bigint, 0)"
    " FROM tree_run_nodes WHERE alert_id = $1 AND tree_id = $2 ORDER BY position";

constexpr const char* kAnswered =
    "SELECT DISTINCT member_id FROM responses WHERE alert_id = $1 AND member_id = ANY($2::bigint[])"
    " AND answer IN ('going', 'cannot')";

constexpr const char* kSent =
    "SELECT member_id, state FROM deliveries WHERE alert_id = $1 AND seq = 0"
    " AND member_id = ANY($2::bigint[])";

constexpr const char* kStoreNodes =
    "UPDATE tree_run_nodes t SET state = u.state, via = NULLIF(u.via, ''),"
    " due_at = CASE WHEN u.due_ms = 0 THEN NULL ELSE to_timestamp(u.due_ms / 1000.0) END,"
    " updated_at = now()"
    " FROM unnest($3::bigint[], $4::text[], $5::text[], $6::bigint[]) AS u(member_id, state, via, due_ms)"
    " WHERE t.alert_id = $1 AND t.tree_id = $2 AND t.member_id = u.member_id";

constexpr const char* kConfirmed =
    "SELECT count(*) > 0 AND bool_and(n.state = 'reached') FROM tree_run_nodes n"
    " JOIN tree_runs r ON r.alert_id = n.alert_id AND r.tree_id = n.tree_id"
    " WHERE n.alert_id = $1 AND r.name = $2";

constexpr const char* kReportRuns =
    "SELECT tree_id, name, mode, wait_ms,"
    " to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM tree_runs WHERE alert_id = $1 ORDER BY started_at, tree_id";

constexpr const char* kReportNodes =
    "SELECT member_id, coalesce(parent_id, 0), coalesce(backup_id, 0), state, coalesce(via, ''),"
    " to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM tree_run_nodes WHERE alert_id = $1 AND tree_id = $2 ORDER BY position";
constexpr const char* kLockRuns =
    "SELECT tree_id, mode, wait_ms, channel FROM tree_runs WHERE alert_id = $1 ORDER BY tree_id FOR UPDATE";

}  // namespace

bool InsertTreeRun(pqxx::work& tx, std::int64_t alert_id, const StoredTree& tree, std::int64_t now_ms,
                   const std::string& channel) {
  auto inserted = tx.exec_params(kInsertRun, alert_id, tree.id, tree.name, std::string(TreeModeName(tree.spec.mode)),
                                 tree.spec.wait_ms, static_cast<double>(now_ms), channel);
  if (inserted.affected_rows() == 0) return false;
  tx.exec_params(kCopyNodes, alert_id, tree.id);
  return true;
}

std::vector<TreeRunRow> LockTreeRuns(pqxx::work& tx, std::int64_t alert_id) {
  std::vector<TreeRunRow> out;
  for (const auto& r : tx.exec_params(kLockRuns, alert_id)) {
    out.push_back({r[0].as<std::int64_t>(), StoredTreeMode(r[1].as<std::string>()), r[2].as<std::int64_t>(),
                   r[3].as<std::string>()});
  }
  return out;
}

std::vector<WalkNode> LoadNodes(pqxx::work& tx, std::int64_t alert_id, std::int64_t tree_id) {
  std::vector<WalkNode> nodes;
  for (const auto& r : tx.exec_params(kRunNodes, alert_id, tree_id)) {
    WalkNode n;
    n.member = r[0].as<std::int64_t>();
    n.parent = r[1].as<std::int64_t>();
    n.backup = r[2].as<std::int64_t>();
    n.state = ParseNodeState(r[3].as<std::string>());
    n.via = ParseReachedVia(r[4].as<std::string>());
    n.due_ms = r[5].as<std::int64_t>();
    nodes.push_back(n);
  }
  return nodes;
}

void StoreNodes(pqxx::work& tx, std::int64_t alert_id, std::int64_t tree_id,
                const std::vector<WalkNode>& nodes, const std::vector<bool>& dirty) {
  std::vector<std::int64_t> members, due;
  std::vector<std::string> states, vias;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (!dirty[i]) continue;
    members.push_back(nodes[i].member);
    states.emplace_back(NodeStateName(nodes[i].state));
    vias.emplace_back(ReachedViaName(nodes[i].via));
    due.push_back(nodes[i].due_ms);
  }
  if (members.empty()) return;
  tx.exec_params(kStoreNodes, alert_id, tree_id, ToPgArray(members), ToPgArray(states), ToPgArray(vias),
                 ToPgArray(due));
}


std::unordered_set<std::int64_t> AnsweredOf(pqxx::transaction_base& tx, std::int64_t alert_id,
                                            const std::vector<std::int64_t>& people) {
  std::unordered_set<std::int64_t> out;
  for (const auto& r : tx.exec_params(kAnswered, alert_id, ToPgArray(people))) out.insert(r[0].as<std::int64_t>());
  return out;
}

std::unordered_map<std::int64_t, DeliveryState> DeliveryStatesOf(pqxx::transaction_base& tx, std::int64_t alert_id,
                                                                 const std::vector<std::int64_t>& people) {
  std::unordered_map<std::int64_t, DeliveryState> out;
  for (const auto& r : tx.exec_params(kSent, alert_id, ToPgArray(people))) {
    out[r[0].as<std::int64_t>()] = ParseDeliveryState(r[1].as<std::string>()).value_or(DeliveryState::kCancelled);
  }
  return out;
}

bool TreeConfirmed(pqxx::transaction_base& tx, std::int64_t alert_id, const std::string& name) {
  auto v = tx.exec_params1(kConfirmed, alert_id, name)[0];
  return !v.is_null() && v.as<bool>();
}

Result<std::vector<TreeRunReport>> TreeReport(pqxx::transaction_base& tx, std::int64_t network_id,
                                              std::int64_t alert_id) {
  if (!AlertInNetwork(tx, network_id, alert_id)) return Error::NotFound("no such alert");
  std::vector<TreeRunReport> out;
  for (const auto& run : tx.exec_params(kReportRuns, alert_id)) {
    TreeRunReport rep;
    rep.name = run[1].as<std::string>();
    rep.mode = run[2].as<std::string>();
    rep.wait_ms = run[3].as<std::int64_t>();
    rep.started_at = run[4].as<std::string>();
    for (auto s : {"pending", "waiting", "contacted", "backup", "reached", "dead"}) rep.counts[s] = 0;
    for (const auto& r : tx.exec_params(kReportNodes, alert_id, run[0].as<std::int64_t>())) {
      TreeNodeReport n;
      n.member = r[0].as<std::int64_t>();
      n.parent = r[1].as<std::int64_t>();
      n.backup = r[2].as<std::int64_t>();
      n.state = r[3].as<std::string>();
      n.via = r[4].as<std::string>();
      if (!r[5].is_null()) n.due_at = r[5].as<std::string>();
      ++rep.counts[n.state];
      rep.nodes.push_back(std::move(n));
    }
    out.push_back(std::move(rep));
  }
  return out;
}

}  // namespace tocsin
