// /healthz: the process answers. /readyz: ready or not, nothing more (why not goes to the log:
// a stranger learns nothing of the database). /metrics: Prometheus text, for the server admin
// token or a `metrics` token only (request counts and pool sizes say how busy networks are).
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/store/migrator.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/json_io.h"
#include "server/api/routes.h"

namespace tocsin {

using http::bhttp::status;
using http::bhttp::verb;

void AddHealthRoutes(http::Router& router, App& app) {
  router.Add(verb::get, "/healthz", [](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    co_return JsonResponse(ctx.req, status::ok, {{"status", "ok"}});
  }, 0, http::Access::kPublic);

  router.Add(verb::get, "/readyz", [&app](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    std::string problem;
    try {
      auto pending = co_await app.db.Run([](pqxx::connection& c) { return PendingMigrations(c); });
      if (!pending.empty()) problem = "database schema is not current: run `tocsind migrate`";
    } catch (const std::exception&) {
      problem = "database unreachable";
    }
    if (!problem.empty()) {
      spdlog::warn("readyz: not ready: {}", problem);
      throw ApiError(Error::Unavailable("not ready"));
    }
    co_return JsonResponse(ctx.req, status::ok, {{"status", "ready"}});
  }, 0, http::Access::kPublic);

  router.Add(verb::get, "/metrics", [&app](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
    auto caller = co_await Authenticate(app, ctx.req);
    if (!caller.May(Permission::kReadMetrics)) {
      throw ApiError(ErrorCode::kForbidden, "only the server admin token or a metrics token may read metrics");
    }
    http::Response res{status::ok, ctx.req.version()};
    res.set(http::bhttp::field::content_type, "text/plain; version=0.0.4");
    res.keep_alive(ctx.req.keep_alive());
    res.body() = app.metrics.Render();
    if (app.engine) {
      res.body() += "# HELP tocsin_replies_waiting Replies received and not yet recorded (the database is slow or down).\n"
                    "# TYPE tocsin_replies_waiting gauge\ntocsin_replies_waiting " +
                    std::to_string(app.engine->RepliesWaiting()) + "\n";
    }
    res.prepare_payload();
    co_return res;
  });
}

}  // namespace tocsin
