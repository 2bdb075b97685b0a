// Organisations and their webhook endpoints through the API: validation naming fields, roles,
// secrets shown once and sealed at rest, rotation, the URL rules, audit.
#include <catch2/catch.hpp>

#include "tests/support/alert_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kOrgs = "/v1/networks/demo/organisations";
constexpr const char* kPublicOnly = "[webhooks]\nallow_http = true\nallow_private_targets = false\n";

std::int64_t CreateOrg(AlertNetwork& n, const std::string& json) {
  auto r = n.c.Post(kOrgs, json);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("id").as_int64();
}

std::string Webhooks(std::int64_t org) { return std::string(kOrgs) + "/" + std::to_string(org) + "/webhooks"; }

}  // namespace

TEST_CASE("Organisations: create, read, patch, delete; errors name the field", "[pg][organisations]") {
  AlertNetwork n;
  auto r = n.c.Post(kOrgs, R"({"name":"Hackney Law Centre","slug":"hackney-law","kinds":["removal","detention"],"areas":["E8"]})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto o = r.Json().as_object();
  auto id = o.at("id").as_int64();
  CHECK(o.at("kinds").as_array().size() == 2);
  CHECK(o.at("kinds").as_array()[0].as_string() == "detention");  // canonical order
  CHECK(o.at("language").as_string() == "en");                      // the network's default

  CHECK(n.c.Post(kOrgs, R"({"name":"Again","slug":"hackney-law"})").ErrorField() == "slug");
  CHECK(n.c.Post(kOrgs, R"({"name":"X","slug":"Bad Slug"})").ErrorField() == "slug");
  CHECK(n.c.Post(kOrgs, R"({"slug":"no-name"})").ErrorField() == "name");
  CHECK(n.c.Post(kOrgs, R"({"name":"X","slug":"x-1","kinds":["flood"]})").ErrorField() == "kinds");
  CHECK(n.c.Post(kOrgs, R"({"name":"X","slug":"x-1","kinds":[]})").ErrorField() == "kinds");
  CHECK(n.c.Post(kOrgs, R"({"name":"X","slug":"x-1","colour":"red"})").status == 422);
  CHECK(n.db.Scalar("SELECT count(*) FROM organisations") == "1");  // nothing half-written

  auto path = std::string(kOrgs) + "/" + std::to_string(id);
  auto patched = n.c.Patch(path, R"({"areas":null,"name":"Hackney Law"})");
  INFO(patched.body);
  REQUIRE(patched.status == 200);
  CHECK(patched.Json().as_object().at("areas").is_null());
  CHECK(patched.Json().as_object().at("name").as_string() == "Hackney Law");
  CHECK(patched.Json().as_object().at("kinds").as_array().size() == 2);  // untouched
  CHECK(n.c.Patch(path, R"({"language":"Klingon!"})").ErrorField() == "language");
  CHECK(n.c.Get(path).Json().as_object().at("name").as_string() == "Hackney Law");
  CHECK(n.c.Get(kOrgs).Json().as_object().at("organisations").as_array().size() == 1);

  CHECK(n.c.Delete(path).status == 204);
  CHECK(n.c.Get(path).status == 404);
  CHECK(n.db.Scalar("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE action LIKE 'organisations.%'") ==
        "organisations.create,organisations.update,organisations.delete");
}

TEST_CASE("Organisations: viewers read, only admins and coordinators manage", "[pg][organisations]") {
  AlertNetwork n;
  auto id = CreateOrg(n, R"({"name":"Bail Circle","slug":"bail-circle"})");
  auto t = n.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"viewer"})");
  REQUIRE(t.status == 201);
  auto viewer = n.server->Client(std::string(t.Json().as_object().at("token").as_string()));
  CHECK(viewer.Get(kOrgs).status == 200);
  CHECK(viewer.Get(Webhooks(id)).status == 200);
  CHECK(viewer.Post(kOrgs, R"({"name":"X","slug":"x-2"})").status == 403);
  CHECK(viewer.Post(Webhooks(id), R"({"url":"https://example.org/h","events":["alert.raised"]})").status == 403);
  CHECK(viewer.Delete(std::string(kOrgs) + "/" + std::to_string(id)).status == 403);
  // Another network's organisation is not there at all.
  auto other = n.server->Client(CreateNetworkWithToken(*n.server, "other", "coordinator", "+447700900002"));
  CHECK(other.Get("/v1/networks/other/organisations/" + std::to_string(id)).status == 404);
  CHECK(other.Get("/v1/networks/demo/organisations").status == 404);
}

TEST_CASE("Webhooks: the secret is shown once and sealed; rotation keeps the old one for 24 h",
          "[pg][organisations][webhooks]") {
  AlertNetwork n;
  auto org = CreateOrg(n, R"({"name":"Legal","slug":"legal"})");
  auto r = n.c.Post(Webhooks(org), R"({"url":"https://partner.example.org/hooks?token=abc","events":["alert.raised","alert.resolved"]})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto w = r.Json().as_object();
  auto secret = std::string(w.at("secret").as_string());
  CHECK(secret.rfind("whsec_", 0) == 0);
  auto wid = w.at("id").as_int64();

  // Never again in clear: not in the listing, not in the database, not in the log.
  auto list = n.c.Get(Webhooks(org));
  CHECK(list.body.find(secret) == std::string::npos);
  CHECK(list.Json().as_object().at("webhooks").as_array()[0].as_object().at("url").as_string() ==
        "https://partner.example.org/hooks?token=abc");
  CHECK(n.db.Scalar("SELECT count(*) FROM webhook_endpoints WHERE position('whsec_'::bytea in secret_enc) > 0"
                    " OR position('partner'::bytea in url_enc) > 0") == "0");
  CHECK(n.server->Log().find(secret) == std::string::npos);

  auto rotated = n.c.Post(Webhooks(org) + "/" + std::to_string(wid) + "/rotate", "");
  INFO(rotated.body);
  REQUIRE(rotated.status == 200);
  auto fresh = std::string(rotated.Json().as_object().at("secret").as_string());
  CHECK(fresh != secret);
  CHECK(rotated.Json().as_object().at("previous_secret_until").is_string());
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE action IN ('webhooks.create', 'webhooks.rotate')") == "2");
  CHECK(n.db.Scalar("SELECT count(*) FROM audit_log WHERE detail::text LIKE '%partner%'") == "0");

  CHECK(n.c.Delete(Webhooks(org) + "/" + std::to_string(wid)).status == 204);
  CHECK(n.c.Get(Webhooks(org)).Json().as_object().at("webhooks").as_array().empty());
}

TEST_CASE("Webhooks: URL and events are checked, naming the field", "[pg][organisations][webhooks]") {
  AlertNetwork n(kPublicOnly);
  auto org = CreateOrg(n, R"({"name":"Legal","slug":"legal"})");
  auto post = [&](const std::string& body) { return n.c.Post(Webhooks(org), body); };
  CHECK(post(R"({"url":"ftp://example.org/x","events":["alert.raised"]})").ErrorField() == "url");
  CHECK(post(R"({"url":"not a url","events":["alert.raised"]})").ErrorField() == "url");
  CHECK(post(R"({"url":"https://user:pw@example.org/x","events":["alert.raised"]})").ErrorField() == "url");
  CHECK(post(R"({"events":["alert.raised"]})").ErrorField() == "url");
  CHECK(post(R"({"url":"https://example.org/x","events":["alert.exploded"]})").ErrorField() == "events");
  CHECK(post(R"({"url":"https://example.org/x","events":[]})").ErrorField() == "events");
  // Private address literals are refused when private targets are not allowed.
  CHECK(post(R"({"url":"http://127.0.0.1:9/x","events":["alert.raised"]})").ErrorField() == "url");
  CHECK(post(R"({"url":"https://10.1.2.3/x","events":["alert.raised"]})").ErrorField() == "url");
  CHECK(post(R"({"url":"https://169.254.169.254/latest","events":["alert.raised"]})").ErrorField() == "url");
  CHECK(post(R"({"url":"https://[::1]/x","events":["alert.raised"]})").ErrorField() == "url");
  CHECK(post(R"({"url":"https://0x7f.1/x","events":["alert.raised"]})").ErrorField() == "url");
  CHECK(n.db.Scalar("SELECT count(*) FROM webhook_endpoints") == "0");
  CHECK(post(R"({"url":"https://203.0.113.7/x","events":["alert.raised"]})").status == 422);  // documentation range
  CHECK(post(R"({"url":"https://example.org/x","events":["alert.raised"]})").status == 201);
  CHECK(n.c.Post(std::string(kOrgs) + "/999/webhooks", R"({"url":"https://example.org/x","events":["alert.raised"]})")
            .status == 404);
}

TEST_CASE("Webhooks: https is required unless webhooks.allow_http", "[pg][organisations][webhooks]") {
  AlertNetwork n;
  auto org = CreateOrg(n, R"({"name":"Legal","slug":"legal"})");
  auto r = n.c.Post(Webhooks(org), R"({"url":"http://example.org/x","events":["alert.raised"]})");
  CHECK(r.ErrorField() == "url");
  CHECK(r.body.find("https") != std::string::npos);
}
