// The hotline through the real binary (issue 11): a call into the network's number. A member
// hears their open alerts (those that reached them), newest first, each answered with 1 or 2 as on a call
// Tocsin places, the call going on to the next alert; a member with none open hears so; a
// stranger hears the network's public message and nothing of alerts or members; unsigned calls
// are refused.
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

  std::string Base() const { return "http://127.0.0.1:" + std::to_string(net.server->port()); }
  // POSTs `params` to `url` (absolute, on this server) signed as Twilio would.
  HttpResult Post(const std::string& url, const FormParams& params, bool signed_ = true) {
    return net.c.Send("POST", url.substr(Base().size()), FormUrlEncode(params),
                      {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"X-Twilio-Signature", signed_ ? TwilioSignature(AlertNetwork::kAuthToken, url, params) : "x"}});
  }
  // A call from `from` into the network's number: the TwiML it hears first.
  HttpResult Call(const std::string& from, bool signed_ = true) {
    return Post(Base() + "/twilio/voice",
                {{"CallSid", "CAin" + from.substr(8)}, {"From", from}, {"To", AlertNetwork::kNumber}}, signed_);
  }
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

  // A member no alert reached hears so (in English for Farsi, which no voice speaks); so does one
  // in the alerts' area whom their steps did not reach (not read what their policy kept from them).
  for (const char* nobody : {kElsewhere, kCoordinator}) {
    auto none = h.Call(nobody);
    REQUIRE(none.status == 200);
    CHECK(none.body.find("There is no open alert for you") != std::string::npos);
    CHECK(none.body.find("<Gather") == std::string::npos);
    CHECK(none.body.find("Rye Lane") == std::string::npos);
  }
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
