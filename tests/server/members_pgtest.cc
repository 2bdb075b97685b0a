// Members and areas over the API: normalisation, encryption at rest, filters and pages,
// patch and delete, duplicate phones, and bad inputs that change nothing.
#include <catch2/catch.hpp>

#include "tests/support/server_process.h"

using namespace tocsin::test;

namespace {

std::int64_t CreateMember(const HttpClient& c, const std::string& body) {
  auto r = c.Post("/v1/networks/demo/members", body);
  INFO(body << " -> " << r.body);
  REQUIRE(r.status == 201);
  return r.Json().as_object().at("id").as_int64();
}

}  // namespace

TEST_CASE("members: create, read, encrypt at rest, patch, delete", "[pg][members]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));

  auto r = c.Post("/v1/networks/demo/members",
                  R"({"phone":"07700 900123","name":"Amira","language":"ar","areas":["SE15","SE22"],
                      "roles":["responder","verifier"],"channels":["sms"]})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto m = r.Json().as_object();
  auto id = std::to_string(m.at("id").as_int64());
  CHECK(m.at("phone") == "+447700900123");
  CHECK(m.at("name") == "Amira");
  CHECK(m.at("status") == "active");
  CHECK(m.at("areas").as_array().size() == 2);

  // Nothing readable with psql: neither the number (in any form) nor the name.
  auto dump = db.Scalar(
      "SELECT string_agg(encode(phone_hash,'escape') || encode(phone_enc,'escape') ||"
      " coalesce(encode(name_enc,'escape'),''), '') FROM members");
  CHECK(dump.find("7700900123") == std::string::npos);
  CHECK(dump.find("Amira") == std::string::npos);
  CHECK(db.Scalar("SELECT count(*) FROM members WHERE position('7700900123' in"
                  " (SELECT string_agg(t::text, '') FROM members t)) > 0") == "0");
  CHECK(server.Log().find("7700900123") == std::string::npos);  // nor in the logs

  auto got = c.Get("/v1/networks/demo/members/" + id);
  CHECK(got.status == 200);
  CHECK(got.Json().as_object().at("phone") == "+447700900123");

  SECTION("a duplicate phone in any spelling is 409") {
    auto dup = c.Post("/v1/networks/demo/members", R"({"phone":"+44 7700 900123"})");
    CHECK(dup.status == 409);
    CHECK(dup.ErrorField() == "phone");
    CHECK(db.Scalar("SELECT count(*) FROM members") == "1");
  }
  SECTION("patch changes only what it names; null clears the name") {
    auto p = c.Patch("/v1/networks/demo/members/" + id, R"({"status":"paused","name":null})");
    INFO(p.body);
    REQUIRE(p.status == 200);
    auto pm = p.Json().as_object();
    CHECK(pm.at("status") == "paused");
    CHECK(pm.at("name").is_null());
    CHECK(pm.at("language") == "ar");
    CHECK(pm.at("phone") == "+447700900123");
    auto p2 = c.Patch("/v1/networks/demo/members/" + id, R"({"phone":"07700900999"})");
    CHECK(p2.Json().as_object().at("phone") == "+447700900999");
    auto other = CreateMember(c, R"({"phone":"+447700900555"})");
    auto clash = c.Patch("/v1/networks/demo/members/" + std::to_string(other), R"({"phone":"+447700900999"})");
    CHECK(clash.status == 409);
    CHECK(c.Patch("/v1/networks/demo/members/999999", R"({"status":"active"})").status == 404);
  }
  SECTION("bad inputs get their error and change nothing") {
    struct Case { const char* body; const char* field; long status; };
    for (auto bad : {Case{R"({"phone":"not a number"})", "phone", 422},
                     Case{R"({"phone":"+447700900777","language":"Arabic"})", "language", 422},
                     Case{R"({"phone":"+447700900777","roles":["boss"]})", "roles", 422},
                     Case{R"({"phone":"+447700900777","channels":["pigeon"]})", "channels", 422},
                     Case{R"({"phone":"+447700900777","status":"gone"})", "status", 422},
                     Case{R"({"phone":"+447700900777","areas":["SE15;DROP"]})", "areas", 422},
                     Case{R"({"phone":"+447700900777","areas":"SE15"})", "areas", 422},
                     Case{R"({"phone":"+447700900777","age":3})", "age", 422},
                     Case{R"({"name":"No Phone"})", "phone", 422},
                     Case{R"([1,2])", "body", 400},
                     Case{R"({"phone":)", "body", 400}}) {
      auto e = c.Post("/v1/networks/demo/members", bad.body);
      INFO(bad.body << " -> " << e.body);
      CHECK(e.status == bad.status);
      CHECK(e.ErrorField() == bad.field);
    }
    auto e = c.Patch("/v1/networks/demo/members/" + id, R"({"language":"x"})");
    CHECK(e.status == 422);
    CHECK(db.Scalar("SELECT count(*) FROM members") == "1");
    CHECK(c.Get("/v1/networks/demo/members/" + id).Json().as_object().at("language") == "ar");
  }
  SECTION("delete removes the member and is audited") {
    CHECK(c.Delete("/v1/networks/demo/members/" + id).status == 204);
    CHECK(c.Get("/v1/networks/demo/members/" + id).status == 404);
    CHECK(c.Delete("/v1/networks/demo/members/" + id).status == 404);
    CHECK(c.Patch("/v1/networks/demo/members/" + id, R"({"status":"active"})").status == 404);
    CHECK(c.Get("/v1/networks/demo/members/abc").status == 404);
    // What stays is an anonymous tombstone: nothing sealed, nothing that finds the number.
    CHECK(db.Scalar("SELECT count(*) FROM members WHERE status <> 'deleted'") == "0");
    CHECK(db.Scalar("SELECT count(*) FROM members WHERE name_enc IS NOT NULL OR length(phone_enc) > 0"
                    " OR cardinality(areas) > 0") == "0");
    // The read before the section is audited too; a read that finds nothing is not.
    CHECK(db.Scalar("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE action LIKE 'members.%'") ==
          "members.create,members.read,members.delete");
    CHECK(c.Get("/v1/networks/demo/members").Json().as_object().at("members").as_array().empty());
    // The same number may join again, as a new member.
    auto again = c.Post("/v1/networks/demo/members", R"({"phone":"+447700900123"})");
    CHECK(again.status == 201);
    CHECK(again.Json().as_object().at("id").as_int64() != std::stoll(id));
  }
}

