// Encryption at rest and secret handling (libsodium).
//
// Phone numbers, names and free text are sealed with XChaCha20-Poly1305 (crypto_secretbox,
// random nonce) under a key derived from `security.data_key`; the key never reaches the database.
// Exact-match lookups (a member by phone) use a keyed BLAKE2b hash under a subkey of each
// network, so the database holds neither the number nor an unkeyed hash one could brute-force,
// and the same person in two networks cannot be linked. API tokens are stored as a keyed hash
// too, so whoever can write the database cannot mint a token without the data key.
//
// Subkeys (crypto_kdf_derive_from_key), one per purpose; changing any makes data unreadable:
//   context "tocsin01": 1 sealing, 2 the key's fingerprint (key_check.h), 3 tokens, 4 the root
//   of the per-network lookup keys; context "tcsphone": id = network id, from that root.
//
// Thread safety: a DataCipher is immutable after construction and safe to share.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dispatch/util/result.h"

namespace tocsin {

// Calls sodium_init() once; aborts the process if libsodium cannot initialise.
void InitCrypto();

class DataCipher {
 public:
  // `hex` must be exactly 64 hex characters (32 bytes); anything else is Error::Invalid with
  // field "security.data_key".
  static Result<DataCipher> FromHex(std::string_view hex);

  // Returns nonce || ciphertext (binary). Every call uses a fresh random nonce.
  std::string Seal(std::string_view plaintext) const;
  // The plaintext, or nullopt if `sealed` was not produced by this key or was altered.
  std::optional<std::string> Open(std::string_view sealed) const;
  // 32-byte keyed hash of `value` (binary) under network `network_id`'s own subkey,
  // deterministic for this key and network: the lookup column (members.phone_hash).
  std::string LookupHash(std::int64_t network_id, std::string_view value) const;
  // The stored form of an API token (api_tokens.token_hash): KeyTokenHash(HashToken(token)).
  std::string TokenHash(std::string_view token) const;
  // Keys an unkeyed HashToken value: how rows stored before tokens were keyed are upgraded in
  // place without the token (the upgrade runs once, with the migration that keys them).
  std::string KeyTokenHash(std::string_view unkeyed_hash) const;
  // 32 bytes that identify this key and reveal nothing of it (data_key_check).
  std::string Fingerprint() const;

 private:
  DataCipher() = default;
  std::array<unsigned char, 32> seal_key_{};
  std::array<unsigned char, 32> check_key_{};
  std::array<unsigned char, 32> token_key_{};
  std::array<unsigned char, 32> lookup_root_{};
};

// A fresh data key as 64 lowercase hex characters (`tocsind keygen`).
std::string GenerateDataKeyHex();

// A fresh API token: `prefix` + 43 characters of URL-safe base64 (32 random bytes).
std::string NewToken(std::string_view prefix = "tcs_");
// 32-byte unkeyed BLAKE2b of a token (binary): compares the configured admin token, and is the
// inner hash of DataCipher::TokenHash. Never stored alone (anyone could compute it).
std::string HashToken(std::string_view token);
// Compares two byte strings in time independent of their contents (lengths may leak).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

std::string ToHex(std::string_view bytes);
std::optional<std::string> FromHex(std::string_view hex);
std::string Base64Encode(std::string_view bytes);                 // standard alphabet, padded
std::optional<std::string> Base64Decode(std::string_view text);  // standard alphabet, padded

}  // namespace tocsin
