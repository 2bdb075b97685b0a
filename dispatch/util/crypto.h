// Encryption at rest and secret handling (libsodium).
//
// Phone numbers, names and free text are sealed with XChaCha20-Poly1305 (crypto_secretbox,
// random nonce) under a key derived from `security.data_key`; the key never reaches the database.
// Exact-match lookups (a member by phone) use a keyed BLAKE2b hash under a second derived key,
// so the database holds neither the number nor an unkeyed hash one could brute-force.
//
// Thread safety: a DataCipher is immutable after construction and safe to share.
#pragma once

#include <array>
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
  // 32-byte keyed hash of `value` (binary), deterministic for this key: the lookup column.
  std::string LookupHash(std::string_view value) const;

 private:
  DataCipher() = default;
  std::array<unsigned char, 32> seal_key_{};
  std::array<unsigned char, 32> hash_key_{};
};

// A fresh data key as 64 lowercase hex characters (`tocsind keygen`).
std::string GenerateDataKeyHex();

// A fresh API token: `prefix` + 43 characters of URL-safe base64 (32 random bytes).
std::string NewToken(std::string_view prefix = "tcs_");
// The stored form of a token: 32-byte BLAKE2b hash (binary). Tokens are high-entropy, so an
// unkeyed hash is enough; the raw token is never stored.
std::string HashToken(std::string_view token);
// Compares two byte strings in time independent of their contents (lengths may leak).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

std::string ToHex(std::string_view bytes);
std::optional<std::string> FromHex(std::string_view hex);
std::string Base64Encode(std::string_view bytes);                 // standard alphabet, padded
std::optional<std::string> Base64Decode(std::string_view text);  // standard alphabet, padded

}  // namespace tocsin
