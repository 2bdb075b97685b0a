// Areas: named zones (postcode districts or a network's own names) and their neighbours, so an
// alert can widen from an area to the areas around it. Neighbourhood is kept symmetric: if A
// lists B, B lists A.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/util/result.h"

namespace tocsin {

struct Area {
  std::string name;
  std::vector<std::string> neighbours;  // sorted
  std::int64_t members = 0;             // members who list this area
};

// Creates or replaces `name`'s neighbours (each checked, not `name` itself, at most 50),
// creating neighbour areas that do not exist yet and updating the other side of every link
// added or removed.
Result<Area> PutArea(pqxx::work& tx, std::int64_t network_id, const std::string& name,
                     std::vector<std::string> neighbours);
std::vector<Area> ListAreas(pqxx::transaction_base& tx, std::int64_t network_id);

}  // namespace tocsin
