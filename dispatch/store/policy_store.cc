#include "dispatch/store/policy_store.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "dispatch/store/member_registry.h"
#include "dispatch/store/pq_types.h"
#include "dispatch/store/tree_store.h"

namespace tocsin {
namespace {

constexpr const char* kSelectPolicy = "SELECT policy::text FROM policies WHERE network_id = $1 AND kind = $2";
constexpr const char* kUpsertPolicy =
    "INSERT INTO policies (network_id, kind, policy) VALUES ($1, $2, $3::jsonb)"
    " ON CONFLICT (network_id, kind) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()";

constexpr const char* kNamingTree =
    "SELECT kind FROM policies WHERE network_id = $1 AND EXISTS (SELECT 1 FROM"
    " jsonb_array_elements(policy->'steps') s WHERE s->'audience'->>'tree' = $2) ORDER BY kind";
constexpr const char* kNamingMember =
    "SELECT kind FROM policies WHERE network_id = $1 AND EXISTS (SELECT 1 FROM"
    " jsonb_array_elements(policy->'steps') s WHERE s->'audience'->'members' @> to_jsonb($2::bigint)) ORDER BY kind";
constexpr const char* kNamingOrganisation =
    "SELECT kind FROM policies WHERE network_id = $1 AND EXISTS (SELECT 1 FROM"
    " jsonb_array_elements(policy->'steps') s WHERE jsonb_typeof(s->'audience'->'organisations') = 'array'"
    " AND s->'audience'->'organisations' @> to_jsonb($2::text)) ORDER BY kind";
constexpr const char* kUnknownOrganisations =
    "SELECT s FROM unnest($2::text[]) WITH ORDINALITY AS u(s, i) WHERE NOT EXISTS"
    " (SELECT 1 FROM organisations o WHERE o.network_id = $1 AND o.slug = u.s) ORDER BY i LIMIT 1";

std::vector<std::string> Kinds(const pqxx::result& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r[0].as<std::string>());
  return out;
}

}  // namespace

std::vector<std::string> PoliciesNamingTree(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& name) {
  return Kinds(tx.exec_params(kNamingTree, network_id, name));
}

std::vector<std::string> PoliciesNamingMember(pqxx::transaction_base& tx, std::int64_t network_id,
                                              std::int64_t member_id) {
  return Kinds(tx.exec_params(kNamingMember, network_id, member_id));
}

std::vector<std::string> PoliciesNamingOrganisation(pqxx::transaction_base& tx, std::int64_t network_id,
                                                    const std::string& slug) {
  return Kinds(tx.exec_params(kNamingOrganisation, network_id, slug));
}

Policy ParseStoredPolicy(const std::string& json) {
  auto p = ParsePolicyText(json);
  if (!p.ok()) {
    spdlog::error("stored escalation policy no longer valid ({}): using the default", p.error().message);
    return DefaultPolicy("other");
  }
  return std::move(p.value());
}

std::optional<Policy> StoredPolicy(pqxx::transaction_base& tx, std::int64_t network_id,
                                   const std::string& kind) {
  auto rows = tx.exec_params(kSelectPolicy, network_id, kind);
  if (rows.empty()) return std::nullopt;
  return ParseStoredPolicy(rows[0][0].as<std::string>());
}

Policy PolicyFor(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& kind) {
  if (auto p = StoredPolicy(tx, network_id, kind)) return *p;
  return DefaultPolicy(kind);
}

Status PutPolicy(pqxx::work& tx, std::int64_t network_id, const std::string& kind, const Policy& p) {
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    const auto& a = p.steps[i].audience;
    auto field = "steps[" + std::to_string(i) + "].audience.";
    if (a.scope == AreaScope::kTree && !TreeExists(tx, network_id, *a.tree)) {
      return Error::Invalid(field + "tree", "no such tree in this network (PUT it first)");
    }
    if (a.scope == AreaScope::kMembers) {
      if (auto unknown = FirstUnknownMember(tx, network_id, a.members)) {
        return Error::Invalid(field + "members", "member " + std::to_string(*unknown) + " is not in this network");
      }
    }
    if (a.organisation_scope == OrganisationScope::kNamed) {
      auto unknown = tx.exec_params(kUnknownOrganisations, network_id, ToPgArray(a.organisations));
      if (!unknown.empty()) {
        auto slug = unknown[0][0].as<std::string>();
        auto at = std::find(a.organisations.begin(), a.organisations.end(), slug) - a.organisations.begin();
        return Error::Invalid(field + "organisations[" + std::to_string(at) + "]",
                              "no organisation '" + slug + "' in this network (create it first)");
      }
    }
  }
  tx.exec_params(kUpsertPolicy, network_id, kind, boost::json::serialize(PolicyToJson(p)));
  return Ok{};
}

}  // namespace tocsin
