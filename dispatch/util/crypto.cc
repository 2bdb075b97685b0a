#include "dispatch/util/crypto.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace tocsin {
namespace {

// Subkeys of the data key (crypto_kdf). Changing any of these makes existing data unreadable.
constexpr char kKdfContext[] = "tocsin01";
static_assert(sizeof(kKdfContext) - 1 == crypto_kdf_CONTEXTBYTES);
constexpr std::uint64_t kSealSubkeyId = 1;
constexpr std::uint64_t kCheckSubkeyId = 2;  // was the one lookup key: fingerprints stay valid
constexpr std::uint64_t kTokenSubkeyId = 3;
constexpr std::uint64_t kLookupRootSubkeyId = 4;
// Per-network lookup subkeys: subkey id = network id, derived from the lookup root.
constexpr char kLookupContext[] = "tcsphone";
static_assert(sizeof(kLookupContext) - 1 == crypto_kdf_CONTEXTBYTES);
constexpr const char* kFingerprintInput = "tocsin data key check v1";

constexpr std::size_t kDataKeyBytes = 32;
constexpr std::size_t kTokenRandomBytes = 32;
constexpr std::size_t kHashBytes = 32;

static_assert(crypto_kdf_KEYBYTES == kDataKeyBytes);
static_assert(crypto_secretbox_xchacha20poly1305_KEYBYTES == 32);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);
static_assert(crypto_generichash_KEYBYTES == 32);

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), out.size());
  return out;
}

std::string Base64(std::string_view bytes, int variant) {
  // sodium_base64_ENCODED_LEN counts the terminating NUL.
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), Bytes(bytes), bytes.size(), variant);
  out.resize(out.size() - 1);
  return out;
}

}  // namespace

void InitCrypto() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      std::fputs("tocsin: fatal: libsodium failed to initialise\n", stderr);
      std::abort();
    }
  });
}

Result<DataCipher> DataCipher::FromHex(std::string_view hex) {
  InitCrypto();
  // Never echo `hex`: it is the key.
  const Error bad = Error::Invalid(
      "security.data_key",
      "security.data_key must be 64 hex characters (32 bytes); run `tocsind keygen` to make one");
  if (hex.size() != 2 * kDataKeyBytes) return bad;
  unsigned char master[kDataKeyBytes];
  std::size_t master_len = 0;
  const char* hex_end = nullptr;
  if (sodium_hex2bin(master, sizeof master, hex.data(), hex.size(), nullptr, &master_len,
                     &hex_end) != 0 ||
      master_len != kDataKeyBytes || hex_end != hex.data() + hex.size()) {
    sodium_memzero(master, sizeof master);
    return bad;
  }
  DataCipher cipher;
  crypto_kdf_derive_from_key(cipher.seal_key_.data(), cipher.seal_key_.size(), kSealSubkeyId,
                             kKdfContext, master);
  crypto_kdf_derive_from_key(cipher.check_key_.data(), cipher.check_key_.size(), kCheckSubkeyId,
                             kKdfContext, master);
  crypto_kdf_derive_from_key(cipher.token_key_.data(), cipher.token_key_.size(), kTokenSubkeyId,
                             kKdfContext, master);
  crypto_kdf_derive_from_key(cipher.lookup_root_.data(), cipher.lookup_root_.size(),
                             kLookupRootSubkeyId, kKdfContext, master);
  sodium_memzero(master, sizeof master);
  cipher.key_id_ = static_cast<std::uint8_t>(cipher.Fingerprint()[0]);
  return cipher;
}