TEST_CASE("members: filters and keyset pages", "[pg][members]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  for (int i = 0; i < 7; ++i) {
    std::string area = i % 2 ? "SE15" : "SE5";
    std::string role = i < 2 ? "coordinator" : "responder";
    CreateMember(c, R"({"phone":"+4477009002)" + std::to_string(10 + i) + R"(","areas":[")" + area +
                        R"("],"roles":[")" + role + R"("]})");
  }
  c.Patch("/v1/networks/demo/members/1", R"({"status":"paused"})");

  auto count = [&](const std::string& query) {
    auto r = c.Get("/v1/networks/demo/members" + query);
    INFO(query << " -> " << r.body);
    REQUIRE(r.status == 200);
    return r.Json().as_object().at("members").as_array().size();
  };
  CHECK(count("") == 7);
  CHECK(count("?area=SE15") == 3);
  CHECK(count("?role=coordinator") == 2);
  CHECK(count("?status=paused") == 1);
  CHECK(count("?area=SE5&role=responder") == 3);  // members 2, 4 and 6

  std::size_t seen = 0;
  std::string cursor;
  int pages = 0;
  do {
    auto r = c.Get("/v1/networks/demo/members?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    auto obj = r.Json().as_object();
    seen += obj.at("members").as_array().size();
    cursor = obj.at("next_cursor").is_null() ? "" : std::string(obj.at("next_cursor").as_string());
    ++pages;
  } while (!cursor.empty() && pages < 10);
  CHECK(seen == 7);
  CHECK(pages == 3);

  CHECK(c.Get("/v1/networks/demo/members?limit=0").status == 422);
  CHECK(c.Get("/v1/networks/demo/members?limit=abc").ErrorField() == "limit");
  CHECK(c.Get("/v1/networks/demo/members?status=gone").ErrorField() == "status");
}

