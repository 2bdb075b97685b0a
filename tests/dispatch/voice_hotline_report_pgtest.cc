// The hotline's "press 5 to report what you see" through the real binary (issue 11): the
// caller's recorded message becomes a report by the rules of an SMS report (who may report, the
// stranger's rate limit, the area from the member's first area, else a coordinator names it),
// the <Record> action is signature-checked, and a coordinator hears the recording through Tocsin
// (fetched from the fake Twilio with the account's credentials, faults included), never needing
// Twilio's. The caller's number is never in the logs nor in clear in the database.
#include <catch2/catch.hpp>

#include "dispatch/channels/twilio_signature.h"
#include "tests/support/eventually.h"
#include "tests/support/voice_network.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

constexpr const char* kReporter = "+447700900111";
constexpr const char* kStranger = "+447700900999";
constexpr const char* kRecording = "RE0123456789abcdef0123456789abcdef";
constexpr const char* kOther = "RE00000000000000000000000000000002";

struct HotlineReport : VoiceNetwork {
  HttpResult Post(const std::string& url, const FormParams& params, bool signed_ = true) {
    return PostSigned(url, params, signed_);
  }
  HttpResult Call(const std::string& from) { return CallIn(from); }
  // Calls in, presses 5, records `recording`: the TwiML of each step.
  struct Steps {
    HttpResult call, record, taken;
  };
  Steps Report(const std::string& from, const std::string& recording) {
    Steps s;
    s.call = Call(from);
    const auto action = Between(s.call.body, "action=\"", "\"");
    REQUIRE(action.starts_with(Base() + "/twilio/voice/"));
    s.record = Post(action, {{"CallSid", "CAin9"}, {"Digits", "5"}, {"From", from}, {"To", AlertNetwork::kNumber}});
    const auto report_url = Between(s.record.body, "<Record action=\"", "\"");
    REQUIRE(report_url.ends_with("/report"));
    s.taken = Post(report_url, {{"CallSid", "CAin9"}, {"RecordingSid", recording}, {"RecordingDuration", "12"},
                                {"RecordingUrl", "https://api.twilio.com/recordings/" + recording},
                                {"From", from}, {"To", AlertNetwork::kNumber}});
    return s;
  }
  boost::json::object Shown(std::int64_t id) { return net.c.Get("/v1/networks/demo/reports/" + std::to_string(id)).Json().as_object(); }
  std::int64_t NewestReport() { return std::stoll(Scalar("SELECT coalesce(max(id), 0) FROM reports")); }
};

}  // namespace

