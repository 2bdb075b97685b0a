// Phone trees: PUT validates (errors name the field) and replaces a network's tree; GET reads it
// back; the alert's tree report shows each node's state and the share of the tree reached.
// Trees say who calls whom: reading them takes the members permission, not the alerts one.
#include "dispatch/model/validation.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/policy_store.h"
#include "dispatch/store/tree_run_store.h"
#include "dispatch/store/tree_store.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

std::string TreeName(const http::RequestContext& ctx) {
  const auto& name = ctx.Param("name");
  if (!CheckAreaName(name, "name").ok()) throw ApiError(Error::NotFound("no such tree"));
  return name;
}

json::object TreeToJson(const StoredTree& t) {
  auto body = TreeSpecToJson(t.spec).as_object();
  body["name"] = t.name;
  body["updated_at"] = t.updated_at;
  return body;
}

Awaitable PutTreeHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kWriteMembers);
  auto name = TreeName(ctx);
  auto spec = ValueOrThrow(ParseTreeSpecText(ctx.req.body()));
  auto tree = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto t = PutTree(tx, scope.network.id, name, spec);
    if (!t.ok()) return t;
    RecordAudit(tx, scope.network.id, scope.caller.Actor(), "trees.put", "tree:" + name,
                json::serialize(json::object{{"nodes", spec.nodes.size()}}));
    tx.commit();
    return t;
  });
  co_return JsonResponse(ctx.req, status::ok, TreeToJson(ValueOrThrow(std::move(tree))));
}

Awaitable GetTreeHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadMembers);
  auto name = TreeName(ctx);
  auto tree = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return GetTree(tx, scope.network.id, name);
  });
  co_return JsonResponse(ctx.req, status::ok, TreeToJson(ValueOrThrow(std::move(tree))));
}

Awaitable ListTreesHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadMembers);
  auto names = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return TreeNames(tx, scope.network.id);
  });
  co_return JsonResponse(ctx.req, status::ok, json::object{{"trees", ToJsonArray(names)}});
}

Awaitable DeleteTreeHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kWriteMembers);
  auto name = TreeName(ctx);
  auto deleted = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (auto kinds = PoliciesNamingTree(tx, scope.network.id, name); !kinds.empty()) {
      return Status(Error::Conflict("name", "the " + kinds.front() +
                                              " policy names this tree: change that policy first, or its alerts"
                                              " would reach nobody"));
    }
    auto s = DeleteTree(tx, scope.network.id, name);
    if (!s.ok()) return s;
    RecordAudit(tx, scope.network.id, scope.caller.Actor(), "trees.delete", "tree:" + name);
    tx.commit();
    return s;
  });
  ValueOrThrow(std::move(deleted));
  co_return EmptyResponse(ctx.req, status::no_content);
}

json::object RunToJson(const TreeRunReport& run) {
  json::array nodes;
  for (const auto& n : run.nodes) {
    nodes.push_back(json::object{{"member", n.member},
                                 {"parent", n.parent ? json::value(n.parent) : json::value(nullptr)},
                                 {"backup", n.backup ? json::value(n.backup) : json::value(nullptr)},
                                 {"state", n.state},
                                 {"via", n.via.empty() ? json::value(nullptr) : json::value(n.via)},
                                 {"due_at", n.due_at ? json::value(*n.due_at) : json::value(nullptr)}});
  }
  json::object counts;
  for (const auto& [state, count] : run.counts) counts[state] = count;
  auto total = static_cast<double>(run.nodes.size());
  auto reached = static_cast<double>(run.counts.at("reached"));
  return {{"name", run.name},
          {"mode", run.mode},
          {"wait", FormatDuration(run.wait_ms)},
          {"started_at", run.started_at},
          {"counts", counts},
          {"total", run.nodes.size()},
          {"share_reached", total > 0 ? reached / total : 0.0},
          {"nodes", nodes}};
}

Awaitable AlertTreeHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadMembers);
  auto alert_id = PathId(ctx, "id");
  auto runs = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return TreeReport(tx, scope.network.id, alert_id);
  });
  json::array trees;
  for (const auto& run : ValueOrThrow(std::move(runs))) trees.push_back(RunToJson(run));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"alert_id", alert_id}, {"trees", trees}});
}

}  // namespace

void AddTreeRoutes(http::Router& router, App& app) {
  router.Add(verb::get, "/v1/networks/{slug}/trees",
             [&app](http::RequestContext& c) { return ListTreesHandler(app, c); });
  router.Add(verb::put, "/v1/networks/{slug}/trees/{name}",
             [&app](http::RequestContext& c) { return PutTreeHandler(app, c); });
  router.Add(verb::get, "/v1/networks/{slug}/trees/{name}",
             [&app](http::RequestContext& c) { return GetTreeHandler(app, c); });
  router.Add(verb::delete_, "/v1/networks/{slug}/trees/{name}",
             [&app](http::RequestContext& c) { return DeleteTreeHandler(app, c); });
  router.Add(verb::get, "/v1/networks/{slug}/alerts/{id}/tree",
             [&app](http::RequestContext& c) { return AlertTreeHandler(app, c); });
}

}  // namespace tocsin
