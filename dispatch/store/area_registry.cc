#include "dispatch/store/area_registry.h"

#include "dispatch/model/validation.h"
#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kUpsertArea =
    "INSERT INTO areas (network_id, name, neighbours) VALUES ($1, $2, $3::text[])"
    " ON CONFLICT (network_id, name) DO UPDATE SET neighbours = EXCLUDED.neighbours";
// Neighbours named now gain `name` (creating them if needed)...
constexpr const char* kLinkBack =
    "INSERT INTO areas (network_id, name, neighbours)"
    " SELECT $1, n, ARRAY[$2::text] FROM unnest($3::text[]) AS n"
    " ON CONFLICT (network_id, name) DO UPDATE SET neighbours ="
    " (SELECT array_agg(DISTINCT x ORDER BY x) FROM unnest(areas.neighbours || $2::text) AS x)";
// ...and areas no longer named lose it.
constexpr const char* kUnlinkOthers =
    "UPDATE areas SET neighbours = array_remove(neighbours, $2)"
    " WHERE network_id = $1 AND $2 = ANY(neighbours) AND NOT (name = ANY($3::text[]))";
constexpr const char* kListAreas =
    "SELECT a.name, a.neighbours,"
    " (SELECT count(*) FROM members m WHERE m.network_id = a.network_id AND a.name = ANY(m.areas))"
    " FROM areas a WHERE a.network_id = $1 ORDER BY a.name";

}  // namespace

Result<Area> PutArea(pqxx::work& tx, std::int64_t network_id, const std::string& name,
                     std::vector<std::string> neighbours) {
  if (auto s = CheckAreaName(name, "name"); !s.ok()) return s.error();
  auto canon = CanonicalList(std::move(neighbours), "neighbours", &CheckAreaName);
  if (!canon.ok()) return canon.error();
  for (const auto& n : canon.value()) {
    if (n == name) return Error::Invalid("neighbours", "an area cannot neighbour itself");
  }
  auto list = ToPgArray(canon.value());
  tx.exec_params(kUpsertArea, network_id, name, list);
  tx.exec_params(kUnlinkOthers, network_id, name, list);
  tx.exec_params(kLinkBack, network_id, name, list);
  for (auto& a : ListAreas(tx, network_id)) {
    if (a.name == name) return a;
  }
  return Error::Internal("area vanished after upsert");
}

std::vector<Area> ListAreas(pqxx::transaction_base& tx, std::int64_t network_id) {
  std::vector<Area> out;
  for (const auto& r : tx.exec_params(kListAreas, network_id)) {
    out.push_back({r[0].as<std::string>(), FromPgArray(r[1]), r[2].as<std::int64_t>()});
  }
  return out;
}

}  // namespace tocsin
