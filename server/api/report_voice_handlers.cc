// The hotline's reports (issue 11): what a coordinator does with a report a caller recorded.
//
// GET /v1/networks/{slug}/reports/{id}/recording   the caller's recorded message (audio/mpeg),
//     fetched from the call provider with the account's credentials (Engine::FetchRecording):
//     a coordinator never needs Twilio's. Coordinator role and up; each read is audited
//     (reports.recording_read). 404 (field "id") when the report has none; the provider's 404
//     is 404; a provider that fails or does not answer is 503.
// PATCH /v1/networks/{slug}/reports/{id} {"areas": ["SE15"]}   names the area of a report that
//     waits for one (status awaiting_area: a caller with no area on file); the report is then
//     pending and is merged or verified as any other (Engine::VerifyReport). 409 (field
//     "status") for a report that is not waiting; 422 (field "areas") for an area that is not
//     the network's. Audited (reports.area).
#include <algorithm>

#include "dispatch/store/approval_store.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/report_store.h"
#include "server/api/handler_prelude.h"
#include "server/api/report_sms.h"

namespace tocsin {

namespace {

Awaitable GetRecordingOfReportHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  Engine& engine = RunningEngine(app);
  const ReportStore store(app.cipher);
  const auto actor = scope.caller.Actor();
  auto found = co_await app.db.Run([&](pqxx::connection& c) -> Result<Report> {
    pqxx::work tx(c);
    auto r = store.Get(tx, scope.network.id, id);
    if (!r.ok()) return r.error();
    if (!r->recording_sid) return Error{ErrorCode::kNotFound, "report " + r->code + " has no recording", "id"};
    RecordAudit(tx, scope.network.id, actor, "reports.recording_read", r->code);
    tx.commit();
    return r;
  });
  auto report = ValueOrThrow(std::move(found));
  auto audio = ValueOrThrow(co_await engine.FetchRecording(*report.recording_sid));
  http::Response res{status::ok, ctx.req.version()};
  res.set(http::bhttp::field::content_type, audio.content_type);
  res.set(http::bhttp::field::cache_control, "no-store");
  res.keep_alive(ctx.req.keep_alive());
  res.body() = std::move(audio.audio);
  res.prepare_payload();
  co_return res;
}

Awaitable SetReportAreaHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  const JsonBody body(ctx.req);
  body.AllowOnly({"areas"});
  auto areas = body.StringList("areas").value_or(std::vector<std::string>{});
  if (areas.empty()) throw ApiError(Error::Invalid("areas", "name at least one area"));
  const ReportStore store(app.cipher);
  const auto actor = scope.caller.Actor();
  const std::int64_t now_ms = app.engine ? app.engine->clock().NowMs() : 0;
  auto set = co_await app.db.Run([&](pqxx::connection& c) -> Result<Report> {
    pqxx::work tx(c);
    const auto known = NetworkAreaNames(tx, scope.network.id);
    for (const auto& a : areas) {
      if (std::find(known.begin(), known.end(), a) == known.end()) {
        return Error::Invalid("areas", "'" + a.substr(0, 40) + "' is not an area of the network");
      }
    }
    auto r = store.Get(tx, scope.network.id, id);
    if (!r.ok()) return r.error();
    if (r->status != ReportStatus::kAwaitingArea) {
      return Error{ErrorCode::kConflict, "report " + r->code + " is not waiting for its area", "status"};
    }
    store.SetAreas(tx, id, areas);
    ReportEvent given;
    given.what = "area_given";
    given.actor = actor;
    store.AddEvent(tx, id, now_ms, given);
    RecordAudit(tx, scope.network.id, actor, "reports.area", r->code);
    tx.commit();
    return r;
  });
  ValueOrThrow(std::move(set));
  if (app.engine) co_await app.engine->VerifyReport(id);  // merged, or its verifiers asked
  auto now = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.Get(tx, scope.network.id, id);
  });
  co_return JsonResponse(ctx.req, status::ok, ReportJson(ValueOrThrow(std::move(now))));
}

}  // namespace

void AddReportVoiceRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/reports/{id}";
  router.Add(verb::get, base + "/recording", [&app](http::RequestContext& c) { return GetRecordingOfReportHandler(app, c); });
  router.Add(verb::patch, base, [&app](http::RequestContext& c) { return SetReportAreaHandler(app, c); });
}

}  // namespace tocsin
