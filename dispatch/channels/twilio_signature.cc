#include "dispatch/channels/twilio_signature.h"

#include <sodium.h>

#include <algorithm>
#include <optional>

#include "dispatch/util/hmac_sha1.h"

namespace tocsin {
namespace {

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool EqualsAsciiNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

// `url` with its default port added if it has no port, or removed if it has exactly the
// default one; nullopt when neither applies (other schemes, a non-default port, no "://").
std::optional<std::string> DefaultPortVariant(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const std::string_view scheme = url.substr(0, scheme_end);
  std::string_view default_port;
  if (EqualsAsciiNoCase(scheme, "https")) {
    default_port = "443";
  } else if (EqualsAsciiNoCase(scheme, "http")) {
    default_port = "80";
  } else {
    return std::nullopt;
  }
  const std::size_t authority_begin = scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  const std::string_view authority = url.substr(authority_begin, authority_end - authority_begin);

  // The port follows the host, which follows any userinfo; an IPv6 host is in brackets.
  const std::size_t at = authority.rfind('@');
  const std::size_t host_begin = at == std::string_view::npos ? 0 : at + 1;
  std::size_t search_from = host_begin;
  if (host_begin < authority.size() && authority[host_begin] == '[') {
    const std::size_t close = authority.find(']', host_begin);
    if (close == std::string_view::npos) return std::nullopt;
    search_from = close;
  }
  const std::size_t colon = authority.find(':', search_from);
  std::string out(url.substr(0, authority_begin));
  if (colon == std::string_view::npos) {
    out += authority;
    out += ':';
    out += default_port;
  } else if (authority.substr(colon + 1) == default_port) {
    out += authority.substr(0, colon);
  } else {
    return std::nullopt;
  }
  out += url.substr(authority_end);
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one name or value; false on a malformed percent escape.
bool DecodeComponent(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      *out += ' ';
    } else if (c == '%') {
      const int hi = i + 1 < in.size() ? HexValue(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) return false;
      *out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      *out += c;
    }
  }
  return true;
}

void EncodeComponent(std::string_view in, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      *out += c;
    } else if (u == ' ') {
      *out += '+';
    } else {
      *out += '%';
      *out += kHex[u >> 4];
      *out += kHex[u & 0x0F];
    }
  }
}

}  // namespace

std::string TwilioSignature(std::string_view auth_token, std::string_view full_url,
                            const FormParams& params) {
  std::vector<const std::pair<std::string, std::string>*> sorted;
  sorted.reserve(params.size());
  for (const auto& p : params) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return *a < *b; });

  std::string payload(full_url);
  const std::pair<std::string, std::string>* previous = nullptr;
  for (const auto* p : sorted) {
    if (previous != nullptr && *previous == *p) continue;  // a repeated value counts once
    payload += p->first;
    payload += p->second;
    previous = p;
  }
  return Base64(HmacSha1(auth_token, payload));
}

bool ValidTwilioSignature(std::string_view auth_token, std::string_view full_url,
                          const FormParams& params, std::string_view signature_header) {
  if (auth_token.empty() || signature_header.empty()) return false;
  auto matches = [&](std::string_view url) {
    const std::string expected = TwilioSignature(auth_token, url, params);
    // Length is public (always 28); only the contents must not leak through timing.
    return expected.size() == signature_header.size() &&
           sodium_memcmp(expected.data(), signature_header.data(), expected.size()) == 0;
  };
  if (matches(full_url)) return true;
  const std::optional<std::string> variant = DefaultPortVariant(full_url);
  return variant.has_value() && matches(*variant);
}

Result<FormParams> ParseFormUrlEncoded(std::string_view body) {
  FormParams out;
  std::string name, value;
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view raw_name = pair.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!DecodeComponent(raw_name, &name) || !DecodeComponent(raw_value, &value)) {
      return Error{ErrorCode::kMalformed, "malformed percent escape in form body", "body"};
    }
    out.emplace_back(name, value);
  }
  return out;
}

std::string FormUrlEncode(const FormParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    EncodeComponent(name, &out);
    out += '=';
    EncodeComponent(value, &out);
  }
  return out;
}

}  // namespace tocsin
