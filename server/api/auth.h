// Who is calling and what they may do.
//
// `Authorization: Bearer <token>` carries either the server admin token (security.admin_token:
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

struct Caller {
  bool server_admin = false;
  std::optional<TokenInfo> token;

  // For the audit log: "admin" or "token:<id>".
  std::string Actor() const;
  bool May(Permission p) const;
};

// Throws ApiError(unauthorized) without a valid token.
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
