// Reports from the street (issue 12): POST /v1/networks/{slug}/reports (coordinators and
// integrations: {"kind", "areas", "location", "details"}), GET .../reports?status= (newest
// first, paged like alerts), GET .../reports/{id} (with its timeline), and a coordinator's
// POST .../reports/{id}/confirm (raises its alert) and /dismiss. A report never shows
// who reported it: neither number nor name; only the member's id when a member did.
#include <chrono>

#include "dispatch/engine/event_hub.h"
#include "dispatch/model/alert.h"
#include "dispatch/model/report.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/keyset_page.h"
#include "dispatch/store/report_store.h"
#include "dispatch/store/sender_lookup.h"
#include "server/api/handler_prelude.h"
#include "server/api/report_sms.h"

namespace tocsin {

json::object ReportJson(const Report& r) {
  json::object o{{"id", r.id},
                 {"code", r.code},
                 {"kind", r.kind},
                 {"status", ReportStatusName(r.status)},
                 {"areas", ToJsonArray(r.areas)},
                 {"location", r.location},
                 {"details", r.details},
                 {"source", r.source},
                 {"created_by", r.created_by},
                 {"reporters", r.reporters},
                 {"received_at", r.received_at},
                 {"decided_at", OptJson(r.decided_at)},
                 {"has_recording", r.recording_sid.has_value()}};
  o["reporter_member_id"] = r.reporter_member_id ? json::value(*r.reporter_member_id) : json::value(nullptr);
  o["merged_into"] = r.merged_into ? json::value(*r.merged_into) : json::value(nullptr);
  o["alert_id"] = r.alert_id ? json::value(*r.alert_id) : json::value(nullptr);
  return o;
}

ReportFields ReadReportFields(const JsonBody& body) {
  body.AllowOnly({"kind", "areas", "location", "details"});
  ReportFields fields;
  fields.kind = body.String("kind").value_or("raid");
  fields.areas = body.StringList("areas").value_or(std::vector<std::string>{});
  fields.location = body.RequiredString("location");
  fields.details = body.String("details").value_or("");
  return ValueOrThrow(CanonicalReportFields(std::move(fields)));
}

namespace {

json::object EventJson(const ReportEvent& e) {
  json::object o{{"at", e.at}, {"what", e.what}};
  if (e.member_id) o["member_id"] = *e.member_id;
  if (e.count) o["count"] = *e.count;
  if (e.actor) o["actor"] = *e.actor;
  return o;
}

// The engine's clock when it runs (tests move it), else the system's.
std::int64_t NowMs(App& app) {
  if (app.engine) return app.engine->clock().NowMs();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

boost::asio::awaitable<Result<Report>> ReadReport(App& app, std::int64_t network_id, std::int64_t id) {
  const ReportStore store(app.cipher);
  co_return co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.Get(tx, network_id, id);
  });
}

// Whether the report is pending with a verifying alert (its verifiers asked): the engine decides
// it (Engine::DecideReport), never a second raise.
boost::asio::awaitable<bool> BeingVerified(App& app, std::int64_t network_id, std::int64_t id) {
  auto r = co_await ReadReport(app, network_id, id);
  co_return r.ok() && r->status == ReportStatus::kPending && r->alert_id.has_value();
}

Awaitable CreateReportHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kRaiseAlerts);
  const auto fields = ReadReportFields(JsonBody(ctx.req));
  const std::string source = "api";
  const auto actor = scope.caller.Actor();
  auto report = co_await TakeReport(app, scope.network.id, &fields, &source, &actor, nullptr);
  co_return JsonResponse(ctx.req, status::created, ReportJson(report.value()));
}

Awaitable ListReportsHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  std::optional<ReportStatus> filter;
  if (auto s = QueryParam(ctx, "status"); s && !s->empty()) filter = ValueOrThrow(ParseReportStatus(*s, "status"));
  auto q = ReadPageQuery(ctx, 50, 500);
  std::optional<std::int64_t> before;
  if (q.after_id > 0) before = q.after_id;
  const ReportStore store(app.cipher);
  auto reports = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.List(tx, scope.network.id, filter, before, FetchCount(q.limit));
  });
  auto next = TrimPage(reports, q.limit);
  json::array items;
  for (const auto& r : reports) items.push_back(ReportJson(r));
  co_return JsonResponse(ctx.req, status::ok, {{"reports", std::move(items)}, {"next_cursor", CursorJson(next)}});
}

