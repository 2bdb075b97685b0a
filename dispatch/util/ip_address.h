// Which addresses a webhook may reach. Webhook targets are partners' public servers: a URL that
// leads to loopback, a private network, link-local (cloud metadata), CGNAT, multicast or another
// reserved range would let whoever configures a webhook probe the operator's own network
// (server-side request forgery). Checked on the URL's literal at creation and on every address
// at connect time, after DNS, so a name that resolves (or rebinds) to such an address is
// refused too.
//
// Pure functions; safe from any thread.
#pragma once

#include <optional>
#include <string_view>

struct sockaddr;

namespace tocsin {

// Whether `addr` (AF_INET or AF_INET6; anything else is not public) is a public unicast
// address. IPv4-mapped and IPv4-compatible IPv6 addresses are judged as their IPv4 address.
bool IsPublicAddress(const sockaddr* addr);
// For a URL's host ("203.0.113.9", "[2001:db8::1]", "example.org"): nullopt when it is not an IP
// literal (a name), else whether the address is public.
std::optional<bool> IsPublicLiteral(std::string_view host);

}  // namespace tocsin
