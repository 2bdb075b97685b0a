// Schema migrations: the numbered files of schema/ (NNNN_name.sql), compiled into the binary so
// an installed tocsind needs no source tree. Applied in order, each in its own transaction,
// recorded in schema_migrations. Concurrent migrators serialise on an advisory lock.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"

namespace tocsin {

struct Migration {
  int version = 0;
  std::string name;
  std::string_view sql;
};

// Every migration shipped in this binary, ordered by version (generated from schema/).
const std::vector<Migration>& BuiltinMigrations();

// Applies the missing migrations; returns the versions applied (empty when up to date).
// A migration with a keyed upgrade (keyed_upgrades.h) runs it in its own transaction with
// `cipher`, after checking that `cipher` is the database's key. Throws pqxx exceptions on
// database failure (the failing migration's transaction rolls back), std::runtime_error when
// the key is missing or not the database's.
std::vector<int> ApplyMigrations(pqxx::connection& conn, const DataCipher* cipher);

// Versions shipped in this binary but not applied to the database.
std::vector<int> PendingMigrations(pqxx::connection& conn);

}  // namespace tocsin
