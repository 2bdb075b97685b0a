// Partners' systems raise alerts by signed webhook.
//
//   POST .../inbound-sources {"name", "maps_to": "alert" | "report" | "case"}  -> 201 with the secret (whsec_..., shown
//                                                             once) and the `url` to post to
//   GET .../inbound-sources, DELETE .../inbound-sources/{name}
//   POST /v1/networks/{slug}/inbound/{name}                 signed with Standard Webhooks headers
//
// The inbound endpoint takes no token: the signature is the credential. Missing headers, a
// timestamp more than 5 minutes from this server's wall clock, an unknown source or a signature
// that does not verify -> 401 and nothing recorded (the same answer for an unknown source and a
// bad signature, so a caller without the secret learns nothing). A verified body is read as the
// API's raise (same fields, same 422s) and raised through the engine with `created_by`
// "inbound:<name>"; a repeated webhook-id is answered with the first answer and does nothing.
// A source with maps_to "report" sends reports from the street instead (issue 12): the body is
// read as POST .../reports is, and kept as a report (report_sms.h). A source with maps_to "case"
// records a case's event (issue 13): the body is {"case": <id>} with the fields of POST
// .../cases/{id}/events (same 422s), recorded through the engine by "inbound:<name>" (a
// `detained` raises the case's alert); a repeated webhook-id records nothing and answers 200
// {"repeated": true}.
#include "dispatch/store/audit_log.h"
#include "dispatch/store/inbound_source_store.h"
#include "dispatch/util/clock.h"
#include "dispatch/util/standard_webhooks.h"
#include "server/api/alert_input.h"
#include "server/api/audited_change.h"
#include "server/api/case_event_input.h"
#include "server/api/handler_prelude.h"
#include "server/api/report_sms.h"

namespace tocsin {

namespace {

constexpr std::size_t kMaxWebhookIdLength = 200;

json::object SourceToJson(const App& app, const std::string& network_slug, const InboundSource& s) {
  return {{"id", s.id},
          {"name", s.name},
          {"maps_to", s.maps_to},
          {"url", app.config.server.public_url + "/v1/networks/" + network_slug + "/inbound/" + s.name},
          {"created_at", s.created_at}};
}

Awaitable CreateSourceHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageOrganisations);
  JsonBody body(ctx.req);
  body.AllowOnly({"name", "maps_to"});
  auto name = body.RequiredString("name");
  auto maps_to = body.String("maps_to").value_or("alert");
  const InboundSourceStore store(app.cipher);
  auto created = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return store.Create(tx, scope.network.id, name, maps_to); },
        [&](const auto&) { return AuditedAs{"inbound_sources.create", "inbound:" + name}; });
  });
  auto [source, secret] = ValueOrThrow(std::move(created));
  auto out = SourceToJson(app, scope.network.slug, source);
  out["secret"] = secret;
  co_return JsonResponse(ctx.req, status::created, out);
}

Awaitable ListSourcesHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadOrganisations);
  const InboundSourceStore store(app.cipher);
  auto list = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.List(tx, scope.network.id);
  });
  json::array items;
  for (const auto& s : list) items.push_back(SourceToJson(app, scope.network.slug, s));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"inbound_sources", std::move(items)}});
}

Awaitable DeleteSourceHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageOrganisations);
  const std::string& name = ctx.Param("name");
  const InboundSourceStore store(app.cipher);
  auto deleted = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return store.Delete(tx, scope.network.id, name); },
        [&](const auto&) { return AuditedAs{"inbound_sources.delete", "inbound:" + name}; });
  });
  ValueOrThrow(std::move(deleted));
  co_return EmptyResponse(ctx.req, status::no_content);
}

// A verified webhook of a source with maps_to "report": read as POST .../reports is (same fields,
// same 422s), kept as a report (source "webhook", created_by "inbound:<name>"): 201 with the
// report; a repeated webhook-id: 200 {"repeated": true} and nothing more.
Awaitable InboundReport(App& app, http::RequestContext& ctx, const Network& network, const InboundSource& source,
                        const std::string& webhook_id) {
  const auto fields = ReadReportFields(JsonBody(ctx.req));
  const std::string kind = "webhook";
  const std::string actor = "inbound:" + source.name;
  const std::string once = "inbound-report:" + std::to_string(source.id) + ":" + webhook_id;
  auto report = co_await TakeReport(app, network.id, &fields, &kind, &actor, &once);
  if (!report) co_return JsonResponse(ctx.req, status::ok, json::object{{"repeated", true}});
  co_return JsonResponse(ctx.req, status::created, ReportJson(*report));
}

