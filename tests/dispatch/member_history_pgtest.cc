// What coordinators read about an alert's people: names with responses and deliveries, "who is
// going" in one request, masked phones for viewers, and a past alert that keeps its history when
// a member is deleted (issue 9, "names, not ids" and defect 6).
#include <catch2/catch.hpp>

#include "tests/support/alert_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

boost::json::array Items(const HttpResult& r, const char* key) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.Json().as_object().at(key).as_array();
}

}  // namespace

TEST_CASE("alerts: responses and deliveries name the member; ?answer=going is who is going",
          "[pg][alerts][names]") {
  AlertNetwork f;
  auto amal = f.AddMember(R"({"phone":"+447700900601","name":"Amal","areas":["SE15"]})");
  auto bo = f.AddMember(R"({"phone":"+447700900602","name":"Bo","areas":["SE15"]})");
  auto alert = f.Raise();
  auto base = "/v1/networks/demo/alerts/" + std::to_string(alert);
  f.Reply("+447700900601", "1");
  f.Reply("+447700900602", "1");
  f.Reply("+447700900602", "2");  // Bo changed their mind: not going
  Eventually([&] { return Items(f.c.Get(base + "/responses"), "responses").size() == 3; }, "three answers");

  auto going = Items(f.c.Get(base + "/responses?answer=going"), "responses");
  REQUIRE(going.size() == 1);
  CHECK(going[0].at("member_id").as_int64() == amal);
  CHECK(going[0].at("name") == "Amal");
  CHECK(going[0].at("phone") == "+447700900601");
  CHECK(going[0].at("received_at").as_string().size() == 20);
  auto cannot = Items(f.c.Get(base + "/responses?answer=cannot"), "responses");
  REQUIRE(cannot.size() == 1);
  CHECK(cannot[0].at("member_id").as_int64() == bo);
  auto bad = f.c.Get(base + "/responses?answer=maybe");
  CHECK(bad.status == 422);
  CHECK(bad.ErrorField() == "answer");

  auto deliveries = Items(f.c.Get(base + "/deliveries"), "deliveries");
  REQUIRE(deliveries.size() >= 2);
  for (const auto& d : deliveries) {
    CHECK((d.at("name") == "Amal" || d.at("name") == "Bo"));
    CHECK(d.at("phone").as_string().starts_with("+4477009006"));
  }

  // A viewer sees names, and phones masked.
  auto t = f.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"viewer"})");
  REQUIRE(t.status == 201);
  auto viewer = f.server->Client(std::string(t.Json().as_object().at("token").as_string()));
  auto seen = Items(viewer.Get(base + "/responses?answer=going"), "responses");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].at("name") == "Amal");
  CHECK(seen[0].at("phone") == "+44******0601");
  for (const auto& d : Items(viewer.Get(base + "/deliveries"), "deliveries")) {
    CHECK(d.at("phone").as_string().find("******") != std::string::npos);
  }
}

TEST_CASE("members: deleting a member who answered keeps the past alert's counts and timeline "
          "(issue 9, defect 6)", "[pg][alerts][members]") {
  AlertNetwork f;
  auto amal = f.AddMember(R"({"phone":"+447700900601","name":"Amal","areas":["SE15"]})");
  f.AddMember(R"({"phone":"+447700900602","areas":["SE15"]})");
  auto alert = f.Raise();
  auto base = "/v1/networks/demo/alerts/" + std::to_string(alert);
  f.Reply("+447700900601", "1");
  f.Reply("+447700900601", "parking on Bellenden Rd");
  Eventually([&] { return Items(f.c.Get(base + "/responses"), "responses").size() == 2; }, "two replies");
  auto counts = [&] { return f.c.Get(base).Json().as_object().at("counts").as_object(); };
  // Both messages recorded first: counts taken while one is still 'sending' would move on.
  Eventually([&] { return counts().at("delivered").as_int64() == 2; }, "both delivered");
  auto before = counts();
  CHECK(before.at("going").as_int64() == 1);
  CHECK(before.at("no_answer").as_int64() == 1);
  auto deliveries_before = Items(f.c.Get(base + "/deliveries"), "deliveries").size();

  REQUIRE(f.c.Delete("/v1/networks/demo/members/" + std::to_string(amal)).status == 204);

  CHECK(counts() == before);
  CHECK(f.c.Get(base).Json().as_object().at("recipients").as_int64() == 2);
  auto responses = Items(f.c.Get(base + "/responses"), "responses");
  REQUIRE(responses.size() == 2);
  for (const auto& r : responses) {
    CHECK(r.at("member_id").as_int64() == amal);
    CHECK(r.at("member_deleted") == true);
    CHECK(r.at("name").is_null());
    CHECK(r.at("phone").is_null());
    CHECK(r.at("text").is_null());  // what they wrote is erased with them
  }
  CHECK(responses[0].at("answer") == "going");
  CHECK(Items(f.c.Get(base + "/deliveries"), "deliveries").size() == deliveries_before);
  CHECK(Items(f.c.Get(base + "/responses?answer=going"), "responses").size() == 1);

  // Their number is theirs to bring back: as a new member, not the old one.
  auto again = f.AddMember(R"({"phone":"+447700900601","areas":["SE15"]})");
  CHECK(again != amal);
  auto next = f.Raise();
  CHECK(f.Contacted(next, again));
  CHECK_FALSE(f.Contacted(next, amal));
}