TEST_CASE("members: ?name= finds members by a part of their name, any case; reads of others are not audited",
          "[pg][members]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  auto amira = CreateMember(c, R"({"phone":"+447700900201","name":"Amira"})");
  CreateMember(c, R"({"phone":"+447700900202","name":"Bo"})");
  auto mira = CreateMember(c, R"({"phone":"+447700900203","name":"Miranda"})");
  CreateMember(c, R"({"phone":"+447700900204"})");  // no name: never found by one

  auto r = c.Get("/v1/networks/demo/members?name=MIR");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto found = r.Json().as_object().at("members").as_array();
  REQUIRE(found.size() == 2);
  CHECK(found[0].as_object().at("id") == amira);
  CHECK(found[1].as_object().at("id") == mira);
  auto audited = db.Scalar("SELECT detail->>'ids' FROM audit_log WHERE action = 'members.read' ORDER BY id DESC LIMIT 1");
  CHECK(audited == "[" + std::to_string(amira) + ", " + std::to_string(mira) + "]");

  // Pages walk every member: a page of 1 may hold nobody, and the cursor goes on.
  auto page = c.Get("/v1/networks/demo/members?name=bo&limit=1").Json().as_object();
  CHECK(page.at("members").as_array().empty());  // Amira, not Bo
  CHECK(!page.at("next_cursor").is_null());
  CHECK(c.Get("/v1/networks/demo/members?name=zz").Json().as_object().at("members").as_array().empty());
  auto bad = c.Get("/v1/networks/demo/members?name=");
  CHECK(bad.status == 422);
  CHECK(bad.body.find("\"name\"") != std::string::npos);

  // Accented letters fold like ASCII ones: "JOSÉ" finds José.
  auto jose = CreateMember(c, R"({"phone":"+447700900205","name":"José"})");
  auto accented = c.Get("/v1/networks/demo/members?name=JOS%C3%89").Json().as_object().at("members").as_array();
  REQUIRE(accented.size() == 1);
  CHECK(accented[0].as_object().at("id") == jose);
}

TEST_CASE("areas: neighbours are kept symmetric", "[pg][areas]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  auto r = c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22","SE5"]})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto list = [&] {
    std::map<std::string, std::string> out;
    auto body = c.Get("/v1/networks/demo/areas").Json();
    for (auto& a : body.as_object().at("areas").as_array()) {
      std::string n;
      for (auto& x : a.as_object().at("neighbours").as_array()) n += std::string(x.as_string()) + ",";
      out[std::string(a.as_object().at("name").as_string())] = n;
    }
    return out;
  };
  auto areas = list();
  CHECK(areas["SE15"] == "SE22,SE5,");
  CHECK(areas["SE22"] == "SE15,");
  CHECK(areas["SE5"] == "SE15,");

  REQUIRE(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);
  areas = list();
  CHECK(areas["SE15"] == "SE22,");
  CHECK(areas["SE5"] == "");

  CHECK(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE15"]})").status == 422);
  CHECK(c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["bad;name"]})").ErrorField() == "neighbours");
  CHECK(list()["SE15"] == "SE22,");
  // A member's areas appear in the list with their member count.
  CreateMember(c, R"({"phone":"+447700900300","areas":["E1"]})");
  auto all = c.Get("/v1/networks/demo/areas").Json().as_object().at("areas").as_array();
  bool found = false;
  for (auto& a : all) {
    if (a.as_object().at("name") == "E1") found = a.as_object().at("members") == 1;
  }
  CHECK(found);
}
