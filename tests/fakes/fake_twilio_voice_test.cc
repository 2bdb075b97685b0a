// The fake Twilio's voice calls: Calls.json as Twilio answers it, and the callee played from a
// script against a small TwiML application on loopback that checks every signature.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "dispatch/channels/twilio_signature.h"
#include "dispatch/message/voice_twiml.h"
#include "tests/fakes/fake_twilio.h"
#include "tests/fakes/fake_twilio_calls.h"
#include "tests/fakes/fake_twilio_test_client.h"

namespace tocsin {
namespace {

using namespace fake_test;

// A TwiML application: /voice answers a <Gather> whose action is /voice/answer (a path, as an
// application may write it); /voice/answer answers a confirmation for 1 or 2 and the prompt
// again for anything else; /status takes status callbacks. Every request is recorded with
// whether its X-Twilio-Signature verifies over the URL the fake requested.
class TwimlApp {
 public:
  struct Hit {
    std::string path;
    FormParams params;
    bool signed_ok = false;
  };

  std::string Url(const std::string& path) const { return server_.Url(path); }

  std::vector<Hit> Hits() const {
    std::lock_guard lock(mu_);
    return hits_;
  }

  // The CallStatus of each status callback, in arrival order.
  std::vector<std::string> Statuses() const {
    std::vector<std::string> out;
    for (const Hit& hit : Hits()) {
      if (hit.path == "/status") out.push_back(Param(hit.params, "CallStatus"));
    }
    return out;
  }

  static std::string Param(const FormParams& params, std::string_view name) {
    for (const auto& [k, v] : params) {
      if (k == name) return v;
    }
    return "<missing>";
  }

  static constexpr std::string_view kPrompt =
      "<Response><Gather input=\"dtmf\" numDigits=\"1\" action=\"/voice/answer?x=1&amp;y=2\" "
      "timeout=\"8\"><Say language=\"en-GB\">Raid in Peckham. Press 1 if you can go, 2 if you "
      "cannot, 9 to hear it again.</Say></Gather></Response>";

 private:
  std::string Answer(const http::request<http::string_body>& request) {
    Hit hit;
    const std::string target(request.target());
    hit.path = target.substr(0, target.find('?'));
    hit.params = ParseFormUrlEncoded(request.body()).value();
    hit.signed_ok = ValidTwilioSignature(kToken, Url(target), hit.params,
                                         request["X-Twilio-Signature"]);
    std::string twiml = "<Response/>";
    if (hit.path == "/voice") twiml = std::string(kPrompt);
    if (hit.path == "/voice/answer") {
      const std::string digits = Param(hit.params, "Digits");
      if (digits == "1") twiml = "<Response><Say>Thank you, you are going.</Say></Response>";
      else if (digits == "2") twiml = "<Response><Say>Thank you, you cannot go.</Say></Response>";
      else twiml = std::string(kPrompt);
    }
    std::lock_guard lock(mu_);
    hits_.push_back(std::move(hit));
    return twiml;
  }

