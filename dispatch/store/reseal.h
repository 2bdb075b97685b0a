// Rewrites every sealed value in the database (every column listed in util/sealed_places.h)
// from one key to another, bound to its place, and the keyed hashes kept beside them
// (members.phone_hash, stopped_numbers.phone_hash,
// api_tokens.token_hash) under the new key. Used by `tocsind rekey`
// (a new key: one transaction per batch) and by migration bound_values (the same key:
// version-0 values from before binding are rewritten bound, all in the migration's transaction).
//
// Contract:
//   1. A value `to` already sealed for its place is left as it is, so a pass interrupted and run
//      again continues where it stopped, and running it twice changes nothing.
//   2. A value neither key opens for its place is left as it is and counted as unreadable (it
//      was copied from elsewhere, or emptied by a purge or a deletion).
//   3. Each Step holds its batch's rows FOR UPDATE; nothing else should write sealed values
//      meanwhile (the server is stopped for a rekey).
#pragma once

#include <cstddef>
#include <string>

#include <pqxx/pqxx>

#include "dispatch/util/crypto.h"

namespace tocsin {

struct ResealStats {
  long long rewritten = 0;
  long long unreadable = 0;
};

class ResealPass {
 public:
  ResealPass(const DataCipher& from, const DataCipher& to, int batch = 500)
      : from_(from), to_(to), batch_(batch) {}

  // Rewrites the next batch of at most `batch` rows; false once every column is done.
  bool Step(pqxx::work& tx);
  const ResealStats& stats() const { return stats_; }

 private:
  const DataCipher& from_;
  const DataCipher& to_;
  const int batch_;
  std::size_t column_ = 0;       // index into the column list (reseal.cc)
  std::string cursor_ = "(0,0)";  // the last ctid seen in that column's table
  ResealStats stats_;
};

}  // namespace tocsin
