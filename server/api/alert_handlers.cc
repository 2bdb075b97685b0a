// Alerts: raise (once per Idempotency-Key), preview a raise's audience, approve or reject a raise
// held for a second coordinator, read (with live counts), list, deliveries, responses (and
// organisations' answers), follow-up updates, resolve, cancel.
#include "dispatch/engine/raise_preview.h"
#include "dispatch/store/idempotency_store.h"
#include "dispatch/store/keyset_page.h"
#include "dispatch/util/phone.h"
#include "server/api/alert_input.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

// The member's name and phone as `caller` may see them: a viewer sees the phone masked.
void AddMemberLabel(json::object& o, const MemberLabel& m, const Caller& caller) {
  o["name"] = OptJson(m.name);
  std::optional<std::string> phone = m.phone;
  if (phone && caller.token && caller.token->role == "viewer") phone = RedactPhone(*phone);
  o["phone"] = OptJson(phone);
  if (m.deleted) o["member_deleted"] = true;
}

json::object OrganisationResponseJson(const OrganisationResponseView& r) {
  return {{"id", r.id},
          {"organisation", {{"id", r.organisation_id}, {"slug", r.slug}, {"name", r.name}}},
          {"answer", r.answer},
          {"note", OptJson(r.note)},
          {"received_at", r.received_at}};
}

// With an `Idempotency-Key` header (store/idempotency_store.h), the same key from the same token
// within 24 hours answers as the first time (with `Idempotent-Replayed: true`) and raises
// nothing; the key with another body is 422 (field "Idempotency-Key").
Awaitable RaiseAlertHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kRaiseAlerts);
  auto in = ReadAlertInput(JsonBody(ctx.req));
  auto actor = scope.caller.Actor();
  if (auto header = ctx.req.find("Idempotency-Key"); header != ctx.req.end() && scope.caller.token) {
    std::string key(header->value());
    if (auto s = CheckIdempotencyKey(key); !s.ok()) throw ApiError(s.error());
    const TokenRaiseKey once(app.cipher, scope.network.id, scope.caller.token->id, key, ctx.req.body());
    auto receipt = ValueOrThrow(co_await RunningEngine(app).RaiseOnce(scope.network, in, actor, once));
    auto res = JsonResponse(ctx.req, static_cast<status>(receipt.status), json::parse(receipt.response));
    if (receipt.repeat) res.set("Idempotent-Replayed", "true");
    co_return res;
  }
  auto raised = ValueOrThrow(co_await RunningEngine(app).RaiseAlert(scope.network, in, actor));
  // 202: held for a second coordinator's approval, nothing sent yet.
  auto code = raised.status == "pending_approval" ? status::accepted : status::created;
  co_return JsonResponse(ctx.req, code, json::parse(RaisedAlertJson(raised)));
}

// POST .../alerts/{id}/approve: a second coordinator starts a pending alert.
Awaitable ApproveAlertHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  if (!ctx.req.body().empty()) JsonBody(ctx.req).AllowOnly({});
  auto actor = scope.caller.Actor();
  auto a = ValueOrThrow(co_await RunningEngine(app).ApproveAlert(scope.network, id, actor));
  co_return JsonResponse(ctx.req, status::ok, AlertJson(a));
}

// POST .../alerts/{id}/reject {"reason"}: a second coordinator cancels a pending alert.
Awaitable RejectAlertHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  std::string reason;
  if (!ctx.req.body().empty()) {
    JsonBody body(ctx.req);
    body.AllowOnly({"reason"});
    reason = body.String("reason").value_or("");
  }
  auto actor = scope.caller.Actor();
  auto a = ValueOrThrow(co_await RunningEngine(app).RejectAlert(scope.network, id, reason, actor));
  co_return JsonResponse(ctx.req, status::ok, AlertJson(a));
}

