// The hotline through the real binary (issue 11): a call into the network's number. A member
// hears the open alerts of their areas (and any other that reached them), newest first, each
// answered with 1 or 2 as on a call Tocsin places, the call going on to the next alert; an answer
// to an alert that never reached them is recorded with a delivery of their call-in and counts as
// any other; alerts being verified or held for approval are never read; a member with none open
// hears so; a stranger hears the network's public message and nothing of alerts or members;
// unsigned calls are refused.
#include <catch2/catch.hpp>

#include "dispatch/channels/twilio_signature.h"
#include "tests/support/voice_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kMember = "+447700900111";
constexpr const char* kElsewhere = "+447700900222";  // a member in another area
constexpr const char* kStranger = "+447700900999";
constexpr const char* kCoordinator = "+447700900333";

// On the fake Twilio, though no call is placed: a hotline call comes from Twilio.
struct Hotline : VoiceNetwork {
  HttpResult Post(const std::string& url, const FormParams& params, bool signed_ = true) {
    return PostSigned(url, params, signed_);
  }
  HttpResult Call(const std::string& from, bool signed_ = true) { return CallIn(from, signed_); }
  std::string Answer(std::string_view member) {
    return net.db.Scalar("SELECT string_agg(a.code || '=' || r.answer, ',' ORDER BY a.id) FROM responses r"
                         " JOIN alerts a ON a.id = r.alert_id JOIN members m ON m.id = r.member_id"
                         " WHERE m.id = " + std::string(member));
  }
};

}  // namespace