namespace {

constexpr std::size_t kAeadNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kAeadOverhead = 1 + kAeadNonceBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES;

// The associated data: every part of the place, each ended by a NUL (no part holds one).
std::string AssociatedData(const SealPlace& place) {
  std::string ad;
  ad.reserve(place.table.size() + place.column.size() + place.row.size() + 24);
  for (std::string_view part : {place.table, place.column, std::string_view(place.row)}) {
    ad.append(part);
    ad.push_back('\0');
  }
  ad.append(std::to_string(place.network_id));
  return ad;
}

// Version 0: nonce || crypto_secretbox_xchacha20poly1305, as written before values were bound.
std::optional<std::string> OpenUnbound(std::string_view sealed, const unsigned char* key) {
  constexpr std::size_t kNonceBytes = crypto_secretbox_xchacha20poly1305_NONCEBYTES;
  constexpr std::size_t kOverhead = kNonceBytes + crypto_secretbox_xchacha20poly1305_MACBYTES;
  if (sealed.size() < kOverhead) return std::nullopt;
  const unsigned char* nonce = Bytes(sealed);
  std::string plaintext(sealed.size() - kOverhead, '\0');
  if (crypto_secretbox_xchacha20poly1305_open_easy(Bytes(plaintext), nonce + kNonceBytes,
                                                   sealed.size() - kNonceBytes, nonce, key) != 0) {
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace

std::string DataCipher::Seal(std::string_view plaintext, const SealPlace& place) const {
  const std::string ad = AssociatedData(place);
  std::string out(kAeadOverhead + plaintext.size(), '\0');
  out[0] = static_cast<char>(key_id_);
  unsigned char* nonce = Bytes(out) + 1;
  randombytes_buf(nonce, kAeadNonceBytes);
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kAeadNonceBytes, nullptr, Bytes(plaintext),
                                             plaintext.size(), Bytes(ad), ad.size(), nullptr, nonce,
                                             seal_key_.data());
  return out;
}

std::optional<std::string> DataCipher::OpenBound(std::string_view sealed, const SealPlace& place) const {
  if (sealed.size() < kAeadOverhead || static_cast<std::uint8_t>(sealed[0]) != key_id_) return std::nullopt;
  const std::string ad = AssociatedData(place);
  const unsigned char* nonce = Bytes(sealed) + 1;
  std::string plaintext(sealed.size() - kAeadOverhead, '\0');
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(Bytes(plaintext), nullptr, nullptr, nonce + kAeadNonceBytes,
                                                 sealed.size() - 1 - kAeadNonceBytes, Bytes(ad), ad.size(),
                                                 nonce, seal_key_.data()) != 0) {
    return std::nullopt;
  }
  return plaintext;
}

std::optional<std::string> DataCipher::Open(std::string_view sealed, const SealPlace& place) const {
  // A version-0 value starts with a random nonce byte, which may equal the key id: try both.
  if (auto plaintext = OpenBound(sealed, place)) return plaintext;
  return OpenUnbound(sealed, seal_key_.data());
}

bool DataCipher::SealedHere(std::string_view sealed, const SealPlace& place) const {
  return OpenBound(sealed, place).has_value();
}

namespace {

std::string KeyedHash(std::string_view value, const unsigned char* key) {
  std::string out(kHashBytes, '\0');
  crypto_generichash(Bytes(out), out.size(), Bytes(value), value.size(), key, 32);
  return out;
}

}  // namespace

std::string DataCipher::LookupHash(std::int64_t network_id, std::string_view value) const {
  std::array<unsigned char, 32> network_key{};
  crypto_kdf_derive_from_key(network_key.data(), network_key.size(),
                             static_cast<std::uint64_t>(network_id), kLookupContext,
                             lookup_root_.data());
  auto out = KeyedHash(value, network_key.data());
  sodium_memzero(network_key.data(), network_key.size());
  return out;
}

std::string DataCipher::TokenHash(std::string_view token) const {
  return KeyTokenHash(HashToken(token));
}

std::string DataCipher::KeyTokenHash(std::string_view unkeyed_hash) const {
  return KeyedHash(unkeyed_hash, token_key_.data());
}

std::string DataCipher::Fingerprint() const { return KeyedHash(kFingerprintInput, check_key_.data()); }

std::string GenerateDataKeyHex() {
  InitCrypto();
  std::string key = RandomBytes(kDataKeyBytes);
  std::string hex = ToHex(key);
  sodium_memzero(key.data(), key.size());
  return hex;
}

std::string NewToken(std::string_view prefix) {
  InitCrypto();
  const std::string random = RandomBytes(kTokenRandomBytes);
  return std::string(prefix) + Base64(random, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string HashToken(std::string_view token) {
  InitCrypto();
  std::string out(kHashBytes, '\0');
  crypto_generichash(Bytes(out), out.size(), Bytes(token), token.size(), nullptr, 0);
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string ToHex(std::string_view bytes) {
  // sodium_bin2hex writes a terminating NUL.
  std::string out(2 * bytes.size() + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), Bytes(bytes), bytes.size());
  out.resize(out.size() - 1);
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  std::size_t out_len = 0;
  const char* hex_end = nullptr;
  const int rc =
      sodium_hex2bin(Bytes(out), out.size(), hex.data(), hex.size(), nullptr, &out_len, &hex_end);
  if (rc != 0 || hex_end != hex.data() + hex.size()) return std::nullopt;
  out.resize(out_len);
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  return Base64(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t out_len = 0;
  const char* b64_end = nullptr;
  if (sodium_base642bin(Bytes(out), out.size(), text.data(), text.size(), nullptr, &out_len,
                        &b64_end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      b64_end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(out_len);
  return out;
}

}  // namespace tocsin
