// PUT /v1/networks/{slug}/areas/{name} {neighbours:[...]}; GET /v1/networks/{slug}/areas.
#include "dispatch/store/area_registry.h"
#include "dispatch/store/audit_log.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

json::object AreaToJson(const Area& a) {
  return {{"name", a.name}, {"neighbours", ToJsonArray(a.neighbours)}, {"members", a.members}};
}

Awaitable PutAreaHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kWriteAreas);
  JsonBody body(ctx.req);
  body.AllowOnly({"neighbours"});
  auto neighbours = body.StringList("neighbours").value_or(std::vector<std::string>{});
  const auto& name = ctx.Param("name");
  auto area = co_await app.db.Run([&](pqxx::connection& c) -> Result<Area> {
    pqxx::work tx(c);
    auto a = PutArea(tx, scope.network.id, name, neighbours);
    if (!a.ok()) return a;
    RecordAudit(tx, scope.network.id, scope.caller.Actor(), "areas.put", "area:" + name,
                json::serialize(json::object{{"neighbours", ToJsonArray(a->neighbours)}}));
    tx.commit();
    return a;
  });
  co_return JsonResponse(ctx.req, status::ok, AreaToJson(ValueOrThrow(std::move(area))));
}

Awaitable ListAreasHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAreas);
  auto areas = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return ListAreas(tx, scope.network.id);
  });
  json::array items;
  for (const auto& a : areas) items.push_back(AreaToJson(a));
  co_return JsonResponse(ctx.req, status::ok, {{"areas", std::move(items)}});
}

}  // namespace

void AddAreaRoutes(http::Router& router, App& app) {
  router.Add(verb::put, "/v1/networks/{slug}/areas/{name}",
             [&app](http::RequestContext& c) { return PutAreaHandler(app, c); });
  router.Add(verb::get, "/v1/networks/{slug}/areas",
             [&app](http::RequestContext& c) { return ListAreasHandler(app, c); });
}

}  // namespace tocsin