TEST_CASE("hotline: a member hears their open alerts, newest first, and answers each with a key",
          "[pg][voice][hotline]") {
  Hotline h;
  auto member = std::to_string(h.net.AddMember(std::string(R"({"phone":")") + kMember + R"(","areas":["SE15"]})"));
  h.net.AddMember(std::string(R"({"phone":")") + kElsewhere + R"(","areas":["N1"],"language":"fa"})");
  // In the area, but a coordinator: the alerts' first steps (responders) do not reach them.
  h.net.AddMember(std::string(R"({"phone":")") + kCoordinator + R"(","areas":["SE15"],"roles":["coordinator"]})");
  auto first = h.net.Raise(R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  auto second = h.net.Raise(R"({"kind":"detention","areas":["SE15"],"location":"Peckham police station"})");
  const auto code = [&](std::int64_t alert) {
    return h.net.db.Scalar("SELECT code FROM alerts WHERE id = " + std::to_string(alert));
  };

  auto call = h.Call(kMember);
  REQUIRE(call.status == 200);
  // The newest alert first, with the keys; silence or an answer goes on to the older one.
  CHECK(call.body.find("Peckham police station") != std::string::npos);
  CHECK(call.body.find("Rye Lane") == std::string::npos);
  CHECK(call.body.find("Press 1 if you can go") != std::string::npos);
  const auto action = Between(call.body, "action=\"", "\"");
  const auto next = Between(call.body, "<Redirect method=\"POST\">", "</Redirect>");
  REQUIRE(action.starts_with(h.Base() + "/twilio/voice/"));
  REQUIRE(next.starts_with(h.Base() + "/twilio/voice/"));
  CHECK(call.body.find("Goodbye") == std::string::npos);  // not the last alert: no goodbye

  auto going = h.Post(action, {{"CallSid", "CAin1"}, {"Digits", "1"}});
  REQUIRE(going.status == 200);
  CHECK(going.body.find("You are down as going") != std::string::npos);
  CHECK(Between(going.body, "<Redirect method=\"POST\">", "</Redirect>") == next);

  auto older = h.Post(next, {{"CallSid", "CAin1"}});
  REQUIRE(older.status == 200);
  CHECK(older.body.find("Rye Lane") != std::string::npos);
  CHECK(older.body.find("<Redirect") == std::string::npos);  // the last one
  CHECK(older.body.find("Goodbye") != std::string::npos);
  auto cannot = h.Post(Between(older.body, "action=\"", "\""), {{"CallSid", "CAin1"}, {"Digits", "2"}});
  REQUIRE(cannot.status == 200);
  CHECK(cannot.body.find("cannot go") != std::string::npos);

  // Both answers recorded, each to its alert (one call answers two alerts).
  const std::string want = code(first) + "=cannot," + code(second) + "=going";
  Eventually([&] { return h.Answer(member) == want; }, "both answers recorded");

  // A member of another area hears so (in English for Farsi, which no voice speaks).
  auto none = h.Call(kElsewhere);
  REQUIRE(none.status == 200);
  CHECK(none.body.find("There is no open alert for you") != std::string::npos);
  CHECK(none.body.find("<Gather") == std::string::npos);  // not a reporter: nothing to press
  CHECK(none.body.find("Rye Lane") == std::string::npos);
}

TEST_CASE("hotline: a member hears the alerts of their areas that never reached them; their answer counts",
          "[pg][voice][hotline]") {
  Hotline h;
  // In the area, but a coordinator: the alert's first step (responders) does not reach them.
  auto coordinator =
      h.net.AddMember(std::string(R"({"phone":")") + kCoordinator + R"(","areas":["SE15"],"roles":["coordinator"]})");
  h.net.AddMember(std::string(R"({"phone":")") + kMember + R"(","areas":["SE15"]})");  // a responder
  auto alert = h.net.Raise(R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  const auto alert_id = std::to_string(alert);
  const auto member = std::to_string(coordinator);
  CHECK(h.net.db.Scalar("SELECT count(*) FROM deliveries WHERE alert_id = " + alert_id +
                        " AND member_id = " + member) == "0");
  // Held for a second coordinator's approval: never read out (nor a verifying alert: status open only).
  auto admin = h.Admin();
  REQUIRE(admin.Patch("/v1/networks/demo", R"({"approval":{"min_recipients":1}})").status == 200);
  auto held = h.net.c.Post("/v1/networks/demo/alerts", R"({"kind":"detention","areas":["SE15"],"location":"Held place"})");
  INFO(held.body);
  REQUIRE(held.status / 100 == 2);
  CHECK(held.Json().as_object().at("status") == "pending_approval");

  auto call = h.Call(kCoordinator);
  REQUIRE(call.status == 200);
  CHECK(call.body.find("Rye Lane") != std::string::npos);
  CHECK(call.body.find("Held place") == std::string::npos);
  const auto action = Between(call.body, "action=\"", "\"");
  REQUIRE(action.starts_with(h.Base() + "/twilio/voice/"));
  auto going = h.Post(action, {{"CallSid", "CAin2"}, {"Digits", "1"}});
  REQUIRE(going.status == 200);
  CHECK(going.body.find("You are down as going") != std::string::npos);

  // Recorded with a delivery of the call-in (voice, delivered, marked hotline), counted as any answer.
  const auto code = h.net.db.Scalar("SELECT code FROM alerts WHERE id = " + alert_id);
  Eventually([&] { return h.Answer(member) == code + "=going"; }, "the call-in answer recorded");
  CHECK(h.net.db.Scalar("SELECT channel || ':' || state || ':' || hotline FROM deliveries WHERE alert_id = " +
                        alert_id + " AND member_id = " + member + " AND seq = 0") == "voice:delivered:true");
  CHECK(h.net.c.Get("/v1/networks/demo/alerts/" + alert_id + "/deliveries").body.find("\"sender\":\"hotline\"") !=
        std::string::npos);
  auto shown = h.net.c.Get("/v1/networks/demo/alerts/" + alert_id);
  INFO(shown.body);
  REQUIRE(shown.status == 200);
  CHECK(shown.body.find("\"going\":1") != std::string::npos);
  // The same key again (Twilio retries a webhook): still one delivery, one going.
  REQUIRE(h.Post(action, {{"CallSid", "CAin2"}, {"Digits", "1"}}).status == 200);
  Eventually([&] {
    return h.net.db.Scalar("SELECT count(*) FROM deliveries WHERE alert_id = " + alert_id + " AND member_id = " + member) == "1";
  }, "one delivery");
}

TEST_CASE("hotline: a stranger hears the network's public message and nothing of alerts; unsigned is 403",
          "[pg][voice][hotline]") {
  Hotline h;
  h.net.AddMember(std::string(R"({"phone":")") + kMember + R"(","areas":["SE15"]})");
  h.net.Raise(R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  auto stranger = h.Call(kStranger);
  REQUIRE(stranger.status == 200);
  CHECK(stranger.body.find("You have reached") != std::string::npos);  // the template's, with the name
  CHECK(stranger.body.find("<Gather") == std::string::npos);
  CHECK(stranger.body.find("Rye Lane") == std::string::npos);
  CHECK(stranger.body.find("RAID") == std::string::npos);

  // The network's own message (its admin sets it), read as it is.
  auto admin = h.Admin();
  auto set = admin.Patch("/v1/networks/demo", R"({"voice_message":"Peckham Solidarity. Text HELP to this number."})");
  INFO(set.body);
  REQUIRE(set.status == 200);
  CHECK(set.Json().as_object().at("voice_message") == "Peckham Solidarity. Text HELP to this number.");
  auto told = h.Call(kStranger);
  CHECK(told.body.find("Peckham Solidarity. Text HELP to this number.") != std::string::npos);
  CHECK(told.body.find("Rye Lane") == std::string::npos);
  auto too_long = admin.Patch("/v1/networks/demo", R"({"voice_message":")" + std::string(501, 'a') + R"("})");
  CHECK(too_long.status == 422);
  CHECK(too_long.ErrorField() == "voice_message");

  // Unsigned (or badly signed): refused, nothing said.
  auto unsigned_call = h.Call(kMember, false);
  CHECK(unsigned_call.status == 403);
  CHECK(unsigned_call.body.find("Rye Lane") == std::string::npos);
}
