// Cases (issue 13): create (201), read, list (?status=open|closed), change; add and list
// contacts. Coordinators and admins see a case whole; viewers see its pseudonym, status,
// language and areas only (never the name, phone, Home Office reference, notes or consent).
// Every change is audited with ids only.
#include "dispatch/model/case.h"
#include "dispatch/store/case_action_store.h"
#include "dispatch/store/case_store.h"
#include "server/api/audited_change.h"
#include "server/api/handler_prelude.h"

namespace tocsin {

namespace {

bool SeesWhole(const Caller& caller) { return !(caller.token && caller.token->role == "viewer"); }

json::object ContactToJson(const CaseContact& k) {
  json::object o{{"id", k.id}, {"case_id", k.case_id}, {"role", k.role}, {"created_at", k.created_at}};
  if (k.organisation_id) o["organisation"] = *k.organisation_id;
  if (k.member_id) o["member"] = *k.member_id;
  if (k.tree) o["tree"] = *k.tree;
  return o;
}

json::object CaseToJson(const CaseRecord& c, const Caller& caller) {
  json::object o{{"id", c.id},
                 {"pseudonym", c.pseudonym},
                 {"status", c.status},
                 {"language", c.language},
                 {"areas", ToJsonArray(c.areas)},
                 {"public", c.is_public},
                 {"created_at", c.created_at},
                 {"updated_at", c.updated_at}};
  if (!SeesWhole(caller)) return o;
  o["name"] = c.name;
  o["phone"] = OptJson(c.phone);
  o["home_office_ref"] = OptJson(c.reference);
  o["notes"] = OptJson(c.notes);
  o["consent"] = json::object{{"mp", OptJson(c.consent_mp)}, {"legal", OptJson(c.consent_legal)}};
  return o;
}

// A string field that may be null (null clears: ""); nullopt when absent.
std::optional<std::string> Clearable(const JsonBody& body, std::string_view key) {
  if (!body.Has(key)) return std::nullopt;
  if (body.IsNull(key)) return std::string();
  return body.RequiredString(key);
}

// The consent object: {"mp": "YYYY-MM-DD"|null, "legal": ...}; only the keys given change.
void ReadConsent(const JsonBody& body, CaseInput& in) {
  const auto* raw = body.Raw("consent");
  if (!raw || raw->is_null()) return;
  if (!raw->is_object()) throw ApiError(ErrorCode::kInvalid, "must be an object with mp and legal dates", "consent");
  for (const auto& kv : raw->as_object()) {
    const std::string_view key = kv.key();
    const auto& value = kv.value();
    std::optional<std::string>* target = key == "mp" ? &in.consent_mp : key == "legal" ? &in.consent_legal : nullptr;
    const std::string field = "consent." + std::string(key);
    if (!target) throw ApiError(ErrorCode::kInvalid, "consent has mp and legal only", field);
    *target = value.is_null() ? std::string() : AsString(value, field);
  }
}

CaseInput ReadCaseInput(const http::Request& req, const Network& net, bool creating) {
  JsonBody body(req);
  body.AllowOnly({"pseudonym", "name", "phone", "home_office_ref", "notes", "language", "areas", "public", "consent",
                  "status"});
  CaseInput in;
  in.pseudonym = body.String("pseudonym");
  in.name = body.String("name");
  in.phone = Clearable(body, "phone");
  in.reference = Clearable(body, "home_office_ref");
  in.notes = Clearable(body, "notes");
  in.language = body.String("language");
  in.areas = body.StringList("areas");
  in.is_public = body.Bool("public");
  in.status = body.String("status");
  ReadConsent(body, in);
  return ValueOrThrow(NormaliseCaseInput(std::move(in), net.country, net.default_language, creating));
}

std::string Target(std::int64_t id) { return "case:" + std::to_string(id); }

Awaitable CreateHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto in = ReadCaseInput(ctx.req, scope.network, true);
  const CaseStore store(app.cipher);
  auto created = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return Result<CaseRecord>(store.Create(tx, scope.network.id, in)); },
        [&](const auto& r) { return AuditedAs{"cases.create", Target(r->id)}; });
  });
  co_return JsonResponse(ctx.req, status::created, CaseToJson(ValueOrThrow(std::move(created)), scope.caller));
}

