// Escalation policies per network and alert kind: PUT validates (errors name the field) and
// stores; GET answers the stored policy or the built-in default ("default": true).
#include "dispatch/store/audit_log.h"
#include "dispatch/store/policy_store.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

std::string KindParam(const http::RequestContext& ctx) {
  const auto& kind = ctx.Param("kind");
  if (kind != "raid" && kind != "detention" && kind != "removal" && kind != "other") {
    throw ApiError(Error::NotFound("no such alert kind (raid, detention, removal, other)"));
  }
  return kind;
}

Awaitable PutPolicyHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kWriteAreas);
  auto kind = KindParam(ctx);
  auto policy = ValueOrThrow(ParsePolicyText(ctx.req.body()));
  auto stored = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto s = PutPolicy(tx, scope.network.id, kind, policy);
    if (!s.ok()) return s;
    RecordAudit(tx, scope.network.id, scope.caller.Actor(), "policies.put", "policy:" + kind);
    tx.commit();
    return s;
  });
  ValueOrThrow(std::move(stored));
  auto body = PolicyToJson(policy).as_object();
  body["verification"] = VerificationToJson(EffectiveVerification(policy.verification, kind));
  body["kind"] = kind;
  body["default"] = false;
  co_return JsonResponse(ctx.req, status::ok, body);
}

Awaitable GetPolicyHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto kind = KindParam(ctx);
  auto stored = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return StoredPolicy(tx, scope.network.id, kind);
  });
  const auto policy = stored ? *stored : DefaultPolicy(kind);
  auto body = PolicyToJson(policy).as_object();
  // The verification in force, whether written or the kind's default (model/verification.h).
  body["verification"] = VerificationToJson(EffectiveVerification(policy.verification, kind));
  body["kind"] = kind;
  body["default"] = !stored.has_value();
  co_return JsonResponse(ctx.req, status::ok, body);
}

}  // namespace

void AddPolicyRoutes(http::Router& router, App& app) {
  router.Add(verb::put, "/v1/networks/{slug}/policies/{kind}",
             [&app](http::RequestContext& c) { return PutPolicyHandler(app, c); });
  router.Add(verb::get, "/v1/networks/{slug}/policies/{kind}",
             [&app](http::RequestContext& c) { return GetPolicyHandler(app, c); });
}

}  // namespace tocsin
