// The web console's session (auth.h): a token exchanged once for an HttpOnly cookie.
//
//   POST /v1/session {"token": "tcs_..."}  -> 200 {"network", "network_name", "role", "expires_at"}
//                                             and Set-Cookie: tocsin_session=<id>; HttpOnly;
//                                             SameSite=Strict; Path=/ (Secure behind https)
//   GET /v1/session                        -> who the cookie (or the bearer token) acts as
//   DELETE /v1/session                     -> 204; the session ends and the cookie is cleared
//
// Only a network token of role admin, coordinator or viewer opens a session (the server admin
// token, integration and metrics tokens: 403). An unknown or revoked token is 401 and nothing is
// created. A login that carries an Origin (a browser's) must come from this server's own pages.
// Opening and ending a session are in the network's audit log (ids only).
#include "dispatch/store/audit_log.h"
#include "dispatch/store/session_store.h"
#include "server/api/handler_prelude.h"
#include "server/http/cookies.h"

namespace tocsin {

namespace {

bool SecureCookies(const App& app) {
  return app.config.server.public_url.rfind("https://", 0) == 0;
}

bool MayOpenSession(const TokenInfo& token) {
  return token.role == "admin" || token.role == "coordinator" || token.role == "viewer";
}

json::object WhoJson(const Network& network, const TokenInfo& token,
                     const std::string& expires_at) {
  json::object o{{"network", network.slug},
                 {"network_name", network.name},
                 {"role", token.role},
                 {"token_id", token.id}};
  o["expires_at"] = expires_at.empty() ? json::value(nullptr) : json::value(expires_at);
  return o;
}

Awaitable LoginHandler(App& app, http::RequestContext& ctx) {
  if (ctx.req.count(http::bhttp::field::origin) &&
      !http::FromOwnOrigin(ctx.req, app.config.server.public_url)) {
    throw ApiError(ErrorCode::kForbidden, "log in from the console's own pages");
  }
  JsonBody body(ctx.req);
  body.AllowOnly({"token"});
  auto token = body.RequiredString("token");
  if (token.empty() || token.size() > 200)
    throw ApiError(ErrorCode::kUnauthorized, "unknown or revoked token");
  const auto& admin = app.config.security.admin_token;
  if (!admin.empty() && ConstantTimeEqual(HashToken(token), HashToken(admin))) {
    throw ApiError(ErrorCode::kForbidden,
                   "the server admin token opens no console session: use a network token");
  }
  struct Opened {
    TokenInfo token;
    Network network;
    NewSession session;
  };
  auto opened = co_await app.db.Run([&](pqxx::connection& c) -> std::optional<Opened> {
    pqxx::work tx(c);
    auto info = AuthenticateToken(tx, app.cipher, token);
    if (!info) return std::nullopt;
    if (!MayOpenSession(*info)) {
      throw ApiError(ErrorCode::kForbidden, "a " + info->role + " token opens no console session");
    }
    auto network = FindNetworkBySlug(tx, info->network_slug);
    if (!network) return std::nullopt;
    auto session = CreateSession(tx, app.cipher, *info, kSessionSeconds);
    RecordAudit(tx, network->id, "token:" + std::to_string(info->id), "sessions.create",
                "token:" + std::to_string(info->id));
    tx.commit();
    return Opened{std::move(*info), std::move(*network), std::move(session)};
  });
  if (!opened) throw ApiError(ErrorCode::kUnauthorized, "unknown or revoked token");
  auto res = JsonResponse(ctx.req, status::ok,
                          WhoJson(opened->network, opened->token, opened->session.expires_at));
  res.set(http::bhttp::field::set_cookie, http::SessionCookie(kSessionCookie, opened->session.id,
                                                              kSessionSeconds, SecureCookies(app)));
  co_return res;
}

Awaitable WhoAmIHandler(App& app, http::RequestContext& ctx) {
  auto caller = co_await Authenticate(app, ctx.req);
  if (!caller.token)
    co_return JsonResponse(ctx.req, status::ok, {{"network", nullptr}, {"role", "server_admin"}});
  auto network =
      co_await AuthorizeNetwork(app, caller, caller.token->network_slug, Permission::kReadNetwork);
  co_return JsonResponse(ctx.req, status::ok, WhoJson(network, *caller.token, ""));
}

Awaitable LogoutHandler(App& app, http::RequestContext& ctx) {
  auto id = http::CookieValue(ctx.req, kSessionCookie);
  if (!id || ctx.req.count(http::bhttp::field::authorization)) {
    throw ApiError(ErrorCode::kUnauthorized, "no console session to end");
  }
  auto caller = co_await Authenticate(app, ctx.req);  // the session must be open; checks Origin
  co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    EndSession(tx, app.cipher, *id);
    RecordAudit(tx, caller.token->network_id, caller.Actor(), "sessions.end", caller.Actor());
    tx.commit();
  });
  app.ended_sessions.Add(caller.session_row);  // its open event streams end now
  auto res = EmptyResponse(ctx.req, status::no_content);
  res.set(http::bhttp::field::set_cookie,
          http::SessionCookie(kSessionCookie, "", 0, SecureCookies(app)));
  co_return res;
}

}  // namespace

void AddSessionRoutes(http::Router& router, App& app) {
  router.Add(verb::post, "/v1/session",
             [&app](http::RequestContext& c) { return LoginHandler(app, c); });
  router.Add(verb::get, "/v1/session",
             [&app](http::RequestContext& c) { return WhoAmIHandler(app, c); });
  router.Add(verb::delete_, "/v1/session",
             [&app](http::RequestContext& c) { return LogoutHandler(app, c); });
}

}  // namespace tocsin
