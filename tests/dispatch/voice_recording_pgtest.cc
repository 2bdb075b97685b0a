// Recordings through the real binary (issue 11): a network's admin uploads audio for a language
// no voice speaks (Farsi: fa.toml has tts = false); a call in that language plays it (<Play> of a
// signed URL Twilio fetches) where it was recorded and reads English where not. Every bad upload
// is refused naming the field, and changes nothing.
#include <catch2/catch.hpp>

#include <chrono>

#include "tests/support/voice_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kFarsi = "+447700900222";

}  // namespace

TEST_CASE("recordings: uploaded for a language without a voice, played on its calls at a signed URL",
          "[pg][voice][recordings]") {
  VoiceNetwork v;
  auto& net = v.net;
  auto& fake = v.fake;
  auto admin = v.Admin();
  const std::string audio = "ID3\x03" + std::string(4000, 'a');  // what an mp3 file starts with
  auto put = [&](const HttpClient& who, const std::string& path, const std::string& type, const std::string& body) {
    return who.Send("PUT", "/v1/networks/demo/recordings/" + path, body, {{"Content-Type", type}});
  };

  // Refused, each naming its field.
  struct Bad { const char* path; const char* type; std::size_t bytes; long status; const char* field; };
  for (const auto& bad : {Bad{"en/raid", "audio/mpeg", 10, 422, "language"},  // a voice speaks English
                          Bad{"xx/raid", "audio/mpeg", 10, 422, "language"},
                          Bad{"fa/song", "audio/mpeg", 10, 422, "message"},
                          Bad{"fa/raid", "text/plain", 10, 422, "Content-Type"},
                          Bad{"fa/raid", "audio/wav", 0, 422, "body"},
                          Bad{"fa/raid", "audio/wav", 2 * 1024 * 1024 + 1, 413, "body"}}) {
    auto r = put(admin, bad.path, bad.type, std::string(bad.bytes, 'x'));
    INFO(bad.path << " " << bad.type << " " << bad.bytes << " -> " << r.body);
    CHECK(r.status == bad.status);
    CHECK(r.ErrorField() == bad.field);
  }
  CHECK(put(net.c, "fa/raid", "audio/mpeg", audio).status == 403);  // a coordinator is not the admin
  CHECK(net.db.Scalar("SELECT count(*) FROM recordings") == "0");

  auto stored = put(admin, "fa/raid", "audio/mpeg", audio);
  INFO(stored.body);
  REQUIRE(stored.status == 200);
  CHECK(stored.Json().as_object().at("bytes").to_number<std::int64_t>() == static_cast<std::int64_t>(audio.size()));
  REQUIRE(put(admin, "fa/prompt", "audio/wav", "RIFF" + std::string(100, 'w')).status == 200);

  // A Farsi member called: the raid and the keys are played; the rest is read in English.
  REQUIRE(net.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
      {"audience":{"roles":["responder"],"areas":"alert"},"channel":"voice"}]})").status == 200);
  net.AddMember(std::string(R"({"phone":")") + kFarsi + R"(","areas":["SE15"],"language":"fa"})");
  fake.SetCallee(kFarsi, {.pickup = FakeCallee::Pickup::kAnswer, .digits = "1"});
  net.Raise();
  REQUIRE(fake.WaitForFinishedCalls(1, 20s));
  const auto twiml = fake.Calls()[0].twiml;
  REQUIRE(twiml.size() == 2);
  const auto base = "http://127.0.0.1:" + std::to_string(net.server->port());
  const auto raid_url = Between(twiml[0], "<Play>", "</Play>");
  CHECK(raid_url.starts_with(base + "/twilio/recordings/"));
  CHECK(raid_url.find("/fa/raid?sig=") != std::string::npos);
  CHECK(twiml[0].find("/fa/prompt?sig=") != std::string::npos);
  CHECK(twiml[0].find("Rye Lane") == std::string::npos);  // the alert line is the recording
  CHECK(twiml[0].find("We did not hear an answer") != std::string::npos);  // goodbye: not recorded
  CHECK(twiml[1].find("You are down as going") != std::string::npos);

  // What Twilio fetches: the file as uploaded; a changed signature or another message: 403.
  auto fetched = net.c.Get(raid_url.substr(base.size()));
  REQUIRE(fetched.status == 200);
  CHECK(fetched.body == audio);
  CHECK(fetched.headers["content-type"] == "audio/mpeg");
  auto path = raid_url.substr(base.size());
  auto forged = path;
  forged.back() = forged.back() == '0' ? '1' : '0';
  CHECK(net.c.Get(forged).status == 403);
  auto moved = path;
  moved.replace(moved.find("/raid?"), 6, "/prompt?");
  CHECK(net.c.Get(moved).status == 403);
  CHECK(net.c.Get(path.substr(0, path.find('?'))).status == 403);
}
