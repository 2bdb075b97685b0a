// GET /v1/networks/{slug}/alerts/{id}/timeline: what happened to an alert so far, read back from
// the database (dispatch/store/alert_timeline.h), for the console's live page after a reload:
// {"timeline": [{"at", "what", "n"}, ...]} oldest first. Kinds, times and counts only.
#include "dispatch/store/alert_timeline.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

Awaitable TimelineHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto alert_id = PathId(ctx, "id");
  auto entries = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return AlertTimeline(tx, scope.network.id, alert_id);
  });
  json::array items;
  for (const auto& e : ValueOrThrow(std::move(entries))) {
    items.push_back(json::object{{"at", e.at}, {"what", e.what}, {"n", e.n}});
  }
  co_return JsonResponse(ctx.req, status::ok, json::object{{"timeline", std::move(items)}});
}

}  // namespace

void AddTimelineRoutes(http::Router& router, App& app) {
  router.Add(verb::get, "/v1/networks/{slug}/alerts/{id}/timeline",
             [&app](http::RequestContext& c) { return TimelineHandler(app, c); });
}

}  // namespace tocsin
