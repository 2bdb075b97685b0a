// A case's events and timeline (issue 13): POST .../cases/{id}/events records detained (where),
// removal_directions (deadline, details), released, removal_cancelled, removed or a note (text);
// GET .../cases/{id}/timeline lists them and the alerts they raised oldest first, with who
// recorded them and when. Recording goes through the engine (engine/case_alerts.h): detained
// raises the detention alert to the case's contacts, released / removal_cancelled / removed
// resolve it. Coordinators and admins only: the texts say where a person is held. Audited with
// ids and the event's type only.
#include "dispatch/model/case.h"
#include "dispatch/engine/engine.h"
#include "dispatch/store/case_alert_store.h"
#include "dispatch/store/case_event_store.h"
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
  auto done = ValueOrThrow(co_await RunningEngine(app).RecordCaseEvent(scope.network, id, in, scope.caller.Actor()));
  auto out = EventToJson(done.event);
  if (done.raised) out["alert"] = json::parse(RaisedAlertJson(done.raised->alert));
  if (done.ended) out["alert"] = json::object{{"id", done.ended->id}, {"code", done.ended->code},
                                              {"status", done.ended->status}};
  co_return JsonResponse(ctx.req, status::created, std::move(out));
}

json::object AlertEntryToJson(const CaseAlertEntry& a) {
  return {{"type", "alert"}, {"alert", a.alert_id}, {"code", a.code}, {"kind", a.kind},
          {"status", a.status}, {"at", a.created_at}};
}

Awaitable TimelineHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  const CaseEventStore store(app.cipher);
  std::vector<CaseAlertEntry> alerts;
  auto list = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto events = store.Timeline(tx, scope.network.id, id);
    if (events.ok()) alerts = AlertsOfCase(tx, scope.network.id, id);
    return events;
  });
  // Events and alerts merged by time (both stamped to the microsecond; an alert follows the
  // event that raised it, stamped in the same transaction).
  json::array items;
  std::size_t next_alert = 0;
  for (const auto& e : ValueOrThrow(std::move(list))) {
    while (next_alert < alerts.size() && alerts[next_alert].created_at < e.created_at) {
      items.push_back(AlertEntryToJson(alerts[next_alert++]));
    }
    items.push_back(EventToJson(e));
  }
  while (next_alert < alerts.size()) items.push_back(AlertEntryToJson(alerts[next_alert++]));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"timeline", std::move(items)}});
}

}  // namespace

void AddCaseEventRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/cases/{id}";
  router.Add(verb::post, base + "/events", [&app](http::RequestContext& c) { return RecordHandler(app, c); });
  router.Add(verb::get, base + "/timeline", [&app](http::RequestContext& c) { return TimelineHandler(app, c); });
}

}  // namespace tocsin
