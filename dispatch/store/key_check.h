// The data key must be the one the database was written with: checked before serving or
// changing anything (tocsind serve and the CLI). `tocsind rekey` moves the database to another.
#pragma once

#include <pqxx/pqxx>

#include "dispatch/store/reseal.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

// Records the key's fingerprint on first use; afterwards Error::Invalid("security.data_key")
// if `cipher`'s key is another one, or while a rekey is unfinished.
Status CheckDataKey(pqxx::connection& conn, const DataCipher& cipher);

// Moves every sealed value and keyed hash from key `from` (the database's) to `to`:
//   1. Refused unless the database is under `from`, or a rekey from `from` to `to` was
//      interrupted (then it continues); a no-op when it is under `to` already.
//   2. First records that a rekey to `to` is under way: until it ends, CheckDataKey refuses every
//      key, so nothing starts with data under two keys.
//   3. Rewrites the values in batches, one transaction each (reseal.h). The server must be
//      stopped meanwhile.
//   4. Last, in one transaction: `to` becomes the database's key.
Result<ResealStats> Rekey(pqxx::connection& conn, const DataCipher& from, const DataCipher& to);

}  // namespace tocsin
