// POST /v1/networks/{slug}/tokens {role, label, organisation} -> {id, token} (shown once);
// "organisation" (a slug, integration tokens only) makes the token answer alerts for it;
// GET /v1/networks/{slug}/tokens -> {tokens: [{id, role, label, created_at, last_used_at,
// revoked_at}]} (never a token or its hash); DELETE /v1/networks/{slug}/tokens/{id}.
// Server admin or the network's admin tokens.
#include "dispatch/store/audit_log.h"
#include "dispatch/store/token_registry.h"
#include "server/api/audited_change.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

Awaitable CreateTokenHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageTokens);
  JsonBody body(ctx.req);
  body.AllowOnly({"role", "label", "organisation"});
  auto role = body.RequiredString("role");
  auto label = body.String("label").value_or("");
  auto organisation = body.String("organisation");
  auto created = co_await app.db.Run([&](pqxx::connection& c) {
    auto create = [&](pqxx::work& tx) {
      return CreateToken(tx, app.cipher, scope.network.id, role, label, organisation);
    };
    return CommitAudited(
        c, scope, create,
        [&](const auto& r) {
          json::object detail{{"role", role}};
          if (organisation) detail["organisation"] = *organisation;
          return AuditedAs{"tokens.create", "token:" + std::to_string(r->id), json::serialize(detail)};
        });
  });
  auto token = ValueOrThrow(std::move(created));
  co_return JsonResponse(ctx.req, status::created, {{"id", token.id},
                                                    {"token", token.token},
                                                    {"role", role},
                                                    {"label", label},
                                                    {"organisation", OptJson(organisation)}});
}

Awaitable ListTokensHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageTokens);
  auto tokens = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return ListTokens(tx, scope.network.id);
  });
  json::array items;
  for (const auto& t : tokens) {
    items.push_back({{"id", t.id},
                     {"role", t.role},
                     {"label", t.label},
                     {"created_at", t.created_at},
                     {"last_used_at", OptJson(t.last_used_at)},
                     {"revoked_at", OptJson(t.revoked_at)},
                     {"organisation", OptJson(t.organisation)}});
  }
  co_return JsonResponse(ctx.req, status::ok, {{"tokens", std::move(items)}});
}

Awaitable RevokeTokenHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageTokens);
  auto id = PathId(ctx, "id");
  auto done = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return RevokeToken(tx, scope.network.id, id); },
        [&](const auto&) { return AuditedAs{"tokens.revoke", "token:" + std::to_string(id)}; });
  });
  ValueOrThrow(std::move(done));
  app.revoked.Add(id);  // its open streams end now
  co_return EmptyResponse(ctx.req, status::no_content);
}

}  // namespace

void AddTokenRoutes(http::Router& router, App& app) {
  router.Add(verb::post, "/v1/networks/{slug}/tokens",
             [&app](http::RequestContext& ctx) { return CreateTokenHandler(app, ctx); });
  router.Add(verb::get, "/v1/networks/{slug}/tokens",
             [&app](http::RequestContext& ctx) { return ListTokensHandler(app, ctx); });
  router.Add(verb::delete_, "/v1/networks/{slug}/tokens/{id}",
             [&app](http::RequestContext& ctx) { return RevokeTokenHandler(app, ctx); });
}

}  // namespace tocsin