  mutable std::mutex mu_;
  std::vector<Hit> hits_;
  LoopbackServer server_{[this](const auto& request) { return Answer(request); }};
};

FormParams Call(const TwimlApp& app, std::string to = kMember) {
  return {{"To", std::move(to)},
          {"From", kSender},
          {"Url", app.Url("/voice")},
          {"StatusCallback", app.Url("/status")},
          {"StatusCallbackEvent", "initiated"},
          {"StatusCallbackEvent", "ringing"},
          {"StatusCallbackEvent", "answered"},
          {"StatusCallbackEvent", "completed"},
          {"Timeout", "30"},
          {"MachineDetection", "Enable"}};
}

std::string PlaceCall(FakeTwilio& fake, Client& client, const FormParams& form) {
  const auto reply = client.Post(fake.CallsPath(), form);
  REQUIRE(reply);
  REQUIRE(reply->status == 201);
  return Str(reply->Json().as_object().at("sid"));
}

}  // namespace

TEST_CASE("fake Twilio voice: a call is accepted with Twilio's JSON; bad calls get its codes",
          "[fake_twilio][voice]") {
  FakeTwilio fake(Config());
  Client client(fake.port());
  TwimlApp app;
  fake.SetCallee(kMember, {.pickup = FakeCallee::Pickup::kBusy});

  const auto reply = client.Post(fake.CallsPath(), Call(app));
  REQUIRE(reply);
  CHECK(reply->status == 201);
  const json::object o = reply->Json().as_object();
  CHECK(Str(o.at("sid")).size() == 34);
  CHECK(Str(o.at("sid")).starts_with("CA"));
  CHECK(Str(o.at("status")) == "queued");
  CHECK(Str(o.at("to")) == kMember);
  CHECK(Str(o.at("from")) == kSender);
  CHECK(Str(o.at("direction")) == "outbound-api");

  auto code_of = [&](FormParams form) {
    const auto r = client.Post(fake.CallsPath(), form);
    REQUIRE(r);
    CHECK(r->status == 400);
    return ErrorCodeOf(*r);
  };
  auto without = [&](std::string_view name) {
    FormParams form = Call(app);
    std::erase_if(form, [&](const auto& p) { return p.first == name; });
    return form;
  };
  auto with = [&](std::string_view name, std::string value) {
    FormParams form = without(name);
    form.emplace_back(std::string(name), std::move(value));
    return form;
  };
  CHECK(code_of(without("To")) == 21201);
  CHECK(code_of(with("To", "07700900123")) == 21211);
  CHECK(code_of(without("From")) == 21213);
  CHECK(code_of(with("From", "+447700900999")) == 21210);
  CHECK(code_of(without("Url")) == 21205);
  CHECK(code_of(with("Url", "ftp://x/y")) == 21205);
  CHECK(code_of(with("StatusCallback", "nope")) == 21609);
  CHECK(code_of(with("StatusCallbackEvent", "exploded")) == 21626);
  CHECK(code_of(with("Timeout", "0")) == 21216);
  CHECK(code_of(with("MachineDetection", "Maybe")) == 21219);

  // Same credentials as Messages.
  const auto unauthorized = client.Post(fake.CallsPath(), Call(app), kSid, "wrong");
  REQUIRE(unauthorized);
  CHECK(unauthorized->status == 401);
  CHECK(fake.Calls().size() == 1);
  CHECK(fake.Stats().calls == 1);
}

TEST_CASE("fake Twilio voice: answer and press 1 follows the Gather, all signed, in order",
          "[fake_twilio][voice]") {
  FakeTwilio fake(Config());
  Client client(fake.port());
  TwimlApp app;
  fake.SetCallee(kMember, {.digits = "91"});

  const std::string sid = PlaceCall(fake, client, Call(app));
  REQUIRE(fake.WaitForFinishedCalls(1, 5000ms));
  const FakeTwilioCall call = *fake.FindCall(sid);
  CHECK(call.status == "completed");
  CHECK(call.pressed == "91");
  REQUIRE(call.twiml.size() == 3);  // the prompt, the prompt again (9), the confirmation
  CHECK(call.twiml[0] == TwimlApp::kPrompt);
  CHECK(call.twiml[1] == TwimlApp::kPrompt);
  CHECK(call.twiml[2].find("you are going") != std::string::npos);
  CHECK(call.callbacks == std::vector<std::string>{"initiated", "ringing", "in-progress", "completed"});

  const auto hits = app.Hits();
  for (const auto& hit : hits) {
    INFO(hit.path);
    CHECK(hit.signed_ok);
    CHECK(TwimlApp::Param(hit.params, "CallSid") == sid);
  }
  CHECK(app.Statuses() == std::vector<std::string>{"initiated", "ringing", "in-progress", "completed"});
  std::vector<std::string> digits;
  for (const auto& hit : hits) {
    if (hit.path == "/voice") CHECK(TwimlApp::Param(hit.params, "AnsweredBy") == "human");
    if (hit.path == "/voice/answer") digits.push_back(TwimlApp::Param(hit.params, "Digits"));
  }
  CHECK(digits == std::vector<std::string>{"9", "1"});
  // The completed callback carries the duration; sequence numbers count up from 0.
  const auto last = hits.back();
  CHECK(last.path == "/status");
  CHECK(TwimlApp::Param(last.params, "CallDuration") != "<missing>");
  CHECK(TwimlApp::Param(last.params, "SequenceNumber") == "3");
}

TEST_CASE("fake Twilio voice: no answer, busy, fail, voicemail", "[fake_twilio][voice]") {
  FakeTwilio fake(Config());
  Client client(fake.port());
  TwimlApp app;
  const std::string no_answer = "+447700900201", busy = "+447700900202",
                    failed = "+447700900203", voicemail = "+447700900204",
                    silent = "+447700900205";
  fake.SetCallee(no_answer, {.pickup = FakeCallee::Pickup::kNoAnswer});
  fake.SetCallee(busy, {.pickup = FakeCallee::Pickup::kBusy});
  fake.SetCallee(failed, {.pickup = FakeCallee::Pickup::kFail});
  fake.SetCallee(voicemail, {.digits = "1", .machine = true});
  // `silent` has no script: answers and presses nothing.

  std::map<std::string, std::string> sids;
  for (const auto& to : {no_answer, busy, failed, voicemail, silent}) {
    sids[to] = PlaceCall(fake, client, Call(app, to));
  }
  REQUIRE(fake.WaitForFinishedCalls(5, 5000ms));
  CHECK(fake.FindCall(sids[no_answer])->callbacks ==
        std::vector<std::string>{"initiated", "ringing", "no-answer"});
  CHECK(fake.FindCall(sids[busy])->callbacks ==
        std::vector<std::string>{"initiated", "ringing", "busy"});
  CHECK(fake.FindCall(sids[failed])->callbacks == std::vector<std::string>{"failed"});
  CHECK(fake.FindCall(sids[no_answer])->twiml.empty());
  for (const auto& to : {voicemail, silent}) {
    const FakeTwilioCall call = *fake.FindCall(sids[to]);
    INFO(to);
    CHECK(call.status == "completed");
    CHECK(call.pressed.empty());
    CHECK(call.twiml.size() == 1);
  }
  for (const auto& hit : app.Hits()) {
    if (hit.path != "/voice") continue;
    const bool machine = TwimlApp::Param(hit.params, "To") == voicemail;
    CHECK(TwimlApp::Param(hit.params, "AnsweredBy") == (machine ? "machine_start" : "human"));
  }
}

TEST_CASE("fake Twilio voice: ringing waits for the fake clock", "[fake_twilio][voice]") {
  FakeTwilio fake(Config());
  Client client(fake.port());
  TwimlApp app;
  fake.SetCallee(kMember, {.digits = "2", .ring_for = 20s});
  const std::string sid = PlaceCall(fake, client, Call(app));

  // However long we wait in real time, the call rings until fake time passes 20 s.
  CHECK_FALSE(fake.WaitForFinishedCalls(1, 300ms));
  CHECK(fake.FindCall(sid)->status == "ringing");
  fake.AdvanceCallClock(19s);
  CHECK_FALSE(fake.WaitForFinishedCalls(1, 200ms));
  fake.AdvanceCallClock(1s);
  REQUIRE(fake.WaitForFinishedCalls(1, 5000ms));
  CHECK(fake.FindCall(sid)->pressed == "2");
  CHECK(fake.FindCall(sid)->twiml.back().find("cannot go") != std::string::npos);
}

TEST_CASE("fake Twilio voice: calls per second, and the Messages faults", "[fake_twilio][voice]") {
  FakeTwilioConfig config = Config();
  config.calls_per_second = 1;
  FakeTwilio fake(config);
  Client client(fake.port());
  TwimlApp app;
  fake.SetCallee(kMember, {.pickup = FakeCallee::Pickup::kBusy});
  PlaceCall(fake, client, Call(app));
  PlaceCall(fake, client, Call(app));  // within the same second: over the rate, still queued
  CHECK(fake.Stats().call_violations == 1);
  CHECK(fake.Calls()[1].over_rate);

  fake.FailNextWith429(1, 2);
  auto reply = client.Post(fake.CallsPath(), Call(app));
  REQUIRE(reply);
  CHECK(reply->status == 429);
  CHECK(reply->retry_after == "2");
  fake.FailNextWith500(1);
  reply = client.Post(fake.CallsPath(), Call(app));
  REQUIRE(reply);
  CHECK(reply->status == 500);
  CHECK(fake.Calls().size() == 2);
}

TEST_CASE("fake Twilio voice: the Gather action is resolved as Twilio does", "[fake_twilio][voice]") {
  using fake::GatherAction;
  const std::string doc = "http://127.0.0.1:9/twilio/voice/tok";
  CHECK(GatherAction("<Response><Say>hi</Say></Response>", doc) == std::nullopt);
  CHECK(GatherAction("<Response><Gather numDigits=\"1\"><Say>x</Say></Gather></Response>", doc) ==
        doc);
  CHECK(GatherAction("<Gather action=\"/a?b=1&amp;c=2\">", doc) == "http://127.0.0.1:9/a?b=1&c=2");
  CHECK(GatherAction("<Gather action='answer'>", doc) == "http://127.0.0.1:9/twilio/voice/answer");
  CHECK(GatherAction("<Gather action=\"http://127.0.0.1:8/x\"/>", doc) == "http://127.0.0.1:8/x");
  CHECK(GatherAction("<GatherNot action=\"/x\"/>", doc) == std::nullopt);
  // Tocsin's own prompt: the action as written, entities decoded.
  const VoiceScript script{"en-GB", "", "Press 1", "going", "cannot", "bye"};
  CHECK(GatherAction(PromptTwiml(script, "Raid", doc + "/answer?a=1&b=2"), doc) ==
        doc + "/answer?a=1&b=2");
}

}  // namespace tocsin
