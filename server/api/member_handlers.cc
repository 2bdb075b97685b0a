// Members of a network: create, list (filters, a name search, keyset pages), get, patch, delete, CSV import.
// Every request that shows members is audited as members.read, with their ids only. A viewer
// token (or its console session) sees each phone masked (+44******0123), as in alert answers.
#include "dispatch/model/validation.h"
#include "dispatch/store/audit_log.h"
#include "dispatch/store/member_import.h"
#include "dispatch/store/policy_store.h"
#include "dispatch/store/tree_store.h"
#include "dispatch/util/fold_case.h"
#include "dispatch/util/phone.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

json::object MemberToJson(const Member& m, const Caller& caller) {
  const bool masked = caller.token && caller.token->role == "viewer";
  return {{"id", m.id},
          {"phone", masked ? RedactPhone(m.phone) : m.phone},
          {"name", m.name ? json::value(*m.name) : json::value(nullptr)},
          {"language", m.language},
          {"areas", ToJsonArray(m.areas)},
          {"roles", ToJsonArray(m.roles)},
          {"channels", ToJsonArray(m.channels)},
          {"status", m.status},
          {"backup", m.backup ? json::value(*m.backup) : json::value(nullptr)},
          {"consent_at", m.consent_at},
          {"created_at", m.created_at},
          {"updated_at", m.updated_at}};
}

// The member fields of a JSON body. A JSON null name or backup clears it.
MemberInput ReadMemberInput(const JsonBody& body) {
  body.AllowOnly({"phone", "name", "language", "areas", "roles", "channels", "status", "backup"});
  MemberInput in;
  in.phone = body.String("phone");
  in.name = body.IsNull("name") ? std::optional<std::string>("") : body.String("name");
  in.language = body.String("language");
  in.status = body.String("status");
  in.areas = body.StringList("areas");
  in.roles = body.StringList("roles");
  in.channels = body.StringList("channels");
  if (body.IsNull("backup")) {
    in.backup = 0;
  } else if (auto b = body.Int("backup")) {
    if (*b <= 0) throw ApiError(Error::Invalid("backup", "must be a member id (a whole number >= 1) or null"));
    in.backup = *b;
  }
  return in;
}

Awaitable CreateMemberHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kWriteMembers);
  JsonBody body(ctx.req);
  auto in = ValueOrThrow(NormaliseMemberInput(ReadMemberInput(body), scope.network, true));
  auto member = co_await app.db.Run([&](pqxx::connection& c) -> Result<Member> {
    pqxx::work tx(c);
    auto m = app.members.Create(tx, scope.network, in);
    if (!m.ok()) return m;
    RecordAudit(tx, scope.network.id, scope.caller.Actor(), "members.create",
                "member:" + std::to_string(m->id));
    tx.commit();
    return m;
  });
  co_return JsonResponse(ctx.req, status::created, MemberToJson(ValueOrThrow(std::move(member)), scope.caller));
}

// `?name=`: whether a member's name holds `needle`, ignoring ASCII case. Names are sealed, so
// the page is read (and unsealed) and filtered here: the cursor still walks every member, and a
// page may hold fewer than `limit` (or none) with a next_cursor.
// Whether a member's name holds `folded` (a FoldCase'd needle).
bool NameHolds(const std::optional<std::string>& name, const std::string& folded) {
  return name && FoldCase(*name).find(folded) != std::string::npos;
}

Awaitable ListMembersHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadMembers);
  MemberFilter f;
  f.area = QueryParam(ctx, "area");
  f.role = QueryParam(ctx, "role");
  f.status = QueryParam(ctx, "status");
  if (f.area) ValueOrThrow(CheckAreaName(*f.area, "area"));
  if (f.role) ValueOrThrow(CheckMemberRole(*f.role, "role"));
  if (f.status) ValueOrThrow(CheckMemberStatus(*f.status, "status"));
  auto name = QueryParam(ctx, "name");
  if (name && (name->empty() || name->size() > 100)) {
    throw ApiError(Error::Invalid("name", "must be 1-100 characters of a name to look for"));
  }
  auto page_query = ReadPageQuery(ctx, 50, 500);
  f.after_id = page_query.after_id;
  f.limit = page_query.limit;
  // A read of the member list is audited (ids only), in the transaction that reads it.
  auto page = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto p = app.members.List(tx, scope.network.id, f);
    if (name) {
      const auto folded = FoldCase(*name);
      std::erase_if(p.members, [&](const auto& m) { return !NameHolds(m.name, folded); });
    }
    json::array ids;
    for (const auto& m : p.members) ids.emplace_back(m.id);
    RecordAudit(tx, scope.network.id, scope.caller.Actor(), "members.read", "members",
                json::serialize(json::object{{"ids", std::move(ids)}}));
    tx.commit();
    return p;
  });
  json::array items;
  for (const auto& m : page.members) items.push_back(MemberToJson(m, scope.caller));
  co_return JsonResponse(ctx.req, status::ok,
                         {{"members", std::move(items)}, {"next_cursor", CursorJson(page.next_cursor)}});
}

