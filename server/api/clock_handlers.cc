// POST /v1/admin/clock (server admin, only with [testing] manual_clock = true): moves the
// engine's clock forward and answers once the escalation deadlines that became due have been
// handled. Tests use it instead of sleeping; elsewhere the route answers 404 as if absent.
//
//   {"advance": "2m"}  ->  {"now_ms": 1764547200000}
#include "dispatch/model/policy.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

Awaitable AdvanceClockHandler(App& app, http::RequestContext& ctx) {
  if (!app.config.manual_clock || !app.engine) throw ApiError(Error::NotFound("no such route"));
  auto caller = co_await Authenticate(app, ctx.req);
  if (!caller.server_admin) throw ApiError(ErrorCode::kForbidden, "only the server admin token may move the clock");
  JsonBody body(ctx.req);
  body.AllowOnly({"advance"});
  auto ms = ValueOrThrow(ParseDuration(body.RequiredString("advance"), "advance"));
  auto now = co_await app.engine->AdvanceClock(ms);
  co_return JsonResponse(ctx.req, status::ok, {{"now_ms", now.value_or(0)}});
}

}  // namespace

void AddClockRoutes(http::Router& router, App& app) {
  router.Add(verb::post, "/v1/admin/clock", [&app](http::RequestContext& c) { return AdvanceClockHandler(app, c); });
}

}  // namespace tocsin
