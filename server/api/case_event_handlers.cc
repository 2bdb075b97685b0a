// A case's events and timeline (issue 13): POST .../cases/{id}/events records detained (where),
// removal_directions (deadline, details), released, removal_cancelled, removed or a note (text);
// GET .../cases/{id}/timeline lists them oldest first with who recorded them and when.
// Coordinators and admins only: the texts say where a person is held. Audited with ids and the
// event's type only.
#include "dispatch/model/case.h"
#include "dispatch/store/case_event_store.h"
#include "server/api/audited_change.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

json::object EventToJson(const CaseEvent& e) {
  json::object o{{"id", e.id}, {"case_id", e.case_id}, {"type", e.type}, {"by", e.actor}, {"at", e.created_at}};
  const auto field = CaseEventDetailField(e.type);
  if (!field.empty()) o[field] = OptJson(e.detail);
  if (e.deadline) o["deadline"] = *e.deadline;
  return o;
}

CaseEventInput ReadEvent(const http::Request& req) {
  JsonBody body(req);
  body.AllowOnly({"type", "where", "deadline", "details", "text"});
  CaseEventInput in;
  in.type = body.RequiredString("type");
  for (std::string_view key : {"where", "details", "text"}) {
    if (!body.Has(key)) continue;
    if (key != CaseEventDetailField(in.type)) {
      throw ApiError(ErrorCode::kInvalid, "not a field of a " + in.type + " event", std::string(key));
    }
    in.detail = body.String(key);
  }
  in.deadline = body.String("deadline");
  ValueOrThrow(CheckCaseEvent(in));
  return in;
}

Awaitable RecordHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  auto in = ReadEvent(ctx.req);
  const CaseEventStore store(app.cipher);
  const auto actor = scope.caller.Actor();
  auto recorded = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return store.Record(tx, scope.network.id, id, in, actor); },
        [&](const auto& r) {
          return AuditedAs{"cases.events.create", "case:" + std::to_string(id),
                           json::serialize(json::object{{"event", r->id}, {"type", r->type}})};
        });
  });
  co_return JsonResponse(ctx.req, status::created, EventToJson(ValueOrThrow(std::move(recorded))));
}

Awaitable TimelineHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  const CaseEventStore store(app.cipher);
  auto list = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.Timeline(tx, scope.network.id, id);
  });
  json::array items;
  for (const auto& e : ValueOrThrow(std::move(list))) items.push_back(EventToJson(e));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"timeline", std::move(items)}});
}

}  // namespace

void AddCaseEventRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/cases/{id}";
  router.Add(verb::post, base + "/events", [&app](http::RequestContext& c) { return RecordHandler(app, c); });
  router.Add(verb::get, base + "/timeline", [&app](http::RequestContext& c) { return TimelineHandler(app, c); });
}

}  // namespace tocsin
