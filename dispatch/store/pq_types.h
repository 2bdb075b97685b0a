// Glue between our types and libpqxx 6.4 parameters and fields: text[] arrays and bytea values
// (libpqxx 6.4 already sends std::optional parameters as NULL when empty). Values always travel as parameters, never
// spliced into SQL text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

// A PostgreSQL array literal ({"a","b"}) for a text[] parameter; use "$n::text[]" in SQL.
std::string ToPgArray(const std::vector<std::string>& items);
// The same for a list with NULL elements (nullopt).
std::string ToPgArray(const std::vector<std::optional<std::string>>& items);
// The same for a bigint[] parameter ("$n::bigint[]").
std::string ToPgArray(const std::vector<std::int64_t>& items);
// Reads a text[] field (NULL reads as empty).
std::vector<std::string> FromPgArray(const pqxx::field& f);
// Runs `sql` as the statement prepared under `name` on this connection (declared here on first
// use; parsed and planned once a connection instead of every time): for statements that run
// once a batch on the hot paths. `name` must always come with the same `sql`.
template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& tx, const char* name, const char* sql, Args&&... args) {
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}
// A bytea parameter.
inline pqxx::binarystring Bytea(const std::string& bytes) { return pqxx::binarystring(bytes); }
// Reads a bytea field (NULL reads as nullopt).
std::optional<std::string> FromBytea(const pqxx::field& f);

// The id the next row of `table` (an identity column "id") will have, reserved now, so a value
// sealed for that row (bound to its id) can be written with it: insert with
// OVERRIDING SYSTEM VALUE.
std::int64_t ReserveId(pqxx::transaction_base& tx, const char* table);

}  // namespace tocsin
