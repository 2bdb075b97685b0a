#include "dispatch/trees/tree_run.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "dispatch/escalation/time_scale.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/trees/tree_store.h"
#include "dispatch/trees/tree_walk.h"

namespace tocsin {
namespace {

// A deep tree of unreachable members can need a pass per level to settle; past this many
// passes in one move the rest waits for the next deadline.
constexpr int kMaxPasses = 64;
// A deadline is set a little after the node's due time so that the move it triggers sees it due.
constexpr std::int64_t kDeadlineSlackMs = 20;

constexpr const char* kInsertRun =
    "INSERT INTO tree_runs (alert_id, tree_id, name, mode, wait_ms) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT DO NOTHING";
constexpr const char* kCopyNodes =
    "INSERT INTO tree_run_nodes (alert_id, tree_id, member_id, parent_id, backup_id, position)"
    " SELECT $1, tree_id, member_id, parent_id, backup_id, position FROM tree_nodes WHERE tree_id = $2";
constexpr const char* kLockRuns =
    "SELECT tree_id, mode, wait_ms, (extract(epoch FROM now()) * 1000)::bigint FROM tree_runs"
    " WHERE alert_id = $1 ORDER BY tree_id FOR UPDATE";
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
constexpr const char* kEarliestDeadline =
    "SELECT (extract(epoch FROM min(due_at)) * 1000)::bigint FROM escalation_timers"
    " WHERE alert_id = $1 AND kind = 'tree' AND state = 'pending'";
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

// What the tree's members have done so far: answered (fixed for the transaction), and the
// state of their alert delivery (re-read after each round of contacts).
class Facts {
 public:
  Facts(pqxx::work& tx, std::int64_t alert_id, std::string people)
      : tx_(tx), alert_id_(alert_id), people_(std::move(people)) {
    for (const auto& r : tx.exec_params(kAnswered, alert_id, people_)) answered_.insert(r[0].as<std::int64_t>());
    ReadSent();
  }
  void ReadSent() {
    sent_.clear();
    for (const auto& r : tx_.exec_params(kSent, alert_id_, people_)) {
      sent_[r[0].as<std::int64_t>()] = r[1].as<std::string>();
    }
  }
  WalkFacts View() const {
    return {[this](std::int64_t m) { return answered_.count(m) > 0; },
            [this](std::int64_t m) {
              auto it = sent_.find(m);
              return it == sent_.end() || it->second == "failed" || it->second == "undelivered" ||
                     it->second == "cancelled";
            }};
  }

 private:
  pqxx::work& tx_;
  const std::int64_t alert_id_;
  const std::string people_;  // the tree's members and backups, as a bigint[] parameter
  std::unordered_set<std::int64_t> answered_;
  std::unordered_map<std::int64_t, std::string> sent_;
};

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

// Moves one run to a standstill (or kMaxPasses); returns its earliest node deadline (0: none).
std::int64_t MoveRun(pqxx::work& tx, AlertService& alerts, const Network& net, std::int64_t alert_id,
                     const pqxx::row& run, TreeMove& out) {
  auto tree_id = run[0].as<std::int64_t>();
  auto mode = StoredTreeMode(run[1].as<std::string>());
  auto wait_ms = ScaledMs(run[2].as<std::int64_t>());
  auto now_ms = run[3].as<std::int64_t>();
  auto nodes = LoadNodes(tx, alert_id, tree_id);
  std::vector<std::int64_t> people;
  for (const auto& n : nodes) {
    people.push_back(n.member);
    if (n.backup != 0) people.push_back(n.backup);
  }
  Facts facts(tx, alert_id, ToPgArray(people));
  std::vector<bool> dirty(nodes.size(), false);
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    if (pass > 0) facts.ReadSent();
    auto contact = AdvanceWalk(nodes, mode, wait_ms, now_ms, facts.View());
    for (std::size_t i = 0; i < nodes.size(); ++i) dirty[i] = dirty[i] || nodes[i].changed;
    if (contact.empty()) break;
    out.queued += alerts.QueueMembers(tx, net, alert_id, std::move(contact));
  }
  StoreNodes(tx, alert_id, tree_id, nodes, dirty);
  return NextDue(nodes);
}

// Keeps one pending 'tree' deadline no later than `due_ms`.
void EnsureDeadline(pqxx::work& tx, std::int64_t alert_id, std::int64_t due_ms, std::int64_t now_ms,
                    TreeMove& out) {
  auto earliest = tx.exec_params1(kEarliestDeadline, alert_id)[0];
  if (!earliest.is_null() && earliest.as<std::int64_t>() <= due_ms + kDeadlineSlackMs) return;
  auto in_ms = static_cast<double>(std::max<std::int64_t>(due_ms - now_ms, 0) + kDeadlineSlackMs);
  out.timer = InsertTimer(tx, alert_id, "tree", 0, in_ms);
}

}  // namespace

TreeMove StartTreeRun(pqxx::work& tx, AlertService& alerts, const Network& net, std::int64_t alert_id,
                      const std::string& name) {
  auto tree = GetTree(tx, net.id, name);
  if (!tree.ok()) {
    spdlog::warn("alert {}: its policy names phone tree '{}', which does not exist: nobody reached by it",
                 alert_id, name);
    return {};
  }
  auto inserted = tx.exec_params(kInsertRun, alert_id, tree->id, name, std::string(TreeModeName(tree->spec.mode)),
                                 tree->spec.wait_ms);
  if (inserted.affected_rows() == 0) return {};
  tx.exec_params(kCopyNodes, alert_id, tree->id);
  return MoveTreeRuns(tx, alerts, net, alert_id);
}

TreeMove MoveTreeRuns(pqxx::work& tx, AlertService& alerts, const Network& net, std::int64_t alert_id) {
  TreeMove out;
  auto runs = tx.exec_params(kLockRuns, alert_id);
  std::int64_t next = 0;
  for (const auto& run : runs) {
    auto due = MoveRun(tx, alerts, net, alert_id, run, out);
    if (due != 0 && (next == 0 || due < next)) next = due;
  }
  if (next != 0) EnsureDeadline(tx, alert_id, next, runs[0][3].as<std::int64_t>(), out);
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