TEST_CASE("hotline: a reporter presses 5 and records what they see: a report of their area, verified as any other",
          "[pg][voice][hotline][reports]") {
  HotlineReport h;
  auto reporter =
      h.net.AddMember(std::string(R"({"phone":")") + kReporter + R"(","areas":["SE15"],"roles":["reporter"]})");
  // No open alert: hears so, and the offer.
  auto steps = h.Report(kReporter, kRecording);
  CHECK(steps.call.body.find("There is no open alert for you") != std::string::npos);
  CHECK(steps.call.body.find("To report what you see, press 5.") != std::string::npos);
  REQUIRE(steps.record.status == 200);
  CHECK(steps.record.body.find("After the tone, say what you see and where.") != std::string::npos);
  CHECK(steps.record.body.find("finishOnKey=\"#\"") != std::string::npos);
  REQUIRE(steps.taken.status == 200);
  CHECK(steps.taken.body.find("Your report has been received") != std::string::npos);

  const auto id = h.NewestReport();
  REQUIRE(id > 0);
  auto r = h.Shown(id);
  INFO(boost::json::serialize(r));
  CHECK(r.at("source") == "voice");
  CHECK(r.at("kind") == "raid");
  CHECK(r.at("areas").as_array().size() == 1);
  CHECK(r.at("areas").as_array()[0] == "SE15");
  CHECK(r.at("reporter_member_id") == reporter);
  CHECK(r.at("has_recording") == true);
  CHECK(r.at("location") == "by phone (recorded message)");
  // Verified like an SMS raid report: its alert waits for the verifiers of SE15.
  CHECK(r.at("status") == "pending");
  CHECK(h.Scalar("SELECT recording_sid FROM reports WHERE id = " + std::to_string(id)) == kRecording);

  // The same recording posted again (Twilio retries): no second report.
  auto again = h.Post(Between(steps.record.body, "<Record action=\"", "\""),
                      {{"CallSid", "CAin9"}, {"RecordingSid", kRecording}});
  CHECK(again.status == 200);
  CHECK(h.NewestReport() == id);

  // A coordinator hears it through Tocsin, with no Twilio credentials; the read is audited.
  h.fake.SetRecording(kRecording, "ID3-fake-mp3-bytes");
  const auto path = "/v1/networks/demo/reports/" + std::to_string(id) + "/recording";
  auto audio = h.net.c.Get(path);
  REQUIRE(audio.status == 200);
  CHECK(audio.body == "ID3-fake-mp3-bytes");
  CHECK(audio.headers["content-type"] == "audio/mpeg");
  CHECK(h.Scalar("SELECT count(*) FROM audit_log WHERE action = 'reports.recording_read'") == "1");
  // The provider failing: 503, and back once it answers.
  h.fake.FailNextWith500(1);
  CHECK(h.net.c.Get(path).status == 503);
  CHECK(h.net.c.Get(path).status == 200);
  // A report without a recording: 404 naming the id; no token: 401.
  auto api = h.net.c.Post("/v1/networks/demo/reports", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  REQUIRE(api.status == 201);
  auto none = h.net.c.Get("/v1/networks/demo/reports/" + std::to_string(api.Json().as_object().at("id").as_int64()) + "/recording");
  CHECK(none.status == 404);
  CHECK(none.ErrorField() == "id");
  CHECK(h.net.server->Client().Get(path).status == 401);

  // Never the caller's number: not in the log, not in clear in the reports table.
  CHECK(h.net.server->Log().find(kReporter) == std::string::npos);
  CHECK(h.Scalar("SELECT count(*) FROM reports r WHERE r::text LIKE '%" + std::string(kReporter).substr(1) + "%'") ==
        "0");
}

TEST_CASE("hotline: a stranger's recorded report waits for a coordinator to name its area; the limit and the "
          "signature hold", "[pg][voice][hotline][reports]") {
  HotlineReport h;
  h.net.AddMember(std::string(R"({"phone":")") + kReporter + R"(","areas":["SE15"]})");
  // Reporters only (the default): a stranger is not offered 5, nor is a member without the role.
  for (const char* caller : {kStranger, kReporter}) {
    auto call = h.Call(caller);
    CHECK(call.body.find("press 5") == std::string::npos);
    CHECK(call.body.find("<Gather") == std::string::npos);
  }
  auto admin = h.Admin();
  auto set = admin.Patch("/v1/networks/demo", R"({"reports":{"from":"anyone","public_check":false,"max_per_hour_per_number":1,"merge_window":"30m"}})");
  INFO(set.body);
  REQUIRE(set.status == 200);

  auto steps = h.Report(kStranger, kRecording);
  CHECK(steps.call.body.find("You have reached") != std::string::npos);
  CHECK(steps.call.body.find("To report what you see, press 5.") != std::string::npos);
  CHECK(steps.taken.body.find("Your report has been received") != std::string::npos);
  const auto id = h.NewestReport();
  auto r = h.Shown(id);
  CHECK(r.at("status") == "awaiting_area");
  CHECK(r.at("reporter_member_id").is_null());

  // The <Record> action unsigned, or with a bad RecordingSid: refused, nothing made.
  const auto report_url = Between(steps.record.body, "<Record action=\"", "\"");
  CHECK(h.Post(report_url, {{"RecordingSid", kOther}}, false).status == 403);
  auto bad = h.Post(report_url, {{"RecordingSid", "../etc"}});
  CHECK(bad.status == 422);
  CHECK(bad.ErrorField() == "RecordingSid");
  CHECK(h.NewestReport() == id);

  // Their hour's report made: the next call offers nothing, and a recording posted anyway is dropped.
  auto limited = h.Call(kStranger);
  CHECK(limited.body.find("press 5") == std::string::npos);
  auto dropped = h.Post(report_url, {{"RecordingSid", kOther}});
  CHECK(dropped.status == 200);
  CHECK(dropped.body.find("received") == std::string::npos);
  CHECK(h.NewestReport() == id);

  // A coordinator names the area: pending from now, verified as any report; only while it waits.
  const auto path = "/v1/networks/demo/reports/" + std::to_string(id);
  auto wrong = h.net.c.Patch(path, R"({"areas":["ZZ9"]})");
  CHECK(wrong.status == 422);
  CHECK(wrong.ErrorField() == "areas");
  auto named = h.net.c.Patch(path, R"({"areas":["SE15"]})");
  INFO(named.body);
  REQUIRE(named.status == 200);
  CHECK(named.Json().as_object().at("status") == "pending");
  CHECK(named.body.find("area_given") == std::string::npos);  // the timeline is GET's
  CHECK(h.net.c.Get(path).body.find("\"what\":\"area_given\"") != std::string::npos);
  auto twice = h.net.c.Patch(path, R"({"areas":["SE15"]})");
  CHECK(twice.status == 409);
  CHECK(twice.ErrorField() == "status");
  CHECK(h.net.server->Log().find(kStranger) == std::string::npos);
}
