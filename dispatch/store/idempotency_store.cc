#include "dispatch/store/idempotency_store.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

// This token's keys past their 24 hours go first, so an old key is free again.
constexpr const char* kExpire =
    "DELETE FROM raise_idempotency WHERE token_id = $1 AND created_at < now() - "
    "make_interval(hours => $2)";
constexpr const char* kClaim =
    "INSERT INTO raise_idempotency (token_id, key_hash, body_hash) VALUES ($1, $2, $3) ON CONFLICT "
    "DO NOTHING";
constexpr const char* kFind =
    "SELECT body_hash, status, response FROM raise_idempotency WHERE token_id = $1 AND key_hash = "
    "$2";
constexpr const char* kComplete =
    "UPDATE raise_idempotency SET alert_id = $3, status = $4, response = $5 WHERE token_id = $1 "
    "AND key_hash = $2";

}  // namespace

TokenRaiseKey::TokenRaiseKey(const DataCipher& cipher, std::int64_t network_id,
                             std::int64_t token_id, std::string_view key, std::string_view body)
    : token_id_(token_id),
      key_hash_(cipher.LookupHash(network_id, "idempotency-key:" + std::string(key))),
      body_hash_(cipher.LookupHash(network_id, "raise-body:" + std::string(body))) {}

bool TokenRaiseKey::Claim(pqxx::work& tx) const {
  tx.exec_params(kExpire, token_id_, kIdempotencyHours);
  return tx.exec_params(kClaim, token_id_, Bytea(key_hash_), Bytea(body_hash_)).affected_rows() ==
         1;
}

Result<RaiseReceipt> TokenRaiseKey::Repeat(pqxx::work& tx) const {
  auto r = tx.exec_params(kFind, token_id_, Bytea(key_hash_));
  if (r.empty())
    return Error::Unavailable("the first request with this Idempotency-Key is still being handled");
  if (FromBytea(r[0][0]).value_or("") != body_hash_) {
    return Error::Invalid(
        "Idempotency-Key",
        "this key was sent before with a different alert: make a new key for a new alert");
  }
  if (r[0][1].as<int>() == 0) {
    return Error::Unavailable("the first request with this Idempotency-Key is still being handled");
  }
  return RaiseReceipt{r[0][1].as<int>(), r[0][2].as<std::string>(), true};
}

void TokenRaiseKey::Complete(pqxx::work& tx, std::int64_t alert_id,
                             const RaiseReceipt& receipt) const {
  tx.exec_params(kComplete, token_id_, Bytea(key_hash_), alert_id, receipt.status,
                 receipt.response);
}

Status CheckIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > 200) {
    return Error::Invalid("Idempotency-Key", "must be 1 to 200 characters");
  }
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7e)
      return Error::Invalid("Idempotency-Key", "must be printable ASCII without spaces");
  }
  return Ok{};
}

}  // namespace tocsin
