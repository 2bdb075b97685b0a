// The numbers that texted STOP to a network and not START since (schema/0026), found by the
// lookup hash keyed for the network, as members are. An opt-out is the person's, not the member
// row's: it survives the member's deletion, and a member created (API, CSV import) with such a
// number is created opted_out. Only the number's own START removes it. Functions run inside a
// caller's transaction.
//
// Thread safety: holds only a const DataCipher and may be shared.
#pragma once

#include <cstdint>
#include <string>

#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"

namespace tocsin {

class StopList {
 public:
  explicit StopList(const DataCipher& cipher) : cipher_(cipher) {}

  // Whether `e164` stopped network `network_id`'s messages.
  bool Has(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& e164) const;
  // Adds `e164` (nothing when it is there already).
  void Add(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& e164) const;
  // Removes `e164` (its START).
  void Remove(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& e164) const;

 private:
  const DataCipher& cipher_;
};

}  // namespace tocsin
