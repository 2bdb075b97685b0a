// The members an alert could reach by SMS right now (active, with the sms channel), with their
// areas and roles: what an audience preview counts (engine/raise_preview.h). Ids, areas and
// roles only: nothing sealed is read.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace tocsin {

struct ReachableMember {
  std::int64_t id = 0;
  std::vector<std::string> areas;
  std::vector<std::string> roles;
};

std::vector<ReachableMember> ReachableMembers(pqxx::transaction_base& tx, std::int64_t network_id);

}  // namespace tocsin
