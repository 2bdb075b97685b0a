#include "dispatch/util/crypto.h"
#include "tests/support/legacy_crypto.h"

#include <catch2/catch.hpp>
#include <sodium.h>
#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace tocsin {
namespace {

constexpr std::string_view kKeyA =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kKeyB =
    "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

DataCipher Cipher(std::string_view hex) {
  Result<DataCipher> cipher = DataCipher::FromHex(hex);
  REQUIRE(cipher.ok());
  return std::move(cipher).value();
}

bool IsUrlSafeBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

const SealPlace kHere{"members", "phone_enc", "12", 3};

TEST_CASE("DataCipher seals and opens", "[crypto]") {
  InitCrypto();
  const DataCipher cipher = Cipher(kKeyA);
  for (std::string_view plaintext :
       {std::string_view(""), std::string_view("+447700900123"),
        std::string_view("Ada Lovelace \xE2\x9C\x93"), std::string_view("a\0b", 3)}) {
    const std::string sealed = cipher.Seal(plaintext, kHere);
    CHECK(sealed.size() == 1 + 24 + 16 + plaintext.size());  // version || nonce || ciphertext+MAC
    CHECK(static_cast<std::uint8_t>(sealed[0]) == cipher.key_id());
    CHECK(cipher.SealedHere(sealed, kHere));
    if (!plaintext.empty()) CHECK(sealed.find(plaintext) == std::string::npos);
    const std::optional<std::string> opened = cipher.Open(sealed, kHere);
    REQUIRE(opened.has_value());
    CHECK(*opened == plaintext);
  }
}

TEST_CASE("DataCipher seals the same plaintext differently each time", "[crypto]") {
  const DataCipher cipher = Cipher(kKeyA);
  const std::string a = cipher.Seal("+447700900123", kHere);
  const std::string b = cipher.Seal("+447700900123", kHere);
  CHECK(a != b);
  CHECK(a.substr(1, 24) != b.substr(1, 24));  // fresh nonces
  CHECK(cipher.Open(a, kHere) == cipher.Open(b, kHere));
}

TEST_CASE("DataCipher detects tampering", "[crypto]") {
  const DataCipher cipher = Cipher(kKeyA);
  const std::string sealed = cipher.Seal("+447700900123", kHere);
  // Flipping any single bit, in the version, the nonce, the MAC or the ciphertext, is detected.
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    CHECK_FALSE(cipher.Open(altered, kHere).has_value());
  }
  CHECK_FALSE(cipher.Open(sealed.substr(0, sealed.size() - 1), kHere).has_value());
  CHECK_FALSE(cipher.Open(sealed + "x", kHere).has_value());
  CHECK_FALSE(cipher.Open("", kHere).has_value());
  CHECK_FALSE(cipher.Open(std::string(39, '\0'), kHere).has_value());  // shorter than nonce + MAC
  CHECK_FALSE(cipher.Open(std::string(41, '\0'), kHere).has_value());
}

TEST_CASE("DataCipher opens a value only in the place it was sealed for", "[crypto]") {
  const DataCipher cipher = Cipher(kKeyA);
  const std::string sealed = cipher.Seal("+447700900123", kHere);
  for (const SealPlace& elsewhere : {SealPlace{"members", "phone_enc", "13", 3},    // another member
                                     SealPlace{"members", "phone_enc", "12", 4},    // another network
                                     SealPlace{"members", "name_enc", "12", 3},     // another column
                                     SealPlace{"alerts", "phone_enc", "12", 3},     // another table
                                     SealPlace{"members", "phone_enc", "1", 23}}) { // no ambiguity
    INFO(elsewhere.table << "." << elsewhere.column << " " << elsewhere.row << " " << elsewhere.network_id);
    CHECK_FALSE(cipher.Open(sealed, elsewhere).has_value());
  }
  CHECK(cipher.Open(sealed, kHere) == "+447700900123");
}

