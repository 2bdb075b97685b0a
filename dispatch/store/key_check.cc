#include "dispatch/store/key_check.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kRecord =
    "INSERT INTO data_key_check (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING";
constexpr const char* kRead = "SELECT fingerprint FROM data_key_check WHERE id = 1";

}  // namespace

Status CheckDataKey(pqxx::connection& conn, const DataCipher& cipher) {
  auto mine = cipher.Fingerprint();
  pqxx::work tx(conn);
  tx.exec_params(kRecord, Bytea(mine));
  auto stored = FromBytea(tx.exec1(kRead)[0]).value_or("");
  tx.commit();
  if (!ConstantTimeEqual(stored, mine)) {
    return Error::Invalid("security.data_key",
                          "security.data_key is not the key this database was written with "
                          "(TOCSIN_DATA_KEY changed?); with another key its data cannot be read");
  }
  return Ok{};
}

}  // namespace tocsin
