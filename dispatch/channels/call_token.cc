#include "dispatch/channels/call_token.h"

#include <charconv>

namespace tocsin {
namespace {

constexpr std::size_t kMacHex = 32;

std::string Mac(const DataCipher& cipher, const CallTokenParts& p) {
  return ToHex(cipher.LookupHash(p.network_id, "call/" + std::to_string(p.delivery_id) + "/" + std::to_string(p.attempt)))
      .substr(0, kMacHex);
}

// The number before `sep` at the front of `text`, consumed with it.
template <typename T>
bool Take(std::string_view& text, char sep, T& out) {
  const auto end = text.find(sep);
  if (end == std::string_view::npos || end == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, out);
  if (ec != std::errc() || ptr != text.data() + end) return false;
  text.remove_prefix(end + 1);
  return true;
}

}  // namespace

std::string CallToken(const DataCipher& cipher, const CallTokenParts& p) {
  return "c" + std::to_string(p.network_id) + "." + std::to_string(p.delivery_id) + "." + std::to_string(p.attempt) +
         "." + Mac(cipher, p);
}

std::optional<CallTokenParts> CheckCallToken(const DataCipher& cipher, std::string_view token) {
  if (!token.starts_with('c')) return std::nullopt;
  token.remove_prefix(1);
  CallTokenParts p;
  if (!Take(token, '.', p.network_id) || !Take(token, '.', p.delivery_id) || !Take(token, '.', p.attempt)) {
    return std::nullopt;
  }
  if (token.size() != kMacHex || !ConstantTimeEqual(token, Mac(cipher, p))) return std::nullopt;
  return p;
}

}  // namespace tocsin
