#include "dispatch/util/standard_webhooks.h"

#include <charconv>

#include <sodium.h>

#include "dispatch/util/crypto.h"

namespace tocsin {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::string_view kVersion = "v1,";

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(mac.data()));
  sodium_memzero(&state, sizeof state);
  return mac;
}

std::string SignedContent(std::string_view id, std::int64_t timestamp, std::string_view body) {
  std::string out;
  out.reserve(id.size() + body.size() + 24);
  out.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return out;
}

}  // namespace

std::string NewWebhookSecret() {
  InitCrypto();
  std::string key(kSecretBytes, '\0');
  randombytes_buf(key.data(), key.size());
  std::string secret = std::string(kWebhookSecretPrefix) + Base64Encode(key);
  sodium_memzero(key.data(), key.size());
  return secret;
}

std::optional<std::string> WebhookSecretKey(std::string_view secret) {
  if (secret.substr(0, kWebhookSecretPrefix.size()) == kWebhookSecretPrefix) {
    secret.remove_prefix(kWebhookSecretPrefix.size());
  }
  auto key = Base64Decode(secret);
  if (!key || key->empty()) return std::nullopt;
  return key;
}

std::string SignWebhook(std::string_view key, std::string_view id, std::int64_t timestamp,
                        std::string_view body) {
  InitCrypto();
  return std::string(kVersion) + Base64Encode(HmacSha256(key, SignedContent(id, timestamp, body)));
}

std::string WebhookSignatureHeader(const std::vector<std::string>& keys, std::string_view id,
                                   std::int64_t timestamp, std::string_view body) {
  std::string header;
  for (const auto& key : keys) {
    if (!header.empty()) header += ' ';
    header += SignWebhook(key, id, timestamp, body);
  }
  return header;
}

const char* WebhookCheckText(WebhookCheck c) {
  switch (c) {
    case WebhookCheck::kValid: return "valid";
    case WebhookCheck::kMissingHeader: return "webhook-id, webhook-timestamp and webhook-signature are required";
    case WebhookCheck::kBadTimestamp: return "webhook-timestamp must be Unix seconds";
    case WebhookCheck::kStale: return "webhook-timestamp is more than 5 minutes from now";
    case WebhookCheck::kBadSignature: return "no signature matches";
  }
  return "invalid";
}

WebhookCheck VerifyWebhook(const WebhookHeaders& headers, std::string_view body,
                           const std::vector<std::string>& keys, std::int64_t now_seconds,
                           std::chrono::seconds tolerance) {
  if (headers.id.empty() || headers.timestamp.empty() || headers.signature.empty()) {
    return WebhookCheck::kMissingHeader;
  }
  std::int64_t timestamp = 0;
  const char* end = headers.timestamp.data() + headers.timestamp.size();
  auto [ptr, ec] = std::from_chars(headers.timestamp.data(), end, timestamp);
  if (ec != std::errc() || ptr != end) return WebhookCheck::kBadTimestamp;
  auto off = timestamp > now_seconds ? timestamp - now_seconds : now_seconds - timestamp;
  if (off > tolerance.count()) return WebhookCheck::kStale;
  InitCrypto();
  const std::string content = SignedContent(headers.id, timestamp, body);
  std::vector<std::string> expected;
  for (const auto& key : keys) expected.push_back(Base64Encode(HmacSha256(key, content)));
  std::string_view rest = headers.signature;
  while (!rest.empty()) {
    auto space = rest.find(' ');
    std::string_view entry = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (entry.substr(0, kVersion.size()) != kVersion) continue;
    entry.remove_prefix(kVersion.size());
    for (const auto& e : expected) {
      if (ConstantTimeEqual(entry, e)) return WebhookCheck::kValid;
    }
  }
  return WebhookCheck::kBadSignature;
}

}  // namespace tocsin
