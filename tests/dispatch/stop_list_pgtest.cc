// A member's STOP survives their deletion (issue 15): the network's stop list keeps the number's
// keyed hash until the number's own START, through the real binary.
#include <catch2/catch.hpp>

#include "tests/support/alert_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

struct Fixture : AlertNetwork {
  // Posts a member; the answer as it is (AddMember wants 201 and returns only the id).
  HttpResult AddMember(const std::string& phone) {
    return c.Post("/v1/networks/demo/members", R"({"phone":")" + phone + R"(","areas":["SE15"]})");
  }
  HttpResult Sms(const std::string& from, const std::string& body) { return Reply(from, body); }
  std::string Status(std::int64_t id) {
    return db.Scalar("SELECT status FROM members WHERE id = " + std::to_string(id));
  }
};

std::int64_t IdOf(const HttpResult& r) { return r.Json().as_object().at("id").as_int64(); }

}  // namespace

TEST_CASE("stop list: STOP outlives deletion; only START ends it", "[pg][stoplist]") {
  Fixture f;
  auto first = f.AddMember("+447700900401");
  REQUIRE(first.status == 201);
  REQUIRE(f.Sms("+447700900401", "STOP").status == 200);
  REQUIRE(f.Status(IdOf(first)) == "opted_out");
  REQUIRE(f.c.Delete("/v1/networks/demo/members/" + std::to_string(IdOf(first))).status == 204);

  // Added again, in another spelling: opted out, and a coordinator cannot make them active.
  auto again = f.AddMember("07700900401");
  REQUIRE(again.status == 201);
  CHECK(again.Json().as_object().at("status") == "opted_out");
  auto forced = f.c.Patch("/v1/networks/demo/members/" + std::to_string(IdOf(again)), R"({"status":"active"})");
  CHECK(forced.status == 409);
  CHECK(forced.ErrorField() == "status");
  CHECK(f.Status(IdOf(again)) == "opted_out");

  SECTION("a CSV import counts it and says why") {
    REQUIRE(f.c.Delete("/v1/networks/demo/members/" + std::to_string(IdOf(again))).status == 204);
    auto import = f.c.Post("/v1/networks/demo/members/import", "phone,areas\n+447700900402,SE15\n+447700900401,SE15\n",
                           "text/csv");
    REQUIRE(import.status == 200);
    auto o = import.Json().as_object();
    CHECK(o.at("created") == 2);
    CHECK(o.at("opted_out") == 1);
    REQUIRE(o.at("notes").as_array().size() == 1);
    CHECK(o.at("notes").as_array()[0].as_object().at("line") == 3);
    CHECK(f.db.Scalar("SELECT string_agg(status, ',' ORDER BY id) FROM members WHERE status <> 'deleted'") ==
          "active,opted_out");
  }
  SECTION("the number's START opts it back in and empties the list") {
    REQUIRE(f.Sms("+447700900401", "START").status == 200);
    CHECK(f.Status(IdOf(again)) == "active");
    CHECK(f.db.Scalar("SELECT count(*) FROM stopped_numbers") == "0");
    REQUIRE(f.c.Delete("/v1/networks/demo/members/" + std::to_string(IdOf(again))).status == 204);
    auto third = f.AddMember("+447700900401");
    CHECK(third.Json().as_object().at("status") == "active");
  }
  SECTION("a STOP from a number that is no member's counts too, and its reply says nothing") {
    auto stranger = f.Sms("+447700900777", "STOP");
    REQUIRE(stranger.status == 200);
    CHECK(stranger.body.find("<Message>") == std::string::npos);
    CHECK(f.AddMember("+447700900777").Json().as_object().at("status") == "opted_out");
    CHECK(f.db.Scalar("SELECT count(*) FROM stopped_numbers") == "2");
  }
  SECTION("the table holds no number in clear") {
    CHECK(f.db.Scalar("SELECT count(*) FROM stopped_numbers") == "1");
    for (auto digits : {"447700900401", "7700900401", "07700900401"}) {
      CHECK(f.db.Scalar(std::string("SELECT count(*) FROM stopped_numbers WHERE position(convert_to('") + digits +
                        "', 'UTF8') in phone_hash || phone_enc) > 0") == "0");
    }
    CHECK(f.db.Scalar("SELECT string_agg(data_type, ',' ORDER BY column_name) FROM information_schema.columns"
                      " WHERE table_name = 'stopped_numbers'") == "bigint,bigint,bytea,bytea,timestamp with time zone");
  }
}
