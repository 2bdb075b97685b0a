// Escalation policies in the database: one per network and alert kind; absent, the built-in
// default of the kind (policy.h). Functions run inside a caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/policy.h"
#include "dispatch/util/result.h"

namespace tocsin {

// The network's own policy for `kind`, else the built-in default.
Policy PolicyFor(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& kind);
std::optional<Policy> StoredPolicy(pqxx::transaction_base& tx, std::int64_t network_id,
                                   const std::string& kind);
// Stores `p` (validated by ParsePolicy) after checking what it names exists: Invalid naming
// "steps[i].audience.tree", "...members" or "...organisations[j]" otherwise.
Status PutPolicy(pqxx::work& tx, std::int64_t network_id, const std::string& kind, const Policy& p);
// The kinds (raid, detention, ...) whose stored policy names the tree `name` or the member
// `member_id` in a step's audience, sorted; empty when none does. Deleting what a policy names
// would leave its alerts reaching nobody.
std::vector<std::string> PoliciesNamingTree(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& name);
std::vector<std::string> PoliciesNamingMember(pqxx::transaction_base& tx, std::int64_t network_id,
                                              std::int64_t member_id);
// The kinds whose stored policy names the organisation `slug` in a step's audience
// ({"organisations": "all"} names none), sorted.
std::vector<std::string> PoliciesNamingOrganisation(pqxx::transaction_base& tx, std::int64_t network_id,
                                                    const std::string& slug);
// A stored policy's JSON read back; a policy that no longer validates (the rules changed since
// it was written) falls back to the "other" default, logged.
Policy ParseStoredPolicy(const std::string& json);

}  // namespace tocsin
