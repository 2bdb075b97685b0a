// An organisation's webhook endpoints (Standard Webhooks): create (201 with the signing secret
// whsec_..., shown this once), list, delete, rotate the secret (the new one is shown once; the old
// one still signs for 24 hours), the endpoint's deliveries (attempts: status code, latency,
// error; never bodies) and a manual retry (same webhook-id). URLs follow the server's target
// rules (webhooks.allow_http, webhooks.allow_private_targets). Audited without URLs or secrets.
#include "dispatch/store/audit_log.h"
#include "dispatch/store/webhook_endpoint_store.h"
#include "server/api/audited_change.h"
#include "server/api/delivery_json.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

json::object EndpointToJson(const WebhookEndpoint& e) {
  return {{"id", e.id},
          {"organisation_id", e.organisation_id},
          {"url", e.url},
          {"events", ToJsonArray(e.events)},
          {"state", e.state},
          {"disabled_reason", OptJson(e.disabled_reason)},
          {"previous_secret_until", OptJson(e.previous_secret_until)},
          {"created_at", e.created_at},
          {"updated_at", e.updated_at}};
}

json::object WithSecret(const WebhookWithSecret& w) {
  auto o = EndpointToJson(w.endpoint);
  o["secret"] = w.secret;
  return o;
}

struct EndpointScope {
  Scope scope;
  WebhookScope webhook;
};

boost::asio::awaitable<EndpointScope> AuthorizeEndpoint(App& app, http::RequestContext& ctx, Permission p) {
  auto scope = co_await Authorize(app, ctx, p);
  WebhookScope w{scope.network.id, PathId(ctx, "id")};
  co_return EndpointScope{std::move(scope), w};
}

std::string Target(std::int64_t id) { return "webhook:" + std::to_string(id); }

Awaitable CreateHandler(App& app, http::RequestContext& ctx) {
  auto s = co_await AuthorizeEndpoint(app, ctx, Permission::kManageOrganisations);
  JsonBody body(ctx.req);
  body.AllowOnly({"url", "events"});
  WebhookInput raw{body.RequiredString("url"), body.StringList("events").value_or(std::vector<std::string>{})};
  WebhookTargetRules rules{app.config.webhooks.allow_http, app.config.webhooks.allow_private_targets};
  auto in = ValueOrThrow(NormaliseWebhookInput(std::move(raw), rules));
  const WebhookEndpointStore store(app.cipher);
  auto created = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, s.scope, [&](pqxx::work& tx) { return store.Create(tx, s.webhook, in); },
        [&](const auto& w) {
          return AuditedAs{"webhooks.create", Target(w->endpoint.id),
                           json::serialize(json::object{{"organisation", s.webhook.organisation_id},
                                                        {"events", ToJsonArray(in.events)}})};
        });
  });
  co_return JsonResponse(ctx.req, status::created, WithSecret(ValueOrThrow(std::move(created))));
}

Awaitable ListHandler(App& app, http::RequestContext& ctx) {
  auto s = co_await AuthorizeEndpoint(app, ctx, Permission::kReadOrganisations);
  const WebhookEndpointStore store(app.cipher);
  auto list = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.List(tx, s.webhook);
  });
  json::array items;
  for (const auto& e : ValueOrThrow(std::move(list))) items.push_back(EndpointToJson(e));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"webhooks", std::move(items)}});
}

Awaitable DeleteHandler(App& app, http::RequestContext& ctx) {
  auto s = co_await AuthorizeEndpoint(app, ctx, Permission::kManageOrganisations);
  auto wid = PathId(ctx, "wid");
  const WebhookEndpointStore store(app.cipher);
  auto deleted = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, s.scope, [&](pqxx::work& tx) { return store.Delete(tx, s.webhook, wid); },
        [&](const auto&) { return AuditedAs{"webhooks.delete", Target(wid)}; });
  });
  ValueOrThrow(std::move(deleted));
  co_return EmptyResponse(ctx.req, status::no_content);
}

Awaitable RotateHandler(App& app, http::RequestContext& ctx) {
  auto s = co_await AuthorizeEndpoint(app, ctx, Permission::kManageOrganisations);
  auto wid = PathId(ctx, "wid");
  const WebhookEndpointStore store(app.cipher);
  auto rotated = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, s.scope, [&](pqxx::work& tx) { return store.Rotate(tx, s.webhook, wid); },
        [&](const auto&) { return AuditedAs{"webhooks.rotate", Target(wid)}; });
  });
  co_return JsonResponse(ctx.req, status::ok, WithSecret(ValueOrThrow(std::move(rotated))));
}

Awaitable DeliveriesHandler(App& app, http::RequestContext& ctx) {
  auto s = co_await AuthorizeEndpoint(app, ctx, Permission::kReadOrganisations);
  auto wid = PathId(ctx, "wid");
  auto q = ReadDeliveryPageQuery(ctx);
  const WebhookEndpointStore store(app.cipher);
  auto page = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.Deliveries(tx, s.webhook, wid, q.before_id, q.limit);
  });
  co_return JsonResponse(ctx.req, status::ok, DeliveryPageJson(ValueOrThrow(std::move(page)), ContactKind::kWebhook));
}

Awaitable RetryHandler(App& app, http::RequestContext& ctx) {
  auto s = co_await AuthorizeEndpoint(app, ctx, Permission::kManageOrganisations);
  auto wid = PathId(ctx, "wid");
  auto delivery_id = PathId(ctx, "delivery_id");
  const auto now_ms = RunningEngine(app).clock().NowMs();
  const WebhookEndpointStore store(app.cipher);
  auto retried = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, s.scope, [&](pqxx::work& tx) { return store.Retry(tx, s.webhook, wid, delivery_id, now_ms); },
        [&](const auto&) {
          return AuditedAs{"webhooks.retry", Target(wid), json::serialize(json::object{{"delivery", delivery_id}})};
        });
  });
  auto d = ValueOrThrow(std::move(retried));
  app.engine->WakeWebhooks();
  co_return JsonResponse(ctx.req, status::accepted, DeliveryToJson(d));
}

}  // namespace

void AddWebhookRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/organisations/{id}/webhooks";
  router.Add(verb::post, base, [&app](http::RequestContext& c) { return CreateHandler(app, c); });
  router.Add(verb::get, base, [&app](http::RequestContext& c) { return ListHandler(app, c); });
  router.Add(verb::delete_, base + "/{wid}", [&app](http::RequestContext& c) { return DeleteHandler(app, c); });
  router.Add(verb::post, base + "/{wid}/rotate", [&app](http::RequestContext& c) { return RotateHandler(app, c); });
  router.Add(verb::get, base + "/{wid}/deliveries",
             [&app](http::RequestContext& c) { return DeliveriesHandler(app, c); });
  router.Add(verb::post, base + "/{wid}/deliveries/{delivery_id}/retry",
             [&app](http::RequestContext& c) { return RetryHandler(app, c); });
}

}  // namespace tocsin
