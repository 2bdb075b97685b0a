#include "server/api/auth.h"

#include "dispatch/store/session_store.h"
#include "dispatch/util/crypto.h"
#include "server/api/api_error.h"
#include "server/http/cookies.h"

namespace tocsin {
namespace {

bool RoleMay(const TokenInfo& token, Permission p) {
  const auto& role = token.role;
  if (role == "metrics") return p == Permission::kReadMetrics;  // nothing of any network
  switch (p) {
    case Permission::kReadMetrics:
      return false;
    case Permission::kAnswerForOrganisation:
      return role == "integration" && token.organisation_id.has_value();
    case Permission::kReadNetwork:
      return true;
    case Permission::kManageTokens:
    case Permission::kManageNetwork:
    case Permission::kReadAudit:
      return role == "admin";
    case Permission::kReadMembers:
    case Permission::kReadAreas:
    case Permission::kReadAlerts:
    case Permission::kReadOrganisations:
      return role == "admin" || role == "coordinator" || role == "viewer";
    case Permission::kWriteMembers:
    case Permission::kWriteAreas:
    case Permission::kManageAlerts:
    case Permission::kManageOrganisations:
      return role == "admin" || role == "coordinator";
    case Permission::kRaiseAlerts:
      return role == "admin" || role == "coordinator" || role == "integration";
  }
  return false;
}

std::optional<std::string> BearerToken(const http::Request& req) {
  auto header = req[http::bhttp::field::authorization];
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size() || !boost::beast::iequals(header.substr(0, kPrefix.size()), kPrefix)) {
    return std::nullopt;
  }
  auto token = header.substr(kPrefix.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty() || token.size() > 200) return std::nullopt;
  return std::string(token);
}

bool ChangesState(const http::Request& req) {
  return req.method() != http::bhttp::verb::get && req.method() != http::bhttp::verb::head;
}

boost::asio::awaitable<Caller> AuthenticateSessionCookie(App& app, const http::Request& req, const std::string& id) {
  if (id.empty() || id.size() > 200) throw ApiError(ErrorCode::kUnauthorized, "the session has ended; log in again");
  auto info = co_await app.db.Run([&app, &id](pqxx::connection& c) {
    pqxx::work tx(c);
    auto found = AuthenticateSession(tx, app.cipher, id);
    tx.commit();
    return found;
  });
  if (!info) throw ApiError(ErrorCode::kUnauthorized, "the session has ended; log in again");
  // After the session is known good, so that a stranger learns nothing from the answer.
  if (ChangesState(req) && !http::FromOwnOrigin(req, app.config.server.public_url)) {
    throw ApiError(ErrorCode::kForbidden, "a change made with the console's session must come from its own origin");
  }
  co_return Caller{false, std::move(info->token), true, id, info->row_id};
}

}  // namespace

std::string Caller::Actor() const {
  return server_admin ? "admin" : "token:" + std::to_string(token ? token->id : 0);
}

bool Caller::May(Permission p) const {
  if (server_admin) {
    return p == Permission::kReadNetwork || p == Permission::kManageTokens ||
           p == Permission::kReadAudit || p == Permission::kReadMetrics;
  }
  return token && RoleMay(*token, p);
}

boost::asio::awaitable<Caller> Authenticate(App& app, const http::Request& req) {
  if (!req.count(http::bhttp::field::authorization)) {
    if (auto session = http::CookieValue(req, kSessionCookie)) co_return co_await AuthenticateSessionCookie(app, req, *session);
  }
  auto token = BearerToken(req);
  if (!token) {
    throw ApiError(ErrorCode::kUnauthorized, "send 'Authorization: Bearer <token>'");
  }
  const auto& admin = app.config.security.admin_token;
  // Hash both sides so the comparison takes the same time whatever the lengths.
  if (!admin.empty() && ConstantTimeEqual(HashToken(*token), HashToken(admin))) {
    co_return Caller{true, std::nullopt};
  }
  // A write transaction: authentication records when the token was last used (rarely writes).
  auto info = co_await app.db.Run([&app, &token](pqxx::connection& c) {
    pqxx::work tx(c);
    auto found = AuthenticateToken(tx, app.cipher, *token);
    tx.commit();
    return found;
  });
  if (!info) throw ApiError(ErrorCode::kUnauthorized, "unknown or revoked token");
  co_return Caller{false, std::move(info), false};
}

boost::asio::awaitable<Network> AuthorizeNetwork(App& app, const Caller& caller,
                                                 const std::string& slug, Permission p) {
  if (!caller.server_admin && (!caller.token || caller.token->network_slug != slug)) {
    throw ApiError(Error::NotFound("no such network"));
  }
  auto network = co_await app.db.Run([&slug](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return FindNetworkBySlug(tx, slug);
  });
  if (!network) throw ApiError(Error::NotFound("no such network"));
  if (!caller.May(p)) {
    throw ApiError(ErrorCode::kForbidden, "this token's role may not do this");
  }
  co_return std::move(*network);
}

boost::asio::awaitable<Scope> Authorize(App& app, const http::RequestContext& ctx, Permission p) {
  auto caller = co_await Authenticate(app, ctx.req);
  auto network = co_await AuthorizeNetwork(app, caller, ctx.Param("slug"), p);
  co_return Scope{std::move(caller), std::move(network)};
}

}  // namespace tocsin