Awaitable GetReportHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto id = PathId(ctx, "id");
  const ReportStore store(app.cipher);
  auto found = co_await app.db.Run([&](pqxx::connection& c) -> Result<std::pair<Report, std::vector<ReportEvent>>> {
    pqxx::read_transaction tx(c);
    auto r = store.Get(tx, scope.network.id, id);
    if (!r.ok()) return r.error();
    return std::pair{r.value(), store.Timeline(tx, id)};
  });
  auto [report, events] = ValueOrThrow(std::move(found));
  auto body = ReportJson(report);
  json::array timeline;
  for (const auto& e : events) timeline.push_back(EventJson(e));
  body["timeline"] = std::move(timeline);
  co_return JsonResponse(ctx.req, status::ok, body);
}

// POST .../reports/{id}/confirm: a coordinator confirms a pending report; its alert is raised at
// once through the normal path (policy, approval, audience, escalation) with created_by
// "report:<id>". 409 when the report is no longer pending; when the raise fails (a removal
// without a deadline: 422) the report stays pending.
Awaitable ConfirmReportHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  if (!ctx.req.body().empty()) JsonBody(ctx.req).AllowOnly({});
  Engine& engine = RunningEngine(app);
  const ReportStore store(app.cipher);
  const auto actor = scope.caller.Actor();
  const auto now = NowMs(app);
  const bool verifying = co_await BeingVerified(app, scope.network.id, id);
  if (verifying) {
    auto decided = co_await engine.DecideReport(scope.network, id, true, actor);
    auto alert = ValueOrThrow(std::move(decided));
    auto reread = co_await ReadReport(app, scope.network.id, id);
    auto body = ReportJson(ValueOrThrow(std::move(reread)));
    body["alert"] = json::parse(RaisedAlertJson(alert));
    co_return JsonResponse(ctx.req, status::ok, body);
  }
  auto claimed = co_await app.db.Run([&](pqxx::connection& c) -> Result<Report> {
    pqxx::work tx(c);
    auto r = store.Get(tx, scope.network.id, id);
    if (!r.ok()) return r.error();
    if (!store.Decide(tx, scope.network.id, id, ReportStatus::kConfirmed, now)) {
      return Error::Conflict("status", "the report is " + std::string(ReportStatusName(r->status)) + ", not pending");
    }
    tx.commit();
    return r;
  });
  auto report = ValueOrThrow(std::move(claimed));
  AlertInput in;
  in.kind = report.kind;
  in.areas = report.areas;
  in.location = report.location.empty() ? std::string("(see report ") + report.code + ")" : report.location;
  in.details = report.details;
  const std::string raiser = "report:" + std::to_string(id);
  auto raised = co_await engine.RaiseAlert(scope.network, in, raiser);
  co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    if (raised.ok()) {
      store.SetAlert(tx, id, raised->id);
      store.AddEvent(tx, id, now, ReportEvent{.what = "confirmed", .actor = actor});
      store.AddEvent(tx, id, now, ReportEvent{.what = "raised", .actor = raiser});
      RecordAudit(tx, scope.network.id, actor, "reports.confirm", report.code);
    } else {
      store.Reopen(tx, id);
    }
    tx.commit();
    return 0;
  });
  auto alert = ValueOrThrow(std::move(raised));
  auto after = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.Get(tx, scope.network.id, id);
  });
  auto confirmed = ValueOrThrow(std::move(after));
  app.events.Publish(ReportNetworkEvent(scope.network.id, "report_verified", confirmed.id, confirmed.code,
                                        confirmed.kind, confirmed.areas, "alert_id", alert.id));
  auto body = ReportJson(confirmed);
  body["alert"] = json::parse(RaisedAlertJson(alert));
  co_return JsonResponse(ctx.req, status::ok, body);
}

