#include "dispatch/util/ip_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace tocsin {
namespace {

struct Range4 {
  std::uint32_t base;
  int bits;
};

// Not public: "this network", private, CGNAT, loopback, link-local, IETF protocol assignments,
// documentation, benchmarking, multicast, reserved, broadcast.
constexpr Range4 kNotPublic4[] = {
    {0x00000000, 8},  {0x0A000000, 8},  {0x64400000, 10}, {0x7F000000, 8},  {0xA9FE0000, 16},
    {0xAC100000, 12}, {0xC0000000, 24}, {0xC0000200, 24}, {0xC0A80000, 16}, {0xC6120000, 15},
    {0xC6336400, 24}, {0xCB007100, 24}, {0xE0000000, 4},  {0xF0000000, 4},
};

bool IsPublic4(std::uint32_t a) {
  for (const auto& r : kNotPublic4) {
    std::uint32_t mask = r.bits == 0 ? 0 : ~std::uint32_t{0} << (32 - r.bits);
    if ((a & mask) == r.base) return false;
  }
  return true;
}

bool IsPublic6(const in6_addr& a) {
  const unsigned char* b = a.s6_addr;
  static constexpr unsigned char kZero[16] = {};
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, and :: and ::1): judge the IPv4 part.
  bool mapped = std::memcmp(b, kZero, 10) == 0 && b[10] == 0xff && b[11] == 0xff;
  bool compatible = std::memcmp(b, kZero, 12) == 0;
  if (mapped || compatible) {
    std::uint32_t v4 = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                       (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]};
    return IsPublic4(v4);
  }
  if (b[0] == 0xff) return false;                        // multicast ff00::/8
  if ((b[0] & 0xfe) == 0xfc) return false;               // unique local fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;  // link-local fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;  // site-local fec0::/10 (deprecated)
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // 2001:db8::/32
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) return false;  // NAT64 64:ff9b::/96
  return true;
}

bool IsNumericPart(std::string_view part) {
  if (part.size() > 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    return part.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string_view::npos;
  }
  return !part.empty() && part.find_first_not_of("0123456789") == std::string_view::npos;
}

bool IsNumericHost(std::string_view host) {
  if (host.empty()) return false;
  while (true) {
    auto dot = host.find('.');
    if (!IsNumericPart(host.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    host.remove_prefix(dot + 1);
  }
}

}  // namespace

bool IsPublicAddress(const sockaddr* addr) {
  if (addr == nullptr) return false;
  if (addr->sa_family == AF_INET) {
    sockaddr_in in4;
    std::memcpy(&in4, addr, sizeof in4);
    return IsPublic4(ntohl(in4.sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, addr, sizeof in6);
    return IsPublic6(in6.sin6_addr);
  }
  return false;
}

std::optional<bool> IsPublicLiteral(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    std::string text(host.substr(1, host.size() - 2));
    if (auto zone = text.find('%'); zone != std::string::npos) text.resize(zone);
    in6_addr a6;
    if (inet_pton(AF_INET6, text.c_str(), &a6) != 1) return false;  // malformed: never public
    return IsPublic6(a6);
  }
  std::string text(host);
  in_addr a4;
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1) return IsPublic4(ntohl(a4.s_addr));
  // Forms inet_pton refuses but resolvers accept ("127.1", "0x7f.1", "2130706433"): a host whose
  // every dot-separated part is decimal or 0x-hex is an address, and refused.
  if (IsNumericHost(text)) return false;
  return std::nullopt;
}

}  // namespace tocsin
