// POST /v1/networks (server admin), GET /v1/networks/{slug}, PATCH /v1/networks/{slug} (the
// network's admin tokens: name, help text, language, retention and the safety settings of
// network_settings.h).
#include "dispatch/store/audit_log.h"
#include "dispatch/store/network_registry.h"
#include "server/api/audited_change.h"
#include "server/api/handler_prelude.h"
#include "server/api/network_settings.h"

namespace tocsin {

json::object NetworkToJson(const Network& n) {
  json::array numbers;
  for (const auto& s : n.numbers) {
    json::object o{{"number", s.number}};
    o["segments_per_second"] = s.segments_per_second ? json::value(*s.segments_per_second) : nullptr;
    numbers.push_back(std::move(o));
  }
  return {{"slug", n.slug},
          {"name", n.name},
          {"numbers", std::move(numbers)},
          {"country", n.country},
          {"default_language", n.default_language},
          {"retention_days", n.retention_days},
          {"help_text", n.help_text},
          {"approval", ApprovalJson(n.approval)},
          {"disclosure", DisclosureJson(n.disclosure)},
          {"reports", ReportSettingsJson(n.reports)},
          {"voice_message", n.voice_message},
          {"created_at", n.created_at}};
}

namespace {

// `numbers` entries are "+44..." or {"number": "+44...", "segments_per_second": 10}.
std::vector<SenderNumber> ParseNumbers(const JsonBody& body) {
  const auto* raw = body.Raw("numbers");
  if (!raw || raw->is_null()) throw ApiError(Error::Invalid("numbers", "is required"));
  if (!raw->is_array()) throw ApiError(Error::Invalid("numbers", "must be a list"));
  std::vector<SenderNumber> out;
  for (std::size_t i = 0; i < raw->as_array().size(); ++i) {
    const auto& item = raw->as_array()[i];
    auto field = "numbers[" + std::to_string(i) + "]";
    if (item.is_string()) {
      out.push_back({std::string(item.as_string()), std::nullopt});
      continue;
    }
    if (!item.is_object()) throw ApiError(Error::Invalid(field, "must be a string or an object"));
    const auto& o = item.as_object();
    for (const auto& kv : o) {
      if (kv.key() != "number" && kv.key() != "segments_per_second") {
        throw ApiError(Error::Invalid(field + "." + std::string(kv.key()), "unknown field"));
      }
    }
    auto* num = o.if_contains("number");
    if (!num) throw ApiError(Error::Invalid(field + ".number", "is required"));
    SenderNumber s{AsString(*num, field + ".number"), std::nullopt};
    if (auto* rate = o.if_contains("segments_per_second"); rate && !rate->is_null()) {
      if (!rate->is_number()) {
        throw ApiError(Error::Invalid(field + ".segments_per_second", "must be a number"));
      }
      s.segments_per_second = rate->to_number<double>();
    }
    out.push_back(std::move(s));
  }
  return out;
}

Awaitable CreateNetworkHandler(App& app, http::RequestContext& ctx) {
  auto caller = co_await Authenticate(app, ctx.req);
  if (!caller.server_admin) {
    throw ApiError(ErrorCode::kForbidden, "only the server admin token may create networks");
  }
  JsonBody body(ctx.req);
  body.AllowOnly({"name", "slug", "numbers", "country", "default_language", "retention_days",
                  "help_text"});
  NetworkInput in;
  in.name = body.RequiredString("name");
  in.slug = body.RequiredString("slug");
  in.numbers = ParseNumbers(body);
  in.country = body.String("country").value_or("GB");
  in.default_language = body.String("default_language").value_or("en");
  auto retention = body.Int("retention_days").value_or(30);
  if (retention < 1 || retention > 3650) {
    throw ApiError(Error::Invalid("retention_days", "must be between 1 and 3650 days"));
  }
  in.retention_days = static_cast<int>(retention);
  in.help_text = body.String("help_text").value_or("");
  auto normal = ValueOrThrow(NormaliseNetworkInput(std::move(in)));
  auto network = co_await app.db.Run([&](pqxx::connection& c) -> Result<Network> {
    pqxx::work tx(c);
    auto created = CreateNetwork(tx, normal);
    if (!created.ok()) return created;
    RecordAudit(tx, created->id, caller.Actor(), "networks.create", created->slug);
    tx.commit();
    return created;
  });
  co_return JsonResponse(ctx.req, status::created, NetworkToJson(ValueOrThrow(std::move(network))));
}

Awaitable GetNetworkHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadNetwork);
  co_return JsonResponse(ctx.req, status::ok, NetworkToJson(scope.network));
}

Awaitable PatchNetworkHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageNetwork);
  JsonBody body(ctx.req);
  body.AllowOnly({"name", "help_text", "default_language", "retention_days", "approval", "disclosure",
                  "reports", "voice_message"});
  NetworkChanges changes;
  changes.name = body.String("name");
  changes.help_text = body.String("help_text");
  changes.voice_message = body.String("voice_message");
  changes.default_language = body.String("default_language");
  if (auto days = body.Int("retention_days")) {
    if (*days < 1 || *days > 3650) throw ApiError(Error::Invalid("retention_days", "must be between 1 and 3650 days"));
    changes.retention_days = static_cast<int>(*days);
  }
  if (const auto* approval = body.Raw("approval")) changes.approval = ParseApproval(*approval, scope.network.approval);
  if (const auto* disclosure = body.Raw("disclosure")) {
    changes.disclosure = ParseDisclosureSetting(*disclosure, scope.network.disclosure);
  }
  if (const auto* reports = body.Raw("reports")) changes.reports = ParseReportSettings(*reports, scope.network.reports);
  auto updated = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return UpdateNetwork(tx, scope.network, changes); },
        [&](const auto& r) {
          const auto& n = r.value();
          return AuditedAs{"networks.update", scope.network.slug,
                           json::serialize(json::object{{"approval", ApprovalJson(n.approval)},
                                                        {"disclosure", DisclosureJson(n.disclosure)},
                                                        {"reports", ReportSettingsJson(n.reports)}})};
        });
  });
  co_return JsonResponse(ctx.req, status::ok, NetworkToJson(ValueOrThrow(std::move(updated))));
}

}  // namespace

void AddNetworkRoutes(http::Router& router, App& app) {
  router.Add(verb::post, "/v1/networks",
             [&app](http::RequestContext& ctx) { return CreateNetworkHandler(app, ctx); });
  router.Add(verb::get, "/v1/networks/{slug}",
             [&app](http::RequestContext& ctx) { return GetNetworkHandler(app, ctx); });
  router.Add(verb::patch, "/v1/networks/{slug}",
             [&app](http::RequestContext& ctx) { return PatchNetworkHandler(app, ctx); });
}

}  // namespace tocsin
