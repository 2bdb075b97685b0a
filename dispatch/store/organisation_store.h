// Organisations of a network: create, list, get, update, delete. Inputs come normalised
// (model/organisation.h). Nothing here is sealed: organisations are public bodies.
//
// Every function runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/organisation.h"

namespace tocsin {

// Conflict ("slug") when the network has an organisation of that slug.
Result<Organisation> CreateOrganisation(pqxx::work& tx, std::int64_t network_id, const OrganisationInput& in);
std::vector<Organisation> ListOrganisations(pqxx::transaction_base& tx, std::int64_t network_id);
// NotFound unless the organisation belongs to the network.
Result<Organisation> GetOrganisation(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id);
// Applies the fields `in` holds. NotFound, or Conflict on a taken slug.
Result<Organisation> UpdateOrganisation(pqxx::work& tx, std::int64_t network_id, std::int64_t id,
                                        const OrganisationInput& in);
// Deletes it with its endpoints (their deliveries go too). NotFound.
Status DeleteOrganisation(pqxx::work& tx, std::int64_t network_id, std::int64_t id);

}  // namespace tocsin
