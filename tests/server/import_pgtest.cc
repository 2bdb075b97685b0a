// CSV import: good rows stored, bad rows reported by line, existing members updated.
#include <catch2/catch.hpp>

#include "tests/support/server_process.h"

using namespace tocsin::test;

TEST_CASE("members import: a mix of good and bad lines", "[pg][import]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  REQUIRE(c.Post("/v1/networks/demo/members", R"({"phone":"+447700900400","language":"en"})").status == 201);

  std::string csv =
      "phone,name,language,areas,roles,channels\r\n"
      "07700 900401,Ali,fa,SE15;SE22,responder,sms\r\n"          // line 2: good
      "not-a-phone,Bad,en,SE15,responder,sms\r\n"                // line 3: bad phone
      "\"+44 7700 900402\",\"Dupont, Marie\",fr,SE5,responder;verifier,sms\r\n"  // line 4: good
      "+447700900403,X,en,SE15,wizard,sms\r\n"                   // line 5: bad role
      "+447700900400,,ar,,,\r\n"                                 // line 6: updates existing
      "07700900401,Again,en,,,\r\n"                              // line 7: same as line 2
      "\"+447700900404\",\"Two\nLines\",en,SE15,responder,sms\r\n"  // line 8: a name with a line break
      "+447700900405,,en,SE15,responder,fax\r\n"              // line 10: bad channel
      ;
  auto r = c.Post("/v1/networks/demo/members/import", csv, "text/csv");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto obj = r.Json().as_object();
  CHECK(obj.at("created") == 2);
  CHECK(obj.at("updated") == 1);
  std::map<std::int64_t, std::string> errors;
  for (auto& e : obj.at("errors").as_array()) {
    errors[e.as_object().at("line").as_int64()] = std::string(e.as_object().at("message").as_string());
  }
  CHECK(errors.count(3));
  CHECK(errors[3].find("phone") != std::string::npos);
  CHECK(errors.count(5));
  CHECK(errors[5].find("roles") != std::string::npos);
  CHECK(errors.count(7));
  CHECK(errors[7].find("line 2") != std::string::npos);
  CHECK(errors.count(10));
  CHECK(errors[10].find("channels") != std::string::npos);
  CHECK(errors.count(8));  // the quoted line break parses, but a name may not hold one
  CHECK(errors.size() == 5);  // line 10 is numbered past the quoted line break
  CHECK(!errors.count(2));
  CHECK(!errors.count(4));

  CHECK(db.Scalar("SELECT count(*) FROM members") == "3");
  auto list = c.Get("/v1/networks/demo/members?area=SE5").Json().as_object().at("members").as_array();
  REQUIRE(list.size() == 1);
  CHECK(list[0].as_object().at("name") == "Dupont, Marie");
  CHECK(list[0].as_object().at("roles").as_array().size() == 2);
  // The existing member got the new language and kept the rest.
  auto all = c.Get("/v1/networks/demo/members").Json().as_object().at("members").as_array();
  for (auto& m : all) {
    if (m.as_object().at("phone") == "+447700900400") CHECK(m.as_object().at("language") == "ar");
  }

  SECTION("importing the same file again creates nothing new") {
    auto again = c.Post("/v1/networks/demo/members/import", csv, "text/csv");
    CHECK(again.Json().as_object().at("created") == 0);
    CHECK(db.Scalar("SELECT count(*) FROM members") == "3");
  }
  SECTION("structural problems reject the whole file and store nothing") {
    auto before = db.Scalar("SELECT count(*) FROM members");
    auto bad_header = c.Post("/v1/networks/demo/members/import", "telephone,name\n+447700900500,A\n", "text/csv");
    CHECK(bad_header.status == 422);
    CHECK(bad_header.body.find("telephone") != std::string::npos);
    auto open_quote = c.Post("/v1/networks/demo/members/import", "phone,name\n+447700900501,\"Unclosed\n", "text/csv");
    CHECK(open_quote.status == 422);
    CHECK(c.Post("/v1/networks/demo/members/import", "phone\n+447700900502\n", "application/json").status == 422);
    CHECK(db.Scalar("SELECT count(*) FROM members") == before);
  }
}

TEST_CASE("members import: a large file is stored in one transaction", "[pg][import]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  std::string csv = "phone,areas\n";
  for (int i = 0; i < 1200; ++i) csv += "+4477009" + std::to_string(10000 + i) + ",SE15\n";
  auto r = c.Post("/v1/networks/demo/members/import", csv, "text/csv");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.Json().as_object().at("created") == 1200);
  CHECK(db.Scalar("SELECT count(*) FROM members") == "1200");
  CHECK(db.Scalar("SELECT count(*) FROM audit_log WHERE action = 'members.import'") == "1");
}

TEST_CASE("members import: a failure part-way stores nothing (issue 9, defect 11)", "[pg][import]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  auto c = server.Client(CreateNetworkWithToken(server, "demo"));
  // The database refuses the one French speaker, who comes after a thousand good rows.
  db.Scalar("CREATE FUNCTION refuse_fr() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'refused for the test'; END $$");
  db.Scalar("CREATE TRIGGER refuse_fr BEFORE INSERT ON members FOR EACH ROW"
            " WHEN (NEW.language = 'fr') EXECUTE FUNCTION refuse_fr()");
  std::string csv = "phone,areas,language\n";
  for (int i = 0; i < 1000; ++i) csv += "+4477009" + std::to_string(10000 + i) + ",SE15,en\n";
  csv += "+447700920000,SE15,fr\n";
  auto r = c.Post("/v1/networks/demo/members/import", csv, "text/csv");
  INFO(r.body);
  CHECK(r.status >= 500);
  CHECK(db.Scalar("SELECT count(*) FROM members") == "0");
  CHECK(db.Scalar("SELECT count(*) FROM audit_log WHERE action = 'members.import'") == "0");
}
