// A raise under an Idempotency-Key (one alert per key and token, for 24 hours) and the audience
// preview of a raise (nothing stored, nothing sent), over real HTTP.
#include <catch2/catch.hpp>

#include "tests/support/alert_network.h"

using namespace tocsin::test;

namespace {

const std::string kRaid = R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})";

HttpResult RaiseWithKey(const HttpClient& c, const std::string& key,
                        const std::string& body = kRaid) {
  return c.Send("POST", "/v1/networks/demo/alerts", body,
                {{"Content-Type", "application/json"}, {"Idempotency-Key", key}});
}

}  // namespace

TEST_CASE("raise: the same Idempotency-Key raises one alert", "[pg][idempotency]") {
  AlertNetwork net;
  net.AddMember(R"({"phone":"+447700900101","areas":["SE15"]})");
  net.AddMember(R"({"phone":"+447700900102","areas":["SE15"]})");

  auto first = RaiseWithKey(net.c, "tap-1");
  INFO(first.body);
  REQUIRE(first.status == 201);
  auto id = first.Json().as_object().at("id").as_int64();
  CHECK(first.headers.count("idempotent-replayed") == 0);

  auto again = RaiseWithKey(net.c, "tap-1");
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(again.headers["idempotent-replayed"] == "true");
  CHECK(net.db.Scalar("SELECT count(*) FROM alerts") == "1");
  CHECK(net.db.Scalar("SELECT count(*) FROM deliveries WHERE seq = 0") == "2");

  // The key with another alert: refused, nothing raised.
  auto other =
      RaiseWithKey(net.c, "tap-1", R"({"kind":"raid","areas":["SE15"],"location":"Elsewhere"})");
  CHECK(other.status == 422);
  CHECK(other.ErrorField() == "Idempotency-Key");
  CHECK(net.db.Scalar("SELECT count(*) FROM alerts") == "1");

  // Nothing of the key or the body is stored in clear.
  CHECK(net.db.Scalar("SELECT count(*) FROM raise_idempotency WHERE position(convert_to('tap-1', "
                      "'UTF8') IN key_hash) > 0"
                      " OR response LIKE '%Rye Lane%'") == "0");

  // Keys are per token: another token's same key is its own.
  auto second_token =
      net.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"coordinator"})");
  auto c2 = net.c.WithToken(std::string(second_token.Json().as_object().at("token").as_string()));
  auto theirs = RaiseWithKey(c2, "tap-1");
  CHECK(theirs.status == 201);
  CHECK(theirs.Json().as_object().at("id").as_int64() != id);

  // A key 24 hours old is free again.
  net.db.Scalar(
      "UPDATE raise_idempotency SET created_at = now() - interval '25 hours' RETURNING 1");
  auto later = RaiseWithKey(net.c, "tap-1");
  CHECK(later.status == 201);
  CHECK(later.headers.count("idempotent-replayed") == 0);
  CHECK(net.db.Scalar("SELECT count(*) FROM alerts") == "3");

  // A bad key, or a bad body with a key, changes nothing.
  CHECK(RaiseWithKey(net.c, "has space").ErrorField() == "Idempotency-Key");
  CHECK(RaiseWithKey(net.c, std::string(201, 'k')).status == 422);
  auto bad_body =
      RaiseWithKey(net.c, "tap-2", R"({"kind":"party","areas":["SE15"],"location":"x"})");
  CHECK(bad_body.ErrorField() == "kind");
  CHECK(RaiseWithKey(net.c, "tap-2").status == 201);  // the failed raise did not take the key
  CHECK(net.db.Scalar("SELECT count(*) FROM alerts") == "4");
}

TEST_CASE("raise: the preview counts the audience and stores nothing", "[pg][preview]") {
  AlertNetwork net;
  for (auto phone : {"+447700900101", "+447700900102", "+447700900103"}) {
    net.AddMember(std::string(R"({"phone":")") + phone + R"(","areas":["SE15"]})");
  }
  net.AddMember(R"({"phone":"+447700900104","areas":["SE15","SE5"]})");
  net.AddMember(R"({"phone":"+447700900105","areas":["SE22"]})");
  net.AddMember(R"({"phone":"+447700900106","areas":["SE22"]})");
  net.AddMember(R"({"phone":"+447700900107","areas":["SE15"],"roles":["coordinator"]})");
  net.AddMember(R"({"phone":"+447700900108","areas":["SE15"],"status":"paused"})");
  REQUIRE(net.c.Put("/v1/networks/demo/areas/SE15", R"({"neighbours":["SE22"]})").status == 200);

  auto p = net.c.Post("/v1/networks/demo/alerts/preview",
                      R"({"kind":"raid","areas":["SE15","SE5"],"location":"x"})");
  INFO(p.body);
  REQUIRE(p.status == 200);
  auto o = p.Json().as_object();
  CHECK(o.at("recipients").as_int64() ==
        4);  // the raid policy's first step: responders of the areas
  CHECK(o.at("by_area").as_object().at("SE15").as_int64() == 4);
  CHECK(o.at("by_area").as_object().at("SE5").as_int64() == 1);
  CHECK(o.at("neighbours").as_int64() == 2);  // what including SE22 would add
  CHECK(o.at("neighbours_included").as_bool() == false);

  auto with = net.c.Post(
      "/v1/networks/demo/alerts/preview",
      R"({"kind":"raid","areas":["SE15"],"location":"x","audience":{"include_neighbours":true}})");
  auto w = with.Json().as_object();
  CHECK(w.at("recipients").as_int64() == 6);
  CHECK(w.at("neighbours").as_int64() == 2);
  CHECK(w.at("neighbours_included").as_bool() == true);

  auto roles = net.c.Post(
      "/v1/networks/demo/alerts/preview",
      R"({"kind":"raid","areas":["SE15"],"location":"x","audience":{"roles":["coordinator"]}})");
  CHECK(roles.Json().as_object().at("recipients").as_int64() == 1);

  auto bad = net.c.Post("/v1/networks/demo/alerts/preview",
                        R"({"kind":"raid","areas":[],"location":"x"})");
  CHECK(bad.status == 422);
  CHECK(bad.ErrorField() == "areas");

  // The raise itself reaches what the preview said.
  auto raised = net.c.Post("/v1/networks/demo/alerts",
                           R"({"kind":"raid","areas":["SE15","SE5"],"location":"x"})");
  CHECK(raised.Json().as_object().at("recipients").as_int64() == 4);
  CHECK(net.db.Scalar("SELECT count(*) FROM alerts") == "1");  // the previews stored nothing
}
