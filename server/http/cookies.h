// Cookies and origins, as the web console's session needs them: reading one cookie of a
// request, writing the session cookie, and telling whether a request comes from this server's
// own pages (its Origin header).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/http/types.h"

namespace tocsin::http {

// The value of cookie `name` in the request's Cookie header(s), or nullopt.
std::optional<std::string> CookieValue(const Request& req, std::string_view name);

// A Set-Cookie value for `name`=`value`: HttpOnly, SameSite=Strict, Path=/, Secure when
// `secure`; Max-Age `max_age_seconds` (0: the browser forgets the cookie at once).
std::string SessionCookie(std::string_view name, std::string_view value, long max_age_seconds,
                          bool secure);

// The origin ("scheme://host[:port]") of an absolute URL such as server.public_url, lowercased,
// with the scheme's default port left out.
std::string OriginOf(std::string_view url);

// Whether the request's Origin header names this server: the origin of `public_url`, or, when
// the request's Host is a loopback name or address (127.0.0.1, [::1], localhost, with any
// port), "http://" + Host. A request without Origin is not same-origin.
bool FromOwnOrigin(const Request& req, std::string_view public_url);

}  // namespace tocsin::http
