// Organisations' answers to alerts, in the database: who may answer (an organisation in the
// alert's audience), recording an answer with its sealed note, and reading them back for
// GET .../alerts/{id}/responses. Counts are AlertStore's (counts.organisations_going, ...).
//
// Every function runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/organisation.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

// Whether organisation `organisation_id` is in the alert's audience (a policy step reached it).
bool OrganisationReachedBy(pqxx::transaction_base& tx, std::int64_t alert_id, std::int64_t organisation_id);

// Records an answer: `note_sealed` is `note_clear` sealed by the caller (only the sealed form
// is stored). Returns the answer as GET shows it.
OrganisationResponseView InsertOrganisationResponse(pqxx::work& tx, std::int64_t network_id, std::int64_t alert_id,
                                                    std::int64_t organisation_id, const std::string& answer,
                                                    const std::optional<std::string>& note_clear,
                                                    const std::optional<std::string>& note_sealed);

// The alert's organisation answers, oldest first (at most kMaxListed). `answer` going/cannot:
// only each organisation's latest answer, when it is that one; "text": none.
std::vector<OrganisationResponseView> OrganisationResponses(pqxx::transaction_base& tx, const DataCipher& cipher,
                                                            std::int64_t network_id, std::int64_t alert_id,
                                                            const std::optional<std::string>& answer);

inline constexpr int kMaxListedOrganisationResponses = 500;

}  // namespace tocsin