TEST_CASE("DataCipher still opens values sealed before they were bound (version 0)", "[crypto]") {
  const DataCipher cipher = Cipher(kKeyA);
  for (int i = 0; i < 300; ++i) {  // so that some start with the version byte by chance
    const std::string legacy = test::LegacySeal(kKeyA, "+447700900123");
    REQUIRE(cipher.Open(legacy, kHere) == "+447700900123");
    CHECK_FALSE(cipher.SealedHere(legacy, kHere));  // migrate and rekey rewrite it bound
  }
  CHECK_FALSE(Cipher(kKeyB).Open(test::LegacySeal(kKeyA, "x"), kHere).has_value());
}

TEST_CASE("DataCipher does not open another key's data", "[crypto]") {
  const DataCipher a = Cipher(kKeyA);
  const DataCipher b = Cipher(kKeyB);
  const std::string sealed = a.Seal("secret", kHere);
  CHECK_FALSE(b.Open(sealed, kHere).has_value());
  CHECK(a.Open(sealed, kHere) == "secret");
  // The same key in upper case is the same key.
  std::string upper(kKeyA);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(Cipher(upper).Open(sealed, kHere) == "secret");
}

TEST_CASE("LookupHash is deterministic and depends on the key and the network", "[crypto]") {
  const DataCipher a = Cipher(kKeyA);
  const DataCipher a_again = Cipher(kKeyA);
  const DataCipher b = Cipher(kKeyB);
  const std::string h = a.LookupHash(7, "+447700900123");
  CHECK(h.size() == 32);
  CHECK(h == a.LookupHash(7, "+447700900123"));
  CHECK(h == a_again.LookupHash(7, "+447700900123"));
  CHECK(h != a.LookupHash(7, "+447700900124"));
  CHECK(h != b.LookupHash(7, "+447700900123"));
  // Per network: one person in two networks cannot be linked by the hash.
  CHECK(h != a.LookupHash(8, "+447700900123"));
  // Keyed: not the unkeyed hash of the value.
  CHECK(h != HashToken("+447700900123"));
}

TEST_CASE("TokenHash is keyed, and an unkeyed hash can be keyed without the token", "[crypto]") {
  const DataCipher a = Cipher(kKeyA);
  const DataCipher b = Cipher(kKeyB);
  const std::string t = NewToken();
  CHECK(a.TokenHash(t).size() == 32);
  CHECK(a.TokenHash(t) == Cipher(kKeyA).TokenHash(t));
  CHECK(a.TokenHash(t) != b.TokenHash(t));
  CHECK(a.TokenHash(t) != HashToken(t));  // what one could write without the key
  CHECK(a.TokenHash(t) == a.KeyTokenHash(HashToken(t)));
  CHECK(a.TokenHash(t) != a.LookupHash(1, t));  // a subkey of its own
}

TEST_CASE("Fingerprint is what databases already recorded", "[crypto]") {
  // Before lookups were keyed per network the fingerprint was the one lookup hash of a constant
  // (subkey 2 of context "tocsin01"); databases hold it in data_key_check.
  auto master = FromHex(kKeyA);
  REQUIRE(master);
  unsigned char subkey[32];
  crypto_kdf_derive_from_key(subkey, sizeof subkey, 2, "tocsin01",
                             reinterpret_cast<const unsigned char*>(master->data()));
  std::string expected(32, '\0');
  std::string_view input = "tocsin data key check v1";
  crypto_generichash(reinterpret_cast<unsigned char*>(expected.data()), 32,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size(), subkey, 32);
  CHECK(Cipher(kKeyA).Fingerprint() == expected);
  CHECK(Cipher(kKeyB).Fingerprint() != expected);
}

TEST_CASE("DataCipher::FromHex accepts only 64 hex characters", "[crypto]") {
  CHECK(DataCipher::FromHex(kKeyA).ok());
  const std::string key(kKeyA);
  const std::vector<std::string> bad = {
      key.substr(0, 63),        // 63 characters
      key + "0",                // 65 characters
      key.substr(0, 62),        // 31 bytes
      key + "00",               // 33 bytes
      "",                       //
      key.substr(0, 63) + "g",  // not hex
      " " + key.substr(0, 63),  // leading space
      key.substr(0, 31) + ":" + key.substr(32),
  };
  for (const std::string& hex : bad) {
    Result<DataCipher> cipher = DataCipher::FromHex(hex);
    REQUIRE_FALSE(cipher.ok());
    CHECK(cipher.error().code == ErrorCode::kInvalid);
    CHECK(cipher.error().field == "security.data_key");
    CHECK(cipher.error().message.find("tocsind keygen") != std::string::npos);
    if (hex.size() > 8) CHECK(cipher.error().message.find(hex.substr(4, 16)) == std::string::npos);
  }
}

