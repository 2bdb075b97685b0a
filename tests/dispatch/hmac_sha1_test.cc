#include "dispatch/util/hmac_sha1.h"

#include <catch2/catch.hpp>
#include <string>

namespace tocsin {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0x0F];
  }
  return out;
}

}  // namespace

TEST_CASE("SHA-1 known answers (FIPS 180 examples)", "[sha1]") {
  CHECK(Hex(Sha1Digest("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(Hex(Sha1Digest("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(Hex(Sha1Digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  CHECK(Hex(Sha1Digest(std::string(1000000, 'a'))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("SHA-1 gives the same digest however the input is split", "[sha1]") {
  const std::string data(1000, 'q');
  const std::string whole = Sha1Digest(data);
  for (std::size_t piece : {1u, 3u, 55u, 56u, 63u, 64u, 65u, 999u}) {
    INFO(piece);
    Sha1 sha;
    for (std::size_t i = 0; i < data.size(); i += piece) {
      sha.Update(std::string_view(data).substr(i, piece));
    }
    CHECK(sha.Final() == whole);
  }
  // Lengths around the padding boundary (55, 56, 64 bytes).
  CHECK(Hex(Sha1Digest(std::string(55, 'a'))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  CHECK(Hex(Sha1Digest(std::string(56, 'a'))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  CHECK(Hex(Sha1Digest(std::string(64, 'a'))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST_CASE("HMAC-SHA1 RFC 2202 test vectors", "[sha1]") {
  // Case 1
  CHECK(Hex(HmacSha1(std::string(20, '\x0b'), "Hi There")) ==
        "b617318655057264e28bc0b6fb378c8ef146be00");
  // Case 2
  CHECK(Hex(HmacSha1("Jefe", "what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  // Case 3
  CHECK(Hex(HmacSha1(std::string(20, '\xaa'), std::string(50, '\xdd'))) ==
        "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  // Case 4
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
  CHECK(Hex(HmacSha1(key4, std::string(50, '\xcd'))) == "4c9007f4026250c6bc8414f9bf50c86c2d7235da");
  // Case 5
  CHECK(Hex(HmacSha1(std::string(20, '\x0c'), "Test With Truncation")) ==
        "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
  // Case 6: a key longer than the block is hashed first.
  CHECK(Hex(HmacSha1(std::string(80, '\xaa'),
                     "Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  // Case 7
  CHECK(Hex(HmacSha1(std::string(80, '\xaa'),
                     "Test Using Larger Than Block-Size Key and Larger Than One Block-Size "
                     "Data")) == "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

TEST_CASE("HMAC-SHA1 with an empty key and empty data", "[sha1]") {
  CHECK(Hex(HmacSha1("", "")) == "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
  CHECK(HmacSha1("k", "data").size() == kSha1DigestSize);
}

}  // namespace tocsin
