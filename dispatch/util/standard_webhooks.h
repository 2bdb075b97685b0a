// Standard Webhooks (https://www.standardwebhooks.com): signing what Tocsin sends to partners and
// checking what partners send to Tocsin.
//
// A secret is "whsec_" + base64 of its key bytes; the HMAC key is the decoded bytes, never the
// text. A message is signed over "{webhook-id}.{webhook-timestamp}.{raw body}" with HMAC-SHA256;
// the signature header lists one "v1,<base64>" per key, separated by spaces, so that a receiver
// holding either the old or the new secret accepts a message while a secret is being rotated.
//
// Contracts:
//  1. Verify accepts a message only if its three headers are present, its timestamp is an
//     integer within `tolerance` of `now` (either side), and one "v1," entry of the signature
//     header matches one of the keys (compared in constant time). Other versions are ignored.
//  2. Nothing here logs or stores a key or a secret.
//
// Pure functions (libsodium); safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";
inline constexpr std::chrono::seconds kWebhookTolerance{300};

// A fresh secret: "whsec_" + base64 of 32 random bytes.
std::string NewWebhookSecret();
// The key bytes of `secret` ("whsec_<base64>", or the bare base64 as the reference libraries
// also accept), or nullopt if it is not valid base64 or holds no bytes.
std::optional<std::string> WebhookSecretKey(std::string_view secret);

// "v1,<base64 HMAC-SHA256 of id.timestamp.body under key>".
std::string SignWebhook(std::string_view key, std::string_view id, std::int64_t timestamp,
                        std::string_view body);
// The webhook-signature header for `keys` (each a key's bytes): one signature per key, in
// order, separated by a space.
std::string WebhookSignatureHeader(const std::vector<std::string>& keys, std::string_view id,
                                   std::int64_t timestamp, std::string_view body);

struct WebhookHeaders {
  std::string id;         // webhook-id
  std::string timestamp;  // webhook-timestamp (Unix seconds, as sent)
  std::string signature;  // webhook-signature
};

enum class WebhookCheck {
  kValid,
  kMissingHeader,  // one of the three headers is absent or empty
  kBadTimestamp,   // not an integer
  kStale,          // further than the tolerance from now, in the past or the future
  kBadSignature,   // no entry matches any key
};
// Why a check failed, for a 401's message (never names a key).
const char* WebhookCheckText(WebhookCheck c);

// Checks `body` against its headers (contract 1). `keys` are key bytes (WebhookSecretKey).
WebhookCheck VerifyWebhook(const WebhookHeaders& headers, std::string_view body,
                           const std::vector<std::string>& keys, std::int64_t now_seconds,
                           std::chrono::seconds tolerance = kWebhookTolerance);

}  // namespace tocsin
