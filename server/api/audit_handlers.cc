// GET /v1/networks/{slug}/audit?since=RFC3339&limit=100&cursor=ID -> {entries: [{id, at, actor,
// action, target, detail}], next_cursor}, newest first. Server admin or the network's admin
// tokens. Entries hold ids, never names or phone numbers.
#include "dispatch/model/validation.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/keyset_page.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

Awaitable ListAuditHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAudit);
  AuditQuery query;
  query.network_id = scope.network.id;
  query.since = QueryParam(ctx, "since");
  if (query.since) ValueOrThrow(CheckTime(*query.since, "since"));
  // Newest first: the cursor is the id of the last entry of the previous page.
  auto page = ReadPageQuery(ctx, 100, 500);
  if (page.after_id > 0) query.before_id = page.after_id;
  query.limit = FetchCount(page.limit);
  auto entries = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return ListAudit(tx, query);
  });
  auto next = TrimPage(entries, page.limit);
  json::array items;
  for (const auto& e : entries) {
    items.push_back({{"id", e.id},
                     {"at", e.at},
                     {"actor", e.actor},
                     {"action", e.action},
                     {"target", e.target},
                     {"detail", json::parse(e.detail_json)}});
  }
  co_return JsonResponse(ctx.req, status::ok,
                         {{"entries", std::move(items)}, {"next_cursor", CursorJson(next)}});
}

}  // namespace

void AddAuditRoutes(http::Router& router, App& app) {
  router.Add(verb::get, "/v1/networks/{slug}/audit",
             [&app](http::RequestContext& ctx) { return ListAuditHandler(app, ctx); });
}

}  // namespace tocsin