Awaitable GetMemberHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadMembers);
  auto id = PathId(ctx, "id");
  auto member = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto m = app.members.Get(tx, scope.network.id, id);
    if (!m.ok()) return m;
    RecordAudit(tx, scope.network.id, scope.caller.Actor(), "members.read",
                "member:" + std::to_string(id));
    tx.commit();
    return m;
  });
  co_return JsonResponse(ctx.req, status::ok, MemberToJson(ValueOrThrow(std::move(member)), scope.caller));
}

Awaitable PatchMemberHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kWriteMembers);
  auto id = PathId(ctx, "id");
  JsonBody body(ctx.req);
  auto in = ValueOrThrow(NormaliseMemberInput(ReadMemberInput(body), scope.network, false));
  auto member = co_await app.db.Run([&](pqxx::connection& c) -> Result<Member> {
    pqxx::work tx(c);
    auto m = app.members.Update(tx, scope.network, id, in);
    if (!m.ok()) return m;
    json::array fields;
    for (const auto& kv : body.object()) fields.emplace_back(kv.key());
    RecordAudit(tx, scope.network.id, scope.caller.Actor(), "members.update",
                "member:" + std::to_string(id), json::serialize(json::object{{"fields", fields}}));
    tx.commit();
    return m;
  });
  co_return JsonResponse(ctx.req, status::ok, MemberToJson(ValueOrThrow(std::move(member)), scope.caller));
}

Awaitable DeleteMemberHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kWriteMembers);
  auto id = PathId(ctx, "id");
  auto done = co_await app.db.Run([&](pqxx::connection& c) -> Status {
    pqxx::work tx(c);
    if (auto kinds = PoliciesNamingMember(tx, scope.network.id, id); !kinds.empty()) {
      return Error::Conflict("id", "the " + kinds.front() + " policy names this member: change that policy first");
    }
    if (auto trees = TreesWithMember(tx, scope.network.id, id); !trees.empty()) {
      return Error::Conflict("id", "phone tree '" + trees.front() + "' has this member: change that tree first");
    }
    auto r = app.members.Delete(tx, scope.network.id, id);
    if (!r.ok()) return r;
    RecordAudit(tx, scope.network.id, scope.caller.Actor(), "members.delete",
                "member:" + std::to_string(id));
    tx.commit();
    return r;
  });
  ValueOrThrow(std::move(done));
  co_return EmptyResponse(ctx.req, status::no_content);
}

Awaitable ImportMembersHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kWriteMembers);
  auto type = ctx.req[http::bhttp::field::content_type];
  if (!boost::beast::iequals(type.substr(0, type.find(';')), "text/csv")) {
    throw ApiError(Error::Invalid("Content-Type", "send the members as text/csv"));
  }
  auto result = co_await app.db.Run([&](pqxx::connection& c) {
    return ImportMembersCsv(c, app.members, scope.network, ctx.req.body(), scope.caller.Actor());
  });
  const auto& r = ValueOrThrow(std::move(result));
  auto lines = [](const std::vector<ImportLineError>& list) {
    json::array out;
    for (const auto& e : list) out.push_back({{"line", e.line}, {"message", e.message}});
    return out;
  };
  co_return JsonResponse(ctx.req, status::ok,
                         {{"created", r.created}, {"updated", r.updated}, {"opted_out", r.opted_out},
                          {"errors", lines(r.errors)}, {"notes", lines(r.notes)}});
}

}  // namespace

void AddMemberRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/members";
  router.Add(verb::post, base, [&app](http::RequestContext& c) { return CreateMemberHandler(app, c); });
  router.Add(verb::get, base, [&app](http::RequestContext& c) { return ListMembersHandler(app, c); });
  router.Add(verb::post, base + "/import",
             [&app](http::RequestContext& c) { return ImportMembersHandler(app, c); },
             app.config.server.max_import_bytes);
  router.Add(verb::get, base + "/{id}", [&app](http::RequestContext& c) { return GetMemberHandler(app, c); });
  router.Add(verb::patch, base + "/{id}", [&app](http::RequestContext& c) { return PatchMemberHandler(app, c); });
  router.Add(verb::delete_, base + "/{id}", [&app](http::RequestContext& c) { return DeleteMemberHandler(app, c); });
}

}  // namespace tocsin
