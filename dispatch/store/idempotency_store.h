// TokenRaiseKey: a client's `Idempotency-Key` on POST .../alerts (raise_key.h), per token, for
// 24 hours (schema/0025_raise_idempotency.sql). The key and the request body are stored only as
// hashes keyed for the network (DataCipher::LookupHash). A key reused with another body is
// refused (Invalid, field "Idempotency-Key"); a key older than 24 hours is free again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dispatch/store/raise_key.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

// How long a key holds its first answer.
inline constexpr int kIdempotencyHours = 24;

// `key`: 1..200 printable ASCII characters (CheckIdempotencyKey).
class TokenRaiseKey : public RaiseKey {
 public:
  TokenRaiseKey(const DataCipher& cipher, std::int64_t network_id, std::int64_t token_id,
                std::string_view key, std::string_view body);
  bool Claim(pqxx::work& tx) const override;
  Result<RaiseReceipt> Repeat(pqxx::work& tx) const override;
  void Complete(pqxx::work& tx, std::int64_t alert_id, const RaiseReceipt& receipt) const override;

 private:
  std::int64_t token_id_;
  std::string key_hash_;
  std::string body_hash_;
};

// Invalid (field "Idempotency-Key") unless `key` is 1..200 printable ASCII characters.
Status CheckIdempotencyKey(std::string_view key);

}  // namespace tocsin
