// Organisations of a network (legal aid, bail support, an MP's office, another network): create,
// list, get, patch, delete. Kinds and areas filter what an organisation is sent; absent or null
// means every kind or area. Admins and coordinators manage them; viewers read them.
#include "dispatch/store/audit_log.h"
#include "dispatch/store/organisation_store.h"
#include "dispatch/store/policy_store.h"
#include "server/api/audited_change.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

json::value FilterJson(const std::optional<std::vector<std::string>>& list) {
  return list ? json::value(ToJsonArray(*list)) : json::value(nullptr);
}

json::object OrganisationToJson(const Organisation& o) {
  return {{"id", o.id},
          {"slug", o.slug},
          {"name", o.name},
          {"kinds", FilterJson(o.kinds)},
          {"areas", FilterJson(o.areas)},
          {"language", o.language},
          {"created_at", o.created_at},
          {"updated_at", o.updated_at}};
}

// A filter field: absent (nullopt), null (every) or a list.
std::optional<std::optional<std::vector<std::string>>> ReadFilter(const JsonBody& body, std::string_view key) {
  if (!body.Has(key)) return std::nullopt;
  if (body.IsNull(key)) return std::optional<std::vector<std::string>>();
  return body.StringList(key);
}

OrganisationInput ReadOrganisationInput(const JsonBody& body) {
  body.AllowOnly({"slug", "name", "kinds", "areas", "language"});
  OrganisationInput in;
  in.slug = body.String("slug");
  in.name = body.String("name");
  in.language = body.String("language");
  in.kinds = ReadFilter(body, "kinds");
  in.areas = ReadFilter(body, "areas");
  return in;
}

Awaitable CreateHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageOrganisations);
  auto in = ValueOrThrow(
      NormaliseOrganisationInput(ReadOrganisationInput(JsonBody(ctx.req)), true, scope.network.default_language));
  auto created = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return CreateOrganisation(tx, scope.network.id, in); },
        [](const auto& o) {
          return AuditedAs{"organisations.create", "organisation:" + std::to_string(o->id),
                           json::serialize(json::object{{"slug", o->slug}})};
        });
  });
  co_return JsonResponse(ctx.req, status::created, OrganisationToJson(ValueOrThrow(std::move(created))));
}

Awaitable ListHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadOrganisations);
  auto list = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return ListOrganisations(tx, scope.network.id);
  });
  json::array items;
  for (const auto& o : list) items.push_back(OrganisationToJson(o));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"organisations", std::move(items)}});
}

Awaitable GetHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadOrganisations);
  auto id = PathId(ctx, "id");
  auto o = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return GetOrganisation(tx, scope.network.id, id);
  });
  co_return JsonResponse(ctx.req, status::ok, OrganisationToJson(ValueOrThrow(std::move(o))));
}

// Conflict when a stored policy names organisation `id` by its slug: deleting or renaming it
// would leave that policy's steps reaching nobody.
Status NotNamedByPolicy(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id,
                        const std::string& field) {
  auto o = GetOrganisation(tx, network_id, id);
  if (!o.ok()) return o.error();
  if (auto kinds = PoliciesNamingOrganisation(tx, network_id, o->slug); !kinds.empty()) {
    return Error::Conflict(field, "the " + kinds.front() + " policy names this organisation ('" + o->slug +
                                      "'): change that policy first, or its alerts would not reach it");
  }
  return Ok{};
}

Awaitable PatchHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageOrganisations);
  auto id = PathId(ctx, "id");
  auto in = ValueOrThrow(
      NormaliseOrganisationInput(ReadOrganisationInput(JsonBody(ctx.req)), false, scope.network.default_language));
  auto updated = co_await app.db.Run([&](pqxx::connection& c) {
    auto update = [&](pqxx::work& tx) -> Result<Organisation> {
      if (in.slug) {
        auto current = GetOrganisation(tx, scope.network.id, id);
        if (current.ok() && current->slug != *in.slug) {
          if (auto s = NotNamedByPolicy(tx, scope.network.id, id, "slug"); !s.ok()) return s.error();
        }
      }
      return UpdateOrganisation(tx, scope.network.id, id, in);
    };
    return CommitAudited(c, scope, update, [&](const auto&) {
      return AuditedAs{"organisations.update", "organisation:" + std::to_string(id)};
    });
  });
  co_return JsonResponse(ctx.req, status::ok, OrganisationToJson(ValueOrThrow(std::move(updated))));
}

Awaitable DeleteHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageOrganisations);
  auto id = PathId(ctx, "id");
  auto deleted = co_await app.db.Run([&](pqxx::connection& c) {
    auto remove = [&](pqxx::work& tx) {
      if (auto named = NotNamedByPolicy(tx, scope.network.id, id, "id"); !named.ok()) return named;
      return DeleteOrganisation(tx, scope.network.id, id);
    };
    return CommitAudited(c, scope, remove, [&](const auto&) {
      return AuditedAs{"organisations.delete", "organisation:" + std::to_string(id)};
    });
  });
  ValueOrThrow(std::move(deleted));
  co_return EmptyResponse(ctx.req, status::no_content);
}

}  // namespace

void AddOrganisationRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/organisations";
  router.Add(verb::post, base, [&app](http::RequestContext& c) { return CreateHandler(app, c); });
  router.Add(verb::get, base, [&app](http::RequestContext& c) { return ListHandler(app, c); });
  router.Add(verb::get, base + "/{id}", [&app](http::RequestContext& c) { return GetHandler(app, c); });
  router.Add(verb::patch, base + "/{id}", [&app](http::RequestContext& c) { return PatchHandler(app, c); });
  router.Add(verb::delete_, base + "/{id}", [&app](http::RequestContext& c) { return DeleteHandler(app, c); });
}

}  // namespace tocsin