Awaitable ListHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto filter = QueryParam(ctx, "status");
  if (filter && *filter != "open" && *filter != "closed") {
    throw ApiError(ErrorCode::kInvalid, "status must be open or closed", "status");
  }
  const CaseStore store(app.cipher);
  auto list = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.List(tx, scope.network.id, filter);
  });
  json::array items;
  for (const auto& k : list) items.push_back(CaseToJson(k, scope.caller));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"cases", std::move(items)}});
}

Awaitable GetHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto id = PathId(ctx, "id");
  const CaseStore store(app.cipher);
  CaseActionCounts actions;
  auto found = co_await app.db.Run([&](pqxx::connection& c) -> Result<std::pair<CaseRecord, std::vector<CaseContact>>> {
    pqxx::read_transaction tx(c);
    auto k = store.Get(tx, scope.network.id, id);
    if (!k.ok()) return k.error();
    auto contacts = store.Contacts(tx, scope.network.id, id);
    if (!contacts.ok()) return contacts.error();
    actions = CountCaseActions(tx, scope.network.id, id);
    return std::pair{std::move(k.value()), std::move(contacts.value())};
  });
  auto [k, contacts] = ValueOrThrow(std::move(found));
  auto o = CaseToJson(k, scope.caller);
  // Supporters' DONE counts: the size of support, per action and per day (counts, no people).
  json::object total;
  for (const auto& [action, n] : actions.total) total[action] = n;
  json::array by_day;
  for (const auto& d : actions.by_day) {
    json::object counts;
    for (const auto& [action, n] : d.counts) counts[action] = n;
    by_day.push_back(json::object{{"day", d.day}, {"actions", std::move(counts)}});
  }
  o["actions"] = std::move(total);
  o["actions_by_day"] = std::move(by_day);
  if (SeesWhole(scope.caller)) {
    json::array items;
    for (const auto& x : contacts) items.push_back(ContactToJson(x));
    o["contacts"] = std::move(items);
  }
  co_return JsonResponse(ctx.req, status::ok, o);
}

Awaitable PatchHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  auto in = ReadCaseInput(ctx.req, scope.network, false);
  const CaseStore store(app.cipher);
  auto changed = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return store.Update(tx, scope.network.id, id, in); },
        [&](const auto&) { return AuditedAs{"cases.update", Target(id)}; });
  });
  co_return JsonResponse(ctx.req, status::ok, CaseToJson(ValueOrThrow(std::move(changed)), scope.caller));
}

Awaitable AddContactHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  JsonBody body(ctx.req);
  body.AllowOnly({"role", "organisation", "member", "tree"});
  CaseContactInput in;
  in.role = body.RequiredString("role");
  in.organisation_id = body.Int("organisation");
  in.member_id = body.Int("member");
  in.tree = body.String("tree");
  const CaseStore store(app.cipher);
  auto added = co_await app.db.Run([&](pqxx::connection& c) {
    return CommitAudited(
        c, scope, [&](pqxx::work& tx) { return store.AddContact(tx, scope.network.id, id, in); },
        [&](const auto& r) {
          return AuditedAs{"cases.contacts.create", Target(id),
                           json::serialize(json::object{{"contact", r->id}, {"role", r->role}})};
        });
  });
  co_return JsonResponse(ctx.req, status::created, ContactToJson(ValueOrThrow(std::move(added))));
}

Awaitable ContactsHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kManageAlerts);
  auto id = PathId(ctx, "id");
  const CaseStore store(app.cipher);
  auto list = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return store.Contacts(tx, scope.network.id, id);
  });
  json::array items;
  for (const auto& k : ValueOrThrow(std::move(list))) items.push_back(ContactToJson(k));
  co_return JsonResponse(ctx.req, status::ok, json::object{{"contacts", std::move(items)}});
}

}  // namespace

void AddCaseRoutes(http::Router& router, App& app) {
  const std::string base = "/v1/networks/{slug}/cases";
  router.Add(verb::post, base, [&app](http::RequestContext& c) { return CreateHandler(app, c); });
  router.Add(verb::get, base, [&app](http::RequestContext& c) { return ListHandler(app, c); });
  router.Add(verb::get, base + "/{id}", [&app](http::RequestContext& c) { return GetHandler(app, c); });
  router.Add(verb::patch, base + "/{id}", [&app](http::RequestContext& c) { return PatchHandler(app, c); });
  router.Add(verb::post, base + "/{id}/contacts", [&app](http::RequestContext& c) { return AddContactHandler(app, c); });
  router.Add(verb::get, base + "/{id}/contacts", [&app](http::RequestContext& c) { return ContactsHandler(app, c); });
}

}  // namespace tocsin
