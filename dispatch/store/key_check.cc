#include "dispatch/store/key_check.h"

#include "dispatch/store/pq_types.h"
#include "dispatch/store/reseal.h"

namespace tocsin {
namespace {

constexpr const char* kRecord =
    "INSERT INTO data_key_check (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING";
// rekey_to through jsonb: the column exists only from migration bound_values on, and migrate
// checks the key before it runs.
constexpr const char* kRead =
    "SELECT fingerprint, to_jsonb(k) ->> 'rekey_to' FROM data_key_check k WHERE id = 1";
constexpr const char* kLock = "SELECT fingerprint, rekey_to FROM data_key_check WHERE id = 1 FOR UPDATE";
constexpr const char* kBegin = "UPDATE data_key_check SET rekey_to = $1 WHERE id = 1";
constexpr const char* kFinish = "UPDATE data_key_check SET fingerprint = $1, rekey_to = NULL WHERE id = 1";

Error NotTheKey() {
  return Error::Invalid("security.data_key",
                        "security.data_key is not the key this database was written with "
                        "(TOCSIN_DATA_KEY changed?); with another key its data cannot be read");
}

}  // namespace

Status CheckDataKey(pqxx::connection& conn, const DataCipher& cipher) {
  auto mine = cipher.Fingerprint();
  pqxx::work tx(conn);
  tx.exec_params(kRecord, Bytea(mine));
  auto row = tx.exec1(kRead);
  auto stored = FromBytea(row[0]).value_or("");
  tx.commit();
  if (!row[1].is_null()) {
    return Error::Invalid("security.data_key",
                          "a `tocsind rekey` to a new data key is unfinished: run it again with the same "
                          "new key file before starting anything");
  }
  if (!ConstantTimeEqual(stored, mine)) return NotTheKey();
  return Ok{};
}

Result<ResealStats> Rekey(pqxx::connection& conn, const DataCipher& from, const DataCipher& to) {
  {
    pqxx::work tx(conn);
    tx.exec_params(kRecord, Bytea(from.Fingerprint()));
    auto row = tx.exec1(kLock);
    auto stored = FromBytea(row[0]).value_or("");
    auto pending = FromBytea(row[1]);
    if (ConstantTimeEqual(stored, to.Fingerprint()) && !pending) return ResealStats{};  // done before
    if (!ConstantTimeEqual(stored, from.Fingerprint())) return NotTheKey();
    if (pending && !ConstantTimeEqual(*pending, to.Fingerprint())) {
      return Error::Invalid("new_key_file",
                            "an unfinished rekey was moving this database to another key: finish it with that key");
    }
    if (ConstantTimeEqual(from.Fingerprint(), to.Fingerprint())) {
      return Error::Invalid("new_key_file", "the new key is the current key");
    }
    tx.exec_params(kBegin, Bytea(to.Fingerprint()));
    tx.commit();
  }
  ResealPass pass(from, to);
  bool more = true;
  while (more) {
    pqxx::work tx(conn);
    more = pass.Step(tx);
    tx.commit();
  }
  pqxx::work tx(conn);
  tx.exec_params(kFinish, Bytea(to.Fingerprint()));
  tx.commit();
  return pass.stats();
}

}  // namespace tocsin
