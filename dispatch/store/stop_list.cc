#include "dispatch/store/stop_list.h"

#include "dispatch/store/pq_types.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {
namespace {

constexpr const char* kHas = "SELECT 1 FROM stopped_numbers WHERE network_id = $1 AND phone_hash = $2";
// The id is reserved first: the sealed number is bound to it.
constexpr const char* kAdd =
    "INSERT INTO stopped_numbers (id, network_id, phone_hash, phone_enc) OVERRIDING SYSTEM VALUE"
    " VALUES ($1, $2, $3, $4) ON CONFLICT (network_id, phone_hash) DO NOTHING";
constexpr const char* kRemove = "DELETE FROM stopped_numbers WHERE network_id = $1 AND phone_hash = $2";

}  // namespace

bool StopList::Has(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& e164) const {
  return !tx.exec_params(kHas, network_id, Bytea(cipher_.LookupHash(network_id, e164))).empty();
}

void StopList::Add(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& e164) const {
  const auto hash = cipher_.LookupHash(network_id, e164);
  if (!tx.exec_params(kHas, network_id, Bytea(hash)).empty()) return;
  const auto id = ReserveId(tx, "stopped_numbers");
  tx.exec_params(kAdd, id, network_id, Bytea(hash), Bytea(cipher_.Seal(e164, places::StoppedPhone(network_id, id))));
}

void StopList::Remove(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& e164) const {
  tx.exec_params(kRemove, network_id, Bytea(cipher_.LookupHash(network_id, e164)));
}

}  // namespace tocsin