TEST_CASE("GenerateDataKeyHex makes usable distinct keys", "[crypto]") {
  const std::string a = GenerateDataKeyHex();
  const std::string b = GenerateDataKeyHex();
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
  CHECK(DataCipher::FromHex(a).ok());
}

TEST_CASE("NewToken has the prefix and 43 URL-safe characters", "[crypto]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = NewToken();
    REQUIRE(token.size() == 4 + 43);
    CHECK(token.starts_with("tcs_"));
    for (char c : token.substr(4)) CHECK(IsUrlSafeBase64Char(c));
    seen.insert(token);
  }
  CHECK(seen.size() == 100);
  const std::string admin = NewToken("adm_");
  CHECK(admin.starts_with("adm_"));
  CHECK(admin.size() == 47);
  CHECK(NewToken("").size() == 43);
}

TEST_CASE("HashToken is a 32-byte unkeyed BLAKE2b", "[crypto]") {
  // BLAKE2b-256 of the empty string (as Python's hashlib.blake2b(digest_size=32) gives).
  CHECK(ToHex(HashToken("")) == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  CHECK(HashToken("tcs_abc").size() == 32);
  CHECK(HashToken("tcs_abc") == HashToken("tcs_abc"));
  CHECK(HashToken("tcs_abc") != HashToken("tcs_abd"));
}

TEST_CASE("ConstantTimeEqual compares contents and lengths", "[crypto]") {
  CHECK(ConstantTimeEqual("", ""));
  CHECK(ConstantTimeEqual("abc", "abc"));
  CHECK_FALSE(ConstantTimeEqual("abc", "abd"));
  CHECK_FALSE(ConstantTimeEqual("abc", "ab"));
  CHECK_FALSE(ConstantTimeEqual("", "a"));
  CHECK(ConstantTimeEqual(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  CHECK_FALSE(ConstantTimeEqual(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

TEST_CASE("Hex helpers round trip and reject junk", "[crypto]") {
  CHECK(ToHex("") == "");
  CHECK(ToHex(std::string_view("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(FromHex("0001abff") == std::string("\x00\x01\xab\xff", 4));
  CHECK(FromHex("0001ABFF") == std::string("\x00\x01\xab\xff", 4));
  CHECK(FromHex("") == std::string());
  CHECK_FALSE(FromHex("abc").has_value());  // odd length
  CHECK_FALSE(FromHex("zz").has_value());
  CHECK_FALSE(FromHex("ab cd").has_value());
  CHECK_FALSE(FromHex("0x00").has_value());
  const std::string key = GenerateDataKeyHex();
  REQUIRE(FromHex(key).has_value());
  CHECK(ToHex(*FromHex(key)) == key);
}

TEST_CASE("Base64 helpers use the padded standard alphabet", "[crypto]") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode(std::string_view("\xfb\xff", 2)) == "+/8=");
  CHECK(Base64Decode("") == std::string());
  CHECK(Base64Decode("Zg==") == "f");
  CHECK(Base64Decode("Zm9vYmFy") == "foobar");
  CHECK(Base64Decode("+/8=") == std::string("\xfb\xff", 2));
  CHECK_FALSE(Base64Decode("Zg").has_value());    // padding required
  CHECK_FALSE(Base64Decode("-_8=").has_value());  // URL-safe alphabet
  CHECK_FALSE(Base64Decode("Zm9v!").has_value());
  CHECK_FALSE(Base64Decode("Zm9v YmFy").has_value());
  const std::string bytes = FromHex(GenerateDataKeyHex()).value();
  CHECK(Base64Decode(Base64Encode(bytes)) == bytes);
}

}  // namespace
}  // namespace tocsin
