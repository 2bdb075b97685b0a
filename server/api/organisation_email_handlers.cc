// An organisation's email contact points (its caseworkers' addresses): add (201), list, delete,
// and each one's deliveries (as a webhook endpoint's: state, attempts, error; never bodies).
// The address is sealed at rest; admins and coordinators see it whole, viewers masked
// ("c***@e***.org"). Audited without the address.
#include "dispatch/store/organisation_email_store.h"
#include "dispatch/util/email_address.h"
#include "server/api/audited_change.h"
#include "server/api/delivery_json.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

json::object EmailToJson(const OrganisationEmail& e, const Caller& caller) {
  const bool masked = caller.token && caller.token->role == "viewer";
  return {{"id", e.id},
          {"organisation_id", e.organisation_id},
          {"address", masked ? RedactEmail(e.address) : e.address},
          {"created_at", e.created_at}};
}

std::string Target(std::int64_t id) { return "email:" + std::to_string(id); }

Awaitable CreateHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageOrganisations);
  WebhookScope s{scope.network.id, PathId(ctx, "id")};
  JsonBody body(ctx.req);
  body.AllowOnly({"address"});
  auto address = ValueOrThrow(NormaliseEmailAddress(body.RequiredString("address")));
  const OrganisationEmailStore store(app.cipher);
  auto created = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return store.Create(tx, s, address); },
        [&](const auto& e) {
          return AuditedAs{"organisation_emails.create", Target(e->id),
                           json::serialize(json::object{{"organisation", s.organisation_id}})};
        });
  });
  co_return JsonResponse(ctx.req, status::created, EmailToJson(ValueOrThrow(std::move(created)), scope.caller));
}

Awaitable ListHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadOrganisations);
  WebhookScope s{scope.network.id, PathId(ctx, "id")};
  const OrganisationEmailStore store(app.cipher);
  auto list = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.List(tx, s);
  });
  json::array items;
  for (const auto& e : ValueOrThrow(std::move(list))) items.push_back(EmailToJson(e, scope.caller));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"emails", std::move(items)}});
}

Awaitable DeliveriesHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadOrganisations);
  WebhookScope s{scope.network.id, PathId(ctx, "id")};
  auto eid = PathId(ctx, "eid");
  auto q = ReadDeliveryPageQuery(ctx);
  const OrganisationEmailStore store(app.cipher);
  auto page = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.Deliveries(tx, s, eid, q.before_id, q.limit);
  });
  co_return JsonResponse(ctx.req, status::ok, DeliveryPageJson(ValueOrThrow(std::move(page)), ContactKind::kEmail));
}

Awaitable DeleteHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageOrganisations);
  WebhookScope s{scope.network.id, PathId(ctx, "id")};
  auto eid = PathId(ctx, "eid");
  const OrganisationEmailStore store(app.cipher);
  auto deleted = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return store.Delete(tx, s, eid); },
        [&](const auto&) { return AuditedAs{"organisation_emails.delete", Target(eid)}; });
  });
  ValueOrThrow(std::move(deleted));
  co_return EmptyResponse(ctx.req, status::no_content);
}

}  // namespace

void AddOrganisationEmailRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/organisations/{id}/emails";
  router.Add(verb::post, base, [&app](http::RequestContext& c) { return CreateHandler(app, c); });
  router.Add(verb::get, base, [&app](http::RequestContext& c) { return ListHandler(app, c); });
  router.Add(verb::get, base + "/{eid}/deliveries",
             [&app](http::RequestContext& c) { return DeliveriesHandler(app, c); });
  router.Add(verb::delete_, base + "/{eid}", [&app](http::RequestContext& c) { return DeleteHandler(app, c); });
}

}  // namespace tocsin
