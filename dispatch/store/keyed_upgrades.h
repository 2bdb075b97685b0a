// Upgrades of stored data that need the data key, so SQL cannot do them: each belongs to one
// migration (by name, which survives renumbering) and runs once, in the transaction that applies
// that migration, after its SQL. Running once matters: a row someone writes into the database
// afterwards in the old, unkeyed form is never upgraded, so it never becomes valid.
#pragma once

#include <string_view>

#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"

namespace tocsin {

using KeyedUpgrade = void (*)(pqxx::work& tx, const DataCipher& cipher);

// The upgrade of migration `name` ("keyed_lookups"), or nullptr when it has none.
KeyedUpgrade FindKeyedUpgrade(std::string_view name);

}  // namespace tocsin
