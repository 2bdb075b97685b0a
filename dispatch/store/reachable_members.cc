#include "dispatch/store/reachable_members.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

// The same filter as the fan-out's (queue_store.cc kFanOut).
constexpr const char* kReachable =
    "SELECT id, areas, roles FROM members WHERE network_id = $1 AND status = 'active'"
    " AND channels && ARRAY['sms', 'voice']"
    " ORDER BY id";

}  // namespace

std::vector<ReachableMember> ReachableMembers(pqxx::transaction_base& tx, std::int64_t network_id) {
  std::vector<ReachableMember> out;
  for (const auto& r : tx.exec_params(kReachable, network_id)) {
    out.push_back({r[0].as<std::int64_t>(), FromPgArray(r[1]), FromPgArray(r[2])});
  }
  return out;
}

}  // namespace tocsin
