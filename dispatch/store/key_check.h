// The data key must be the one the database was written with: checked before serving or
// changing anything (tocsind serve and the CLI).
#pragma once

#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

// Records the key's fingerprint on first use; afterwards Error::Invalid("security.data_key")
// if `cipher`'s key is another one.
Status CheckDataKey(pqxx::connection& conn, const DataCipher& cipher);

}  // namespace tocsin
