// CSV import of members: header `phone,name,language,areas,roles,channels` (any order; only
// `phone` is required; lists separated by ';'). A row whose phone is already a member updates
// that member with the cells given (an empty cell leaves the field as it is); any other valid
// row creates a member (opted out if the number texted STOP: noted by line). Bad rows are reported by line and change nothing; the good rows are
// stored in one transaction, so an import that fails part-way (the database refuses a row, the
// connection drops) stores nothing.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/store/member_registry.h"
#include "dispatch/store/network_registry.h"

namespace tocsin {

struct ImportLineError {
  std::size_t line = 0;
  std::string message;
};

struct ImportResult {
  std::size_t created = 0;
  std::size_t updated = 0;
  // Of `created`, those created opted_out because their number texted STOP (store/stop_list.h);
  // each has a note naming its line.
  std::size_t opted_out = 0;
  std::vector<ImportLineError> errors;
  std::vector<ImportLineError> notes;  // rows stored, but not as asked
};

inline constexpr std::size_t kImportMaxRows = 100000;

// The import's columns, in the order an export writes them.
inline constexpr std::array<std::string_view, 6> kMemberCsvColumns = {
    "phone", "name", "language", "areas", "roles", "channels"};

// Parses and validates `csv`; a structural problem (bad header, unterminated quote, too many
// rows) is an Error and stores nothing. Otherwise stores the valid rows on `conn` in one
// transaction, with one audit entry by `actor`.
Result<ImportResult> ImportMembersCsv(pqxx::connection& conn, MemberRegistry& members,
                                      const Network& net, std::string_view csv,
                                      const std::string& actor);

}  // namespace tocsin
