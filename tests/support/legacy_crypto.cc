#include "tests/support/legacy_crypto.h"

#include <sodium.h>

#include <catch2/catch.hpp>

#include "dispatch/util/crypto.h"

namespace tocsin::test {
namespace {

std::string Subkey(std::string_view data_key_hex, std::uint64_t id) {
  auto master = FromHex(data_key_hex);
  REQUIRE(master);
  std::string key(32, '\0');
  crypto_kdf_derive_from_key(reinterpret_cast<unsigned char*>(key.data()), key.size(), id, "tocsin01",
                             reinterpret_cast<const unsigned char*>(master->data()));
  return key;
}

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string LegacyLookupHash(std::string_view data_key_hex, std::string_view value) {
  auto key = Subkey(data_key_hex, 2);
  std::string out(32, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(), Bytes(value), value.size(),
                     Bytes(key), key.size());
  return out;
}

std::string LegacySeal(std::string_view data_key_hex, std::string_view plaintext) {
  auto key = Subkey(data_key_hex, 1);
  constexpr std::size_t kNonce = crypto_secretbox_xchacha20poly1305_NONCEBYTES;
  std::string out(kNonce + crypto_secretbox_xchacha20poly1305_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonce);
  crypto_secretbox_xchacha20poly1305_easy(nonce + kNonce, Bytes(plaintext), plaintext.size(), nonce,
                                          Bytes(key));
  return out;
}

}  // namespace tocsin::test
