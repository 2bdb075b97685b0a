// Who is calling and what they may do.
//
// A request is authenticated by `Authorization: Bearer <token>`, or, without that header, by the
// web console's session cookie (kSessionCookie, made by POST /v1/session): the session acts as
// the token it was made from, with that token's network and role, until it expires, the token is
// revoked or the browser logs out. A request authenticated by the cookie that changes something
// (any method but GET and HEAD) must carry an Origin naming this server (http/cookies.h:
// FromOwnOrigin), else 403: another site cannot act with a coordinator's browser.
//
// The bearer token is either the server admin token (security.admin_token:
// creates networks, manages their tokens and reads their audit logs, nothing else) or a network token, which acts only inside
// its own network with its role's permissions. Anything of another network answers 404, exactly
// as if it did not exist, so a token cannot even learn which slugs exist.
#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "dispatch/store/network_registry.h"
#include "dispatch/store/token_registry.h"
#include "server/app.h"
#include "server/http/types.h"

namespace tocsin {

enum class Permission {
  kReadNetwork,
  kManageTokens,
  kManageNetwork,  // PATCH /v1/networks/{slug}: the network's admin tokens only
  kReadAudit,
  kReadMembers,
  kWriteMembers,
  kReadAreas,
  kWriteAreas,
  kReadAlerts,
  kRaiseAlerts,
  kManageAlerts,
  kReadOrganisations,    // organisations, their webhooks and deliveries, inbound sources
  kManageOrganisations,  // create, change, delete, rotate secrets, retry deliveries
  kReadMetrics,          // GET /metrics: the server admin and `metrics` tokens only
  kAnswerForOrganisation,  // an integration token tied to an organisation answers alerts
};

// The console's session cookie, and how long a session lasts.
inline constexpr std::string_view kSessionCookie = "tocsin_session";
inline constexpr int kSessionSeconds = 12 * 3600;

struct Caller {
  bool server_admin = false;
  std::optional<TokenInfo> token;
  bool by_session = false;  // authenticated by the console's cookie, not a bearer token
  std::string session_id;   // that cookie's session, when by_session (a stream rechecks it)
  std::int64_t session_row = 0;  // and its row id (App::ended_sessions)

  // For the audit log: "admin" or "token:<id>".
  std::string Actor() const;
  bool May(Permission p) const;
};

// Throws ApiError(unauthorized) without a valid token or session, ApiError(forbidden) for a
// session's state-changing request from another origin.
boost::asio::awaitable<Caller> Authenticate(App& app, const http::Request& req);

// The network `slug` if `caller` may do `p` in it. Throws NotFound when the network does not
// exist or belongs to another token's network, Forbidden when the role lacks `p`.
boost::asio::awaitable<Network> AuthorizeNetwork(App& app, const Caller& caller,
                                                 const std::string& slug, Permission p);

// Both in one: the usual first line of a network-scoped handler.
struct Scope {
  Caller caller;
  Network network;
};
boost::asio::awaitable<Scope> Authorize(App& app, const http::RequestContext& ctx, Permission p);

}  // namespace tocsin
