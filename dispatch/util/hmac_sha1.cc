#include "dispatch/util/hmac_sha1.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace tocsin {
namespace {

constexpr std::size_t kBlockSize = 64;

constexpr std::uint32_t Rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

}  // namespace

Sha1::Sha1() : h_{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u} {}

void Sha1::Compress(const std::uint8_t* block) {
  std::uint32_t w[80];
  for (int t = 0; t < 16; ++t) {
    w[t] = (std::uint32_t{block[4 * t]} << 24) | (std::uint32_t{block[4 * t + 1]} << 16) |
           (std::uint32_t{block[4 * t + 2]} << 8) | std::uint32_t{block[4 * t + 3]};
  }
  for (int t = 16; t < 80; ++t) w[t] = Rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

  std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
  for (int t = 0; t < 80; ++t) {
    std::uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999u;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1u;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDCu;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6u;
    }
    const std::uint32_t temp = Rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = Rotl(b, 30);
    b = a;
    a = temp;
  }
  h_[0] += a;
  h_[1] += b;
  h_[2] += c;
  h_[3] += d;
  h_[4] += e;
}

void Sha1::Update(std::string_view data) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(data.data());
  std::size_t n = data.size();
  length_ += n;
  if (buffered_ > 0) {
    const std::size_t take = std::min(n, kBlockSize - buffered_);
    std::memcpy(buffer_.data() + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < kBlockSize) return;
    Compress(buffer_.data());
    buffered_ = 0;
  }
  for (; n >= kBlockSize; p += kBlockSize, n -= kBlockSize) Compress(p);
  if (n > 0) {
    std::memcpy(buffer_.data(), p, n);
    buffered_ = n;
  }
}

std::string Sha1::Final() {
  const std::uint64_t bit_length = length_ * 8;
  // Padding: 0x80, zeros up to 56 mod 64, then the message length in bits, big-endian.
  std::uint8_t pad[kBlockSize * 2] = {0x80};
  const std::size_t pad_len = (buffered_ < 56 ? 56 - buffered_ : 56 + kBlockSize - buffered_);
  for (int i = 0; i < 8; ++i) {
    pad[pad_len + i] = static_cast<std::uint8_t>(bit_length >> (56 - 8 * i));
  }
  Update(std::string_view(reinterpret_cast<const char*>(pad), pad_len + 8));
  assert(buffered_ == 0);

  std::string out(kSha1DigestSize, '\0');
  for (int i = 0; i < 5; ++i) {
    out[4 * i] = static_cast<char>(h_[i] >> 24);
    out[4 * i + 1] = static_cast<char>(h_[i] >> 16);
    out[4 * i + 2] = static_cast<char>(h_[i] >> 8);
    out[4 * i + 3] = static_cast<char>(h_[i]);
  }
  return out;
}

std::string Sha1Digest(std::string_view data) {
  Sha1 sha;
  sha.Update(data);
  return sha.Final();
}

std::string HmacSha1(std::string_view key, std::string_view data) {
  std::string hashed_key;
  if (key.size() > kBlockSize) {
    hashed_key = Sha1Digest(key);
    key = hashed_key;
  }
  std::string ipad(kBlockSize, '\x36');
  std::string opad(kBlockSize, '\x5c');
  for (std::size_t i = 0; i < key.size(); ++i) {
    ipad[i] = static_cast<char>(ipad[i] ^ key[i]);
    opad[i] = static_cast<char>(opad[i] ^ key[i]);
  }
  Sha1 inner;
  inner.Update(ipad);
  inner.Update(data);
  Sha1 outer;
  outer.Update(opad);
  outer.Update(inner.Final());
  return outer.Final();
}

}  // namespace tocsin