// Who a raise would reach now (engine/raise_preview.h); the body is a raise's. Nothing stored.
Awaitable PreviewAlertHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kRaiseAlerts);
  auto in = ReadAlertInput(JsonBody(ctx.req));
  auto preview = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return PreviewRaise(tx, app.alerts, scope.network, in);
  });
  auto p = ValueOrThrow(std::move(preview));
  json::object by_area;
  for (const auto& [area, n] : p.by_area) by_area[area] = n;
  co_return JsonResponse(ctx.req, status::ok,
                         {{"recipients", p.recipients},
                          {"by_area", std::move(by_area)},
                          {"neighbours", p.neighbours},
                          {"neighbours_included", p.neighbours_included}});
}

Awaitable GetAlertHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto id = PathId(ctx, "id");
  auto alert = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return app.alerts.Get(tx, scope.network.id, id);
  });
  co_return JsonResponse(ctx.req, status::ok, AlertJson(ValueOrThrow(std::move(alert))));
}

Awaitable ListAlertsHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto filter = QueryParam(ctx, "status").value_or("");
  if (!filter.empty() && filter != "open" && filter != "resolved" && filter != "cancelled" &&
      filter != "pending_approval" && filter != "verifying") {
    throw ApiError(Error::Invalid("status", "must be verifying, pending_approval, open, resolved or cancelled"));
  }
  // Newest first: the cursor is the id of the last alert of the previous page.
  auto q = ReadPageQuery(ctx, 50, 500);
  std::optional<std::int64_t> before;
  if (q.after_id > 0) before = q.after_id;
  auto alerts = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return app.alerts.List(tx, scope.network.id, filter, before, FetchCount(q.limit));
  });
  auto next = TrimPage(alerts, q.limit);
  json::array items;
  for (const auto& a : alerts) items.push_back(AlertJson(a));
  co_return JsonResponse(ctx.req, status::ok, {{"alerts", std::move(items)}, {"next_cursor", CursorJson(next)}});
}

Awaitable DeliveriesHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto id = PathId(ctx, "id");
  auto q = ReadPageQuery(ctx, 100, 1000);
  auto page = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return app.alerts.Deliveries(tx, scope.network.id, id, q.after_id, q.limit);
  });
  auto p = ValueOrThrow(std::move(page));
  json::array items;
  for (const auto& d : p.deliveries) {
    json::object o{{"id", d.id},           {"member_id", d.member_id},
                     {"message", d.kind},    {"seq", d.seq},
                     {"channel", d.channel}, {"state", d.state},
                     {"language", d.language}, {"segments", d.segments},
                     {"attempts", d.attempts}, {"sender", OptJson(d.sender)},
                     {"provider_id", OptJson(d.provider_id)}, {"error_code", OptJson(d.error_code)},
                     {"error_message", OptJson(d.error_message)}, {"sent_at", OptJson(d.sent_at)},
                     {"created_at", d.created_at}, {"updated_at", d.updated_at}};
    AddMemberLabel(o, d.member, scope.caller);
    items.push_back(std::move(o));
  }
  co_return JsonResponse(ctx.req, status::ok,
                         {{"deliveries", std::move(items)}, {"next_cursor", CursorJson(p.next_cursor)}});
}

Awaitable ResponsesHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto id = PathId(ctx, "id");
  auto q = ReadPageQuery(ctx, 100, 1000);
  auto answer = QueryParam(ctx, "answer");
  if (answer && *answer != "going" && *answer != "cannot" && *answer != "text") {
    throw ApiError(Error::Invalid("answer", "must be going, cannot or text"));
  }
  auto page = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return app.alerts.Responses(tx, scope.network.id, id, q.after_id, q.limit, answer);
  });
  auto p = ValueOrThrow(std::move(page));
  json::array items;
  for (const auto& r : p.responses) {
    json::object o{{"id", r.id}, {"member_id", r.member_id}, {"answer", r.answer},
                   {"text", OptJson(r.text)}, {"received_at", r.received_at}};
    AddMemberLabel(o, r.member, scope.caller);
    items.push_back(std::move(o));
  }
  json::array organisations;
  for (const auto& r : p.organisations) organisations.push_back(OrganisationResponseJson(r));
  co_return JsonResponse(ctx.req, status::ok,
                         {{"responses", std::move(items)},
                          {"organisation_responses", std::move(organisations)},
                          {"next_cursor", CursorJson(p.next_cursor)}});
}