// POST .../reports/{id}/dismiss: a coordinator dismisses a pending report; nothing is sent.
Awaitable DismissReportHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  if (!ctx.req.body().empty()) JsonBody(ctx.req).AllowOnly({});
  const ReportStore store(app.cipher);
  const auto actor = scope.caller.Actor();
  const auto now = NowMs(app);
  bool verifying = false;
  if (app.engine) verifying = co_await BeingVerified(app, scope.network.id, id);
  if (verifying) {
    auto decided = co_await app.engine->DecideReport(scope.network, id, false, actor);
    ValueOrThrow(std::move(decided));
    auto reread = co_await ReadReport(app, scope.network.id, id);
    co_return JsonResponse(ctx.req, status::ok, ReportJson(ValueOrThrow(std::move(reread))));
  }
  auto dismissed = co_await app.db.Run([&](pqxx::connection& c) -> Result<Report> {
    pqxx::work tx(c);
    auto r = store.Get(tx, scope.network.id, id);
    if (!r.ok()) return r.error();
    if (!store.Decide(tx, scope.network.id, id, ReportStatus::kDismissed, now)) {
      return Error::Conflict("status", "the report is " + std::string(ReportStatusName(r->status)) + ", not pending");
    }
    store.AddEvent(tx, id, now, ReportEvent{.what = "dismissed", .actor = actor});
    RecordAudit(tx, scope.network.id, actor, "reports.dismiss", r->code);
    auto after = store.Get(tx, scope.network.id, id);
    tx.commit();
    return after;
  });
  const auto done = ValueOrThrow(std::move(dismissed));
  app.events.Publish(ReportNetworkEvent(scope.network.id, "report_dismissed", done.id, done.code, done.kind, done.areas));
  co_return JsonResponse(ctx.req, status::ok, ReportJson(done));
}

}  // namespace

boost::asio::awaitable<std::optional<Report>> TakeReport(App& app, std::int64_t network_id, const ReportFields* fields,
                                                         const std::string* source, const std::string* created_by,
                                                         const std::string* once) {
  ReportInput in;
  in.kind = fields->kind;
  in.areas = fields->areas;
  in.location = fields->location;
  in.details = fields->details;
  in.source = *source;
  in.created_by = *created_by;
  in.received_at_ms = NowMs(app);
  const ReportStore store(app.cipher, app.engine ? app.engine->report_codes() : ReportCodeSource(NewReportCode));
  auto taken = co_await app.db.Run([&](pqxx::connection& c) -> std::optional<Report> {
    pqxx::work tx(c);
    // A partner's repeated webhook-id (kept a week, like Twilio's MessageSids).
    if (once && FirstSeen(tx, {*once}).empty()) return std::nullopt;
    auto r = store.Insert(tx, network_id, in);
    RecordAudit(tx, network_id, in.created_by, "reports.create", r.code);
    tx.commit();
    return r;
  });
  if (!taken) co_return taken;
  app.events.Publish(
      ReportNetworkEvent(network_id, "report_received", taken->id, taken->code, taken->kind, taken->areas));
  if (!app.engine) co_return taken;
  // Merged, or its verifiers asked (engine/report_verification.h): shown as it is now.
  co_await app.engine->VerifyReport(taken->id);
  co_return co_await app.db.Run([&](pqxx::connection& c) -> std::optional<Report> {
    pqxx::read_transaction tx(c);
    auto r = store.Get(tx, network_id, taken->id);
    return r.ok() ? std::optional<Report>(r.value()) : taken;
  });
}

boost::asio::awaitable<std::optional<SmsReportAnswer>> TakeSmsReport(App& app, const InboundSms* sms) {
  const ReportIntake intake(app.cipher, app.templates, app.report_words);
  if (!intake.MightTake(sms->body) || !app.engine) co_return std::nullopt;  // a reply: no transaction here
  // Taken in the engine's next batch (engine/report_queue.h), merged or its verification begun.
  auto taken = co_await app.engine->TakeSmsReport(new InboundSms(*sms));
  // Not acknowledged: Twilio's request fails (it retries).
  if (taken.failed) throw ApiError(Error::Unavailable("the report could not be recorded"));
  co_return std::move(taken.answer);
}

void AddReportRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/reports";
  router.Add(verb::post, base, [&app](http::RequestContext& c) { return CreateReportHandler(app, c); });
  router.Add(verb::get, base, [&app](http::RequestContext& c) { return ListReportsHandler(app, c); });
  router.Add(verb::get, base + "/{id}", [&app](http::RequestContext& c) { return GetReportHandler(app, c); });
  router.Add(verb::post, base + "/{id}/confirm", [&app](http::RequestContext& c) { return ConfirmReportHandler(app, c); });
  router.Add(verb::post, base + "/{id}/dismiss", [&app](http::RequestContext& c) { return DismissReportHandler(app, c); });
}

}  // namespace tocsin
