#include "dispatch/store/organisation_response_store.h"

#include "dispatch/util/sealed_places.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kReached = "SELECT 1 FROM alert_organisations WHERE alert_id = $1 AND organisation_id = $2";

#define TOCSIN_RECEIVED "to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

constexpr const char* kInsert =
    "WITH r AS (INSERT INTO organisation_responses (alert_id, network_id, organisation_id, answer, note_enc)"
    "  VALUES ($1, $2, $3, $4, decode($5, 'hex')) RETURNING id, organisation_id, received_at)"
    " SELECT r.id, o.slug, o.name, " TOCSIN_RECEIVED " FROM r JOIN organisations o ON o.id = r.organisation_id";

constexpr const char* kList =
    "SELECT r.id, r.organisation_id, o.slug, o.name, r.answer, r.note_enc, " TOCSIN_RECEIVED
    " FROM organisation_responses r JOIN organisations o ON o.id = r.organisation_id"
    " WHERE r.alert_id = $1 AND ($2::text IS NULL OR (r.answer = $2 AND NOT EXISTS (SELECT 1"
    "  FROM organisation_responses l WHERE l.alert_id = r.alert_id AND l.organisation_id = r.organisation_id"
    "  AND l.id > r.id)))"
    " ORDER BY r.id LIMIT $3";

#undef TOCSIN_RECEIVED

}  // namespace

bool OrganisationReachedBy(pqxx::transaction_base& tx, std::int64_t alert_id, std::int64_t organisation_id) {
  return !tx.exec_params(kReached, alert_id, organisation_id).empty();
}

OrganisationResponseView InsertOrganisationResponse(pqxx::work& tx, std::int64_t network_id, std::int64_t alert_id,
                                                    std::int64_t organisation_id, const std::string& answer,
                                                    const std::optional<std::string>& note_clear,
                                                    const std::optional<std::string>& note_sealed) {
  std::optional<std::string> sealed_hex;
  if (note_sealed) sealed_hex = ToHex(*note_sealed);
  auto r = tx.exec_params1(kInsert, alert_id, network_id, organisation_id, answer, sealed_hex);
  OrganisationResponseView v;
  v.id = r[0].as<std::int64_t>();
  v.organisation_id = organisation_id;
  v.slug = r[1].as<std::string>();
  v.name = r[2].as<std::string>();
  v.answer = answer;
  v.note = note_clear;
  v.received_at = r[3].as<std::string>();
  return v;
}

std::vector<OrganisationResponseView> OrganisationResponses(pqxx::transaction_base& tx, const DataCipher& cipher,
                                                            std::int64_t network_id, std::int64_t alert_id,
                                                            const std::optional<std::string>& answer) {
  std::vector<OrganisationResponseView> out;
  if (answer == "text") return out;  // organisations answer going or cannot, with a note
  for (const auto& r : tx.exec_params(kList, alert_id, answer, kMaxListedOrganisationResponses)) {
    OrganisationResponseView v;
    v.id = r[0].as<std::int64_t>();
    v.organisation_id = r[1].as<std::int64_t>();
    v.slug = r[2].as<std::string>();
    v.name = r[3].as<std::string>();
    v.answer = r[4].as<std::string>();
    if (auto sealed = FromBytea(r[5])) {
      v.note = cipher.Open(*sealed, places::OrganisationNote(network_id, alert_id, v.organisation_id));
    }
    v.received_at = r[6].as<std::string>();
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace tocsin
