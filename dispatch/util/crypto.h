// Encryption at rest and secret handling (libsodium).
//
// Phone numbers, names and free text are sealed with XChaCha20-Poly1305 (AEAD, random nonce)
// under a key derived from `security.data_key`; the key never reaches the database. Each sealed
// value is bound to its place (table, column, row key, network: sealed_places.h) as associated
// data, so a ciphertext copied onto another row, column or network does not open there, and
// starts with a byte naming the key that sealed it (its key id: the first byte of the key's
// fingerprint), so a rotation (`tocsind rekey`) can tell old values from new. Values sealed
// before binding ("version 0": nonce || crypto_secretbox, no key byte, no place) still open;
// `tocsind migrate` rewrites them bound, and a rekey too.
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

// Where a sealed value lives (see sealed_places.h for every one).
struct SealPlace {
  std::string_view table;   // "members"
  std::string_view column;  // "phone_enc"
  std::string row;          // the row's key, e.g. the member's id in decimal
  std::int64_t network_id = 0;
};

class DataCipher {
 public:
  // `hex` must be exactly 64 hex characters (32 bytes); anything else is Error::Invalid with
  // field "security.data_key".
  static Result<DataCipher> FromHex(std::string_view hex);

  // Returns key id || nonce || ciphertext (binary), bound to `place`. Every call uses a fresh
  // random nonce.
  std::string Seal(std::string_view plaintext, const SealPlace& place) const;
  // The plaintext, or nullopt if `sealed` was not produced by this key for this `place`, or was
  // altered. A version-0 value (from before binding) opens anywhere: it carries no place.
  std::optional<std::string> Open(std::string_view sealed, const SealPlace& place) const;
  // Whether `sealed` was sealed by this key for `place` in the bound format (not version 0).
  bool SealedHere(std::string_view sealed, const SealPlace& place) const;
  // The byte this key writes first in every sealed value.
  std::uint8_t key_id() const { return key_id_; }
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
  std::optional<std::string> OpenBound(std::string_view sealed, const SealPlace& place) const;
  std::array<unsigned char, 32> seal_key_{};
  std::array<unsigned char, 32> check_key_{};
  std::array<unsigned char, 32> token_key_{};
  std::array<unsigned char, 32> lookup_root_{};
  std::uint8_t key_id_ = 0;
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