// An organisation answers with its own integration token: {"answer": "going"|"cannot", "note"}.
Awaitable AnswerHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kAnswerForOrganisation);
  OrganisationAnswerInput in;
  in.alert_id = PathId(ctx, "id");
  in.organisation_id = *scope.caller.token->organisation_id;
  JsonBody body(ctx.req);
  body.AllowOnly({"answer", "note"});
  in.answer = body.RequiredString("answer");
  in.note = body.String("note");
  auto actor = scope.caller.Actor();
  auto r = ValueOrThrow(co_await RunningEngine(app).AnswerForOrganisation(scope.network, std::move(in), actor));
  co_return JsonResponse(ctx.req, status::created, OrganisationResponseJson(r));
}

Awaitable UpdateAlertHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  JsonBody body(ctx.req);
  body.AllowOnly({"message"});
  auto message = body.RequiredString("message");
  auto actor = scope.caller.Actor();
  auto n = ValueOrThrow(co_await RunningEngine(app).UpdateAlert(scope.network, id, message, actor));
  co_return JsonResponse(ctx.req, status::accepted, {{"recipients", n}});
}

// `status_to` is a string literal: a coroutine must not keep a reference to a temporary.
Awaitable EndAlertHandler(App& app, http::RequestContext& ctx, const char* status_to) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  std::string message;
  if (!ctx.req.body().empty()) {
    JsonBody body(ctx.req);
    body.AllowOnly({"message"});
    message = body.String("message").value_or("");
  }
  auto actor = scope.caller.Actor();
  auto a = ValueOrThrow(co_await RunningEngine(app).EndAlert(scope.network, id, status_to, message, actor));
  co_return JsonResponse(ctx.req, status::ok, AlertJson(a));
}

}  // namespace

void AddAlertRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/alerts";
  router.Add(verb::post, base, [&app](http::RequestContext& c) { return RaiseAlertHandler(app, c); });
  router.Add(verb::get, base, [&app](http::RequestContext& c) { return ListAlertsHandler(app, c); });
  router.Add(verb::post, base + "/preview", [&app](http::RequestContext& c) { return PreviewAlertHandler(app, c); });
  router.Add(verb::get, base + "/{id}", [&app](http::RequestContext& c) { return GetAlertHandler(app, c); });
  router.Add(verb::get, base + "/{id}/deliveries",
             [&app](http::RequestContext& c) { return DeliveriesHandler(app, c); });
  router.Add(verb::get, base + "/{id}/responses",
             [&app](http::RequestContext& c) { return ResponsesHandler(app, c); });
  router.Add(verb::post, base + "/{id}/responses",
             [&app](http::RequestContext& c) { return AnswerHandler(app, c); });
  router.Add(verb::post, base + "/{id}/updates",
             [&app](http::RequestContext& c) { return UpdateAlertHandler(app, c); });
  router.Add(verb::post, base + "/{id}/approve",
             [&app](http::RequestContext& c) { return ApproveAlertHandler(app, c); });
  router.Add(verb::post, base + "/{id}/reject",
             [&app](http::RequestContext& c) { return RejectAlertHandler(app, c); });
  router.Add(verb::post, base + "/{id}/resolve",
             [&app](http::RequestContext& c) { return EndAlertHandler(app, c, "resolved"); });
  router.Add(verb::post, base + "/{id}/cancel",
             [&app](http::RequestContext& c) { return EndAlertHandler(app, c, "cancelled"); });
}

}  // namespace tocsin
