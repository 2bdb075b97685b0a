// A case's events and timeline (issue 13): POST .../cases/{id}/events records detained (where),
// removal_directions (deadline, details), released, removal_cancelled, removed or a note (text);
// GET .../cases/{id}/timeline lists them, the alerts they raised, the entries of a removal's
// schedule (at their due time: pending, fired, or cancelled when a new deadline replaced them
// or the alert ended), the messages the alerts sent after their own (updates, asks, the end:
// kind and how many they went to), the going / cannot answers (a member's id or an
// organisation's slug) and supporters' DONEs (the action, the member's id) in time order, with
// who recorded them and when. Recording goes through
// the engine (engine/case_alerts.h): detained raises the detention alert to the case's
// contacts, removal_directions the removal alert and its schedule (or replaces the schedule),
// released / removal_cancelled / removed resolve them. Coordinators and admins only: the texts say where a person is held. Audited with
// ids and the event's type only.
#include <algorithm>

#include "dispatch/model/case.h"
#include "dispatch/engine/engine.h"
#include "dispatch/store/case_action_store.h"
#include "dispatch/store/case_alert_store.h"
#include "dispatch/store/case_event_store.h"
#include "dispatch/store/case_history_store.h"
#include "dispatch/store/case_schedule_store.h"
#include "server/api/case_event_input.h"
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

}  // namespace

CaseEventInput ReadCaseEvent(const JsonBody& body) {
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

json::object CaseEventDoneJson(const CaseEventDone& done) {
  auto out = EventToJson(done.event);
  if (done.raised) out["alert"] = json::parse(RaisedAlertJson(done.raised->alert));
  if (!done.ended.empty()) {
    const auto& ended = done.ended.front();
    out["alert"] = json::object{{"id", ended.id}, {"code", ended.code}, {"status", ended.status}};
  }
  if (done.rescheduled) out["alert"] = json::object{{"id", *done.rescheduled}, {"rescheduled", true}};
  if (!done.schedule.empty()) out["schedule"] = static_cast<std::int64_t>(done.schedule.size());
  return out;
}

namespace {

Awaitable RecordHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  JsonBody body(ctx.req);
  body.AllowOnly({"type", "where", "deadline", "details", "text"});
  auto in = ReadCaseEvent(body);
  auto done = ValueOrThrow(co_await RunningEngine(app).RecordCaseEvent(scope.network, id, in, scope.caller.Actor()));
  co_return JsonResponse(ctx.req, status::created, CaseEventDoneJson(done));
}

json::object AlertEntryToJson(const CaseAlertEntry& a) {
  return {{"type", "alert"}, {"alert", a.alert_id}, {"code", a.code}, {"kind", a.kind},
          {"status", a.status}, {"at", a.created_at}};
}

json::object ScheduleItemToJson(const ScheduleItem& s) {
  json::object o{{"type", "schedule"}, {"alert", s.alert_id}, {"entry", s.entry}, {"state", s.state}, {"at", s.due}};
  const auto schedule = EffectiveSchedule(s.policy);
  if (static_cast<std::size_t>(s.entry) < schedule.size()) {
    auto entry = CaseScheduleToJson({schedule[s.entry]});
    for (const auto& kv : entry[0].as_object()) {
      if (kv.key() != "at") o[kv.key()] = kv.value();  // "at" stays the due time
    }
    if (schedule[s.entry].at_recorded) o["at_recorded"] = true;
  }
  return o;
}

Awaitable TimelineHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  const CaseEventStore store(app.cipher);
  std::vector<CaseAlertEntry> alerts;
  std::vector<ScheduleItem> schedule;
  std::vector<ActionItem> actions;
  std::vector<CaseMessage> messages;
  std::vector<CaseAnswer> answers;
  auto list = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    auto events = store.Timeline(tx, scope.network.id, id);
    if (events.ok()) {
      alerts = AlertsOfCase(tx, scope.network.id, id);
      schedule = ScheduleOfCase(tx, scope.network.id, id);
      actions = ActionsOfCase(tx, scope.network.id, id);
      messages = MessagesOfCase(tx, scope.network.id, id);
      answers = AnswersOfCase(tx, scope.network.id, id);
    }
    return events;
  });
  // Events, alerts and schedule entries merged by time (all stamped to the microsecond; an alert
  // follows the event that raised it, stamped in the same transaction; ties keep that order).
  std::vector<std::pair<std::string, json::object>> timed;
  for (const auto& e : ValueOrThrow(std::move(list))) timed.emplace_back(e.created_at, EventToJson(e));
  for (const auto& a : alerts) timed.emplace_back(a.created_at, AlertEntryToJson(a));
  for (const auto& s : schedule) timed.emplace_back(s.listed_at, ScheduleItemToJson(s));
  for (const auto& a : actions) {
    json::object item{{"type", "done"}, {"action", a.action}, {"member", nullptr}, {"alert", nullptr}, {"at", a.at}};
    if (a.member_id) item["member"] = *a.member_id;
    if (a.alert_id) item["alert"] = *a.alert_id;
    timed.emplace_back(a.at, std::move(item));
  }
  for (const auto& m : messages) {
    timed.emplace_back(m.at, json::object{{"type", "message"}, {"alert", m.alert_id}, {"seq", m.seq},
                                          {"kind", m.kind}, {"recipients", m.recipients}, {"at", m.at}});
  }
  for (const auto& a : answers) {
    json::object item{{"type", "answer"}, {"alert", a.alert_id}, {"answer", a.answer}, {"at", a.at}};
    if (a.member_id) item["member"] = *a.member_id;
    if (a.organisation) item["organisation"] = *a.organisation;
    timed.emplace_back(a.at, std::move(item));
  }
  std::stable_sort(timed.begin(), timed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json::array items;
  for (auto& [at, item] : timed) items.push_back(std::move(item));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"timeline", std::move(items)}});
}

}  // namespace

void AddCaseEventRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/cases/{id}";
  router.Add(verb::post, base + "/events", [&app](http::RequestContext& c) { return RecordHandler(app, c); });
  router.Add(verb::get, base + "/timeline", [&app](http::RequestContext& c) { return TimelineHandler(app, c); });
}

}  // namespace tocsin