// A verified webhook of a source with maps_to "case": the case's event, recorded once per
// webhook-id: 201 as POST .../cases/{id}/events answers; repeated: 200 {"repeated": true}.
Awaitable InboundCaseEvent(App& app, http::RequestContext& ctx, const Network& network, const InboundSource& source,
                           const std::string& webhook_id) {
  JsonBody body(ctx.req);
  body.AllowOnly({"case", "type", "where", "deadline", "details", "text"});
  const auto case_id = body.Int("case");
  if (!case_id) throw ApiError(ErrorCode::kInvalid, "is required: the case's id", "case");
  auto in = ReadCaseEvent(body);
  in.inbound_key =
      app.cipher.LookupHash(network.id, "inbound-case:" + std::to_string(source.id) + ":" + webhook_id);
  auto done = co_await RunningEngine(app).RecordCaseEvent(network, *case_id, in, "inbound:" + source.name);
  if (!done.ok() && done.error().code == ErrorCode::kConflict && done.error().field == "webhook-id") {
    co_return JsonResponse(ctx.req, status::ok, json::object{{"repeated", true}});
  }
  co_return JsonResponse(ctx.req, status::created, CaseEventDoneJson(ValueOrThrow(std::move(done))));
}

[[noreturn]] void Unauthorized(std::string message) { throw ApiError(ErrorCode::kUnauthorized, std::move(message)); }

Awaitable InboundHandler(App& app, http::RequestContext& ctx) {
  WebhookHeaders headers{std::string(ctx.req["webhook-id"]), std::string(ctx.req["webhook-timestamp"]),
                         std::string(ctx.req["webhook-signature"])};
  if (headers.id.size() > kMaxWebhookIdLength) Unauthorized("webhook-id is longer than 200 characters");
  const auto now_s = WallClockMs() / 1000;
  // The checks that need no secret first: they reveal nothing about which sources exist.
  if (auto check = VerifyWebhook(headers, ctx.req.body(), {}, now_s); check != WebhookCheck::kBadSignature) {
    Unauthorized(WebhookCheckText(check));
  }
  const std::string& slug = ctx.Param("slug");
  const std::string& name = ctx.Param("source");
  const InboundSourceStore store(app.cipher);
  auto found = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::optional<std::pair<Network, std::pair<InboundSource, std::string>>> out;
    auto network = FindNetworkBySlug(tx, slug);
    if (!network) return out;
    auto source = store.Find(tx, network->id, name);
    if (source) out.emplace(std::move(*network), std::move(*source));
    return out;
  });
  auto key = found ? WebhookSecretKey(found->second.second) : std::nullopt;
  if (!key || VerifyWebhook(headers, ctx.req.body(), {*key}, now_s) != WebhookCheck::kValid) {
    Unauthorized("the webhook's signature does not verify");
  }
  const auto& [network, source] = *found;
  if (source.first.maps_to == "report") co_return co_await InboundReport(app, ctx, network, source.first, headers.id);
  if (source.first.maps_to == "case") co_return co_await InboundCaseEvent(app, ctx, network, source.first, headers.id);
  auto in = ReadAlertInput(JsonBody(ctx.req));
  const InboundRaiseKey once(source.first.id, headers.id);
  auto receipt = ValueOrThrow(co_await RunningEngine(app).RaiseOnce(network, in, "inbound:" + name, once));
  co_return JsonResponse(ctx.req, static_cast<status>(receipt.status), json::parse(receipt.response));
}

}  // namespace

void AddInboundRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/inbound-sources";
  router.Add(verb::post, base, [&app](http::RequestContext& c) { return CreateSourceHandler(app, c); });
  router.Add(verb::get, base, [&app](http::RequestContext& c) { return ListSourcesHandler(app, c); });
  router.Add(verb::delete_, base + "/{name}", [&app](http::RequestContext& c) { return DeleteSourceHandler(app, c); });
  router.Add(verb::post, "/v1/networks/{slug}/inbound/{source}",
             [&app](http::RequestContext& c) { return InboundHandler(app, c); }, 0,
             http::Access::kSigned);
}

}  // namespace tocsin
