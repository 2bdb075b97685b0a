#include "dispatch/store/organisation_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

#define TOCSIN_ORGANISATION_COLUMNS                                                            \
  "id, slug, name, kinds, areas, language,"                                                    \
  " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                 \
  " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

constexpr const char* kInsert =
    "INSERT INTO organisations (network_id, slug, name, kinds, areas, language)"
    " VALUES ($1, $2, $3, $4::text[], $5::text[], $6) ON CONFLICT (network_id, slug) DO NOTHING"
    " RETURNING " TOCSIN_ORGANISATION_COLUMNS;
constexpr const char* kList =
    "SELECT " TOCSIN_ORGANISATION_COLUMNS " FROM organisations WHERE network_id = $1 ORDER BY slug";
constexpr const char* kGet =
    "SELECT " TOCSIN_ORGANISATION_COLUMNS " FROM organisations WHERE network_id = $1 AND id = $2";
constexpr const char* kSlugTaken =
    "SELECT 1 FROM organisations WHERE network_id = $1 AND slug = $2 AND id <> $3";
// $4..$6: whether kinds / areas are given (a NULL value then means every).
constexpr const char* kUpdate =
    "UPDATE organisations SET slug = COALESCE($3, slug), name = COALESCE($4, name),"
    " language = COALESCE($5, language),"
    " kinds = CASE WHEN $6 THEN $7::text[] ELSE kinds END,"
    " areas = CASE WHEN $8 THEN $9::text[] ELSE areas END, updated_at = now()"
    " WHERE network_id = $1 AND id = $2 RETURNING " TOCSIN_ORGANISATION_COLUMNS;
constexpr const char* kDelete = "DELETE FROM organisations WHERE network_id = $1 AND id = $2";

#undef TOCSIN_ORGANISATION_COLUMNS

Organisation Read(const pqxx::row& r) {
  Organisation o;
  o.id = r[0].as<std::int64_t>();
  o.slug = r[1].as<std::string>();
  o.name = r[2].as<std::string>();
  if (!r[3].is_null()) o.kinds = FromPgArray(r[3]);
  if (!r[4].is_null()) o.areas = FromPgArray(r[4]);
  o.language = r[5].as<std::string>();
  o.created_at = r[6].as<std::string>();
  o.updated_at = r[7].as<std::string>();
  return o;
}

// A filter as a text[] parameter: NULL for every.
std::optional<std::string> FilterParam(const std::optional<std::optional<std::vector<std::string>>>& list) {
  if (!list || !*list) return std::nullopt;
  return ToPgArray(**list);
}

}  // namespace

Result<Organisation> CreateOrganisation(pqxx::work& tx, std::int64_t network_id, const OrganisationInput& in) {
  auto r = tx.exec_params(kInsert, network_id, *in.slug, *in.name, FilterParam(in.kinds), FilterParam(in.areas),
                          *in.language);
  if (r.empty()) return Error::Conflict("slug", "the network has an organisation with this slug");
  return Read(r[0]);
}

std::vector<Organisation> ListOrganisations(pqxx::transaction_base& tx, std::int64_t network_id) {
  std::vector<Organisation> out;
  for (const auto& r : tx.exec_params(kList, network_id)) out.push_back(Read(r));
  return out;
}

Result<Organisation> GetOrganisation(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id) {
  auto r = tx.exec_params(kGet, network_id, id);
  if (r.empty()) return Error::NotFound("no such organisation");
  return Read(r[0]);
}

Result<Organisation> UpdateOrganisation(pqxx::work& tx, std::int64_t network_id, std::int64_t id,
                                        const OrganisationInput& in) {
  if (in.slug && !tx.exec_params(kSlugTaken, network_id, *in.slug, id).empty()) {
    return Error::Conflict("slug", "the network has an organisation with this slug");
  }
  auto r = tx.exec_params(kUpdate, network_id, id, in.slug, in.name, in.language, in.kinds.has_value(),
                          FilterParam(in.kinds), in.areas.has_value(), FilterParam(in.areas));
  if (r.empty()) return Error::NotFound("no such organisation");
  return Read(r[0]);
}

Status DeleteOrganisation(pqxx::work& tx, std::int64_t network_id, std::int64_t id) {
  if (tx.exec_params(kDelete, network_id, id).affected_rows() == 0) return Error::NotFound("no such organisation");
  return Ok{};
}

}  // namespace tocsin
