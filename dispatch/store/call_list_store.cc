#include "dispatch/store/call_list_store.h"

#include "dispatch/store/pq_types.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

constexpr const char* kPeople =
    "SELECT id, phone_enc, name_enc, network_id FROM members"
    " WHERE id = ANY($1::bigint[]) AND status = 'active'";

constexpr const char* kQueuedAlertDeliveries =
    "SELECT id, member_id, language, channel FROM deliveries WHERE alert_id = $1 AND seq = 0"
    " AND member_id = ANY($2::bigint[]) AND state = 'queued' ORDER BY id";

constexpr const char* kAlertMessage =
    "SELECT body_enc FROM alert_messages WHERE alert_id = $1 AND seq = 0 AND language = $2";

constexpr const char* kSetText =
    "UPDATE deliveries SET body_enc = decode($2, 'hex'), segments = $3, updated_at = now()"
    " WHERE id = $1";

// The node (or the node a backup stands in for) with children in the newest open relay run,
// then its children in calling order (position: breadth first, siblings as listed).
constexpr const char* kLatestCallList =
    "WITH node AS (SELECT n.alert_id, n.tree_id, n.member_id FROM tree_run_nodes n"
    "  JOIN tree_runs r ON r.alert_id = n.alert_id AND r.tree_id = n.tree_id AND r.mode = 'relay'"
    "  JOIN alerts a ON a.id = n.alert_id AND a.network_id = $1 AND a.status = 'open'"
    "  WHERE (n.member_id = $2 OR (n.backup_id = $2 AND (n.state = 'backup' OR n.via = 'backup')))"
    "  AND EXISTS (SELECT 1 FROM tree_run_nodes c WHERE c.alert_id = n.alert_id"
    "   AND c.tree_id = n.tree_id AND c.parent_id = n.member_id)"
    "  ORDER BY n.alert_id DESC, n.member_id = $2 DESC, n.position LIMIT 1)"
    " SELECT c.member_id FROM node JOIN tree_run_nodes c ON c.alert_id = node.alert_id"
    "  AND c.tree_id = node.tree_id AND c.parent_id = node.member_id ORDER BY c.position";

}  // namespace

std::map<std::int64_t, CallListPerson> PeopleToCall(pqxx::transaction_base& tx,
                                                    const DataCipher& cipher,
                                                    const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, CallListPerson> out;
  if (ids.empty()) return out;
  for (const auto& r : tx.exec_params(kPeople, ToPgArray(ids))) {
    const auto id = r[0].as<std::int64_t>(), network_id = r[3].as<std::int64_t>();
    auto phone = cipher.Open(FromBytea(r[1]).value_or(""), places::MemberPhone(network_id, id));
    if (!phone || phone->empty()) continue;
    CallListPerson p;
    p.phone = std::move(*phone);
    if (auto sealed = FromBytea(r[2])) p.name = cipher.Open(*sealed, places::MemberName(network_id, id)).value_or("");
    out.emplace(id, std::move(p));
  }
  return out;
}

std::vector<CallListPerson> InCallingOrder(const std::map<std::int64_t, CallListPerson>& people,
                                           const std::vector<std::int64_t>& owed) {
  std::vector<CallListPerson> out;
  for (auto id : owed) {
    if (auto it = people.find(id); it != people.end()) out.push_back(it->second);
  }
  return out;
}

std::vector<QueuedAlertDelivery> QueuedAlertDeliveries(pqxx::transaction_base& tx,
                                                       std::int64_t alert_id,
                                                       const std::vector<std::int64_t>& members) {
  std::vector<QueuedAlertDelivery> out;
  if (members.empty()) return out;
  for (const auto& r : tx.exec_params(kQueuedAlertDeliveries, alert_id, ToPgArray(members))) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::string>(), r[3].as<std::string>()});
  }
  return out;
}

std::optional<std::string> SealedAlertMessage(pqxx::transaction_base& tx, std::int64_t alert_id,
                                              const std::string& language) {
  auto rows = tx.exec_params(kAlertMessage, alert_id, language);
  if (rows.empty()) return std::nullopt;
  return FromBytea(rows[0][0]);
}

void SetDeliveryText(pqxx::work& tx, std::int64_t delivery_id, const std::string& sealed_hex,
                     int segments) {
  tx.exec_params(kSetText, delivery_id, sealed_hex, segments);
}

std::vector<std::int64_t> LatestCallList(pqxx::transaction_base& tx, std::int64_t network_id,
                                         std::int64_t member_id) {
  std::vector<std::int64_t> out;
  for (const auto& r : tx.exec_params(kLatestCallList, network_id, member_id))
    out.push_back(r[0].as<std::int64_t>());
  return out;
}

}  // namespace tocsin
