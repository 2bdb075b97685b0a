// SHA-1 (FIPS 180-4) and HMAC-SHA1 (RFC 2104).
//
// Only for protocols that still require them: Twilio signs its webhooks (X-Twilio-Signature)
// with HMAC-SHA1 keyed by the auth token. libsodium has no SHA-1, hence this small
// implementation. Never use it for anything new: Tocsin's own hashes and MACs use libsodium.
// HMAC-SHA1 remains sound as a MAC even though SHA-1 collisions are practical.
//
// Results are raw bytes (20 of them), not hex. Pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tocsin {

inline constexpr std::size_t kSha1DigestSize = 20;

// Incremental SHA-1, for input that arrives in pieces; one instance per computation.
class Sha1 {
 public:
  Sha1();
  void Update(std::string_view data);
  // The 20-byte digest. The object must not be updated again afterwards.
  std::string Final();

 private:
  void Compress(const std::uint8_t* block);

  std::array<std::uint32_t, 5> h_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;  // bytes in buffer_
  std::uint64_t length_ = 0;  // total bytes seen
};

// SHA-1 of `data`: 20 raw bytes.
std::string Sha1Digest(std::string_view data);

// HMAC-SHA1 of `data` under `key` (any length; keys over 64 bytes are hashed first, per
// RFC 2104): 20 raw bytes.
std::string HmacSha1(std::string_view key, std::string_view data);

}  // namespace tocsin
