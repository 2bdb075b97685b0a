#include "tests/fakes/fake_twilio.h"

#include <sodium.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "dispatch/channels/twilio_signature.h"
#include "tests/fakes/fake_twilio_test_client.h"

namespace tocsin {
namespace {

using namespace fake_test;

FormParams Sms(std::string to = kMember, std::string body = "RAID K7Q2: Peckham. Reply 1 or 2",
               std::string from = kSender) {
  return {{"To", std::move(to)}, {"From", std::move(from)}, {"Body", std::move(body)}};
}

// Receives status callbacks: answers 200 to every POST and keeps what arrived.
class CallbackListener {
 public:
  struct Received {
    std::string target;
    std::string signature;
    std::string body;
  };

  std::string Url(const std::string& path) const { return server_.Url(path); }

  // Waits until `n` callbacks have arrived; returns them all.
  std::vector<Received> WaitFor(std::size_t n, std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
    return received_;
  }

 private:
  std::string Record(const http::request<http::string_body>& request) {
    {
      std::lock_guard lock(mu_);
      received_.push_back({std::string(request.target()),
                           std::string(request["X-Twilio-Signature"]), request.body()});
    }
    cv_.notify_all();
    return "";
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> received_;
  LoopbackServer server_{[this](const auto& request) { return Record(request); }};
};

std::string Param(const FormParams& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "<missing>";
}

}  // namespace

TEST_CASE("fake Twilio: wrong credentials get 401 with code 20003", "[fake_twilio]") {
  FakeTwilio fake(Config());
  Client client(fake.port());

  auto reply = client.Post(fake.MessagesPath(), Sms(), kSid, "wrong-token");
  REQUIRE(reply);
  CHECK(reply->status == 401);
  CHECK(ErrorCodeOf(*reply) == 20003);
  CHECK(reply->Json().as_object().at("more_info").as_string() ==
        "https://www.twilio.com/docs/errors/20003");

  reply = client.Post(fake.MessagesPath(), Sms(), "ACsomeoneelse", kToken);
  REQUIRE(reply);
  CHECK(reply->status == 401);

  // Right credentials, another account's path.
  reply = client.Post("/2010-04-01/Accounts/ACsomeoneelse/Messages.json", Sms());
  REQUIRE(reply);
  CHECK(reply->status == 401);

  CHECK(fake.Messages().empty());
  CHECK(fake.Stats().rejected == 3);
}

TEST_CASE("fake Twilio: a message is accepted with Twilio's JSON", "[fake_twilio]") {
  FakeTwilio fake(Config());
  Client client(fake.port());

  FormParams form = Sms();
  form.emplace_back("StatusCallback", "http://127.0.0.1:9/status");
  form.emplace_back("ValidityPeriod", "600");
  const auto reply = client.Post(fake.MessagesPath(), form);
  REQUIRE(reply);
  CHECK(reply->status == 201);
  const json::object o = reply->Json().as_object();
  const std::string sid(o.at("sid").as_string());
  CHECK(std::regex_match(sid, std::regex("SM[0-9a-f]{32}")));
  CHECK(Str(o.at("status")) == "queued");
  CHECK(Str(o.at("to")) == kMember);
  CHECK(Str(o.at("from")) == kSender);
  CHECK(Str(o.at("body")) == "RAID K7Q2: Peckham. Reply 1 or 2");
  REQUIRE(o.at("num_segments").is_string());
  CHECK(Str(o.at("num_segments")) == "1");
  CHECK(Str(o.at("num_media")) == "0");
  CHECK(o.at("price").is_null());
  CHECK(o.at("error_code").is_null());
  CHECK(o.at("error_message").is_null());
  CHECK(Str(o.at("account_sid")) == kSid);
  CHECK(Str(o.at("api_version")) == "2010-04-01");
  CHECK(Str(o.at("uri")) ==
        "/2010-04-01/Accounts/" + std::string(kSid) + "/Messages/" + sid + ".json");
  CHECK(std::regex_match(
      std::string(o.at("date_created").as_string()),
      std::regex(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000)")));

  const auto message = fake.FindMessage(sid);
  REQUIRE(message);
  CHECK(message->to == kMember);
  CHECK(message->segments == 1);
  CHECK(message->status_callback == "http://127.0.0.1:9/status");
  CHECK(message->validity_period == 600);
  CHECK_FALSE(message->over_rate);

  // Segments follow GSM 03.38: 71 Arabic letters are two UCS-2 segments.
  std::string arabic;
  for (int i = 0; i < 71; ++i) arabic += "ب";
  const auto long_reply = client.Post(fake.MessagesPath(), Sms(kMember, arabic));
  REQUIRE(long_reply);
  CHECK(long_reply->status == 201);
  CHECK(Str(long_reply->Json().as_object().at("num_segments")) == "2");

  // Several requests went over one keep-alive connection.
  CHECK(fake.Stats().requests == 2);
  CHECK(fake.Stats().accepted == 2);
  CHECK(fake.Messages().size() == 2);
}

TEST_CASE("fake Twilio: WaitForMessages returns once that many are accepted", "[fake_twilio]") {
  using namespace std::chrono_literals;
  FakeTwilio fake(Config());
  Client client(fake.port());
  CHECK_FALSE(fake.WaitForMessages(1, 10ms));  // none yet: false after the timeout
  std::thread sender([&] {
    for (int i = 0; i < 2; ++i) client.Post(fake.MessagesPath(), Sms());
  });
  CHECK(fake.WaitForMessages(2, 5000ms));
  sender.join();
  CHECK(fake.Messages().size() == 2);
  CHECK_FALSE(fake.WaitForMessages(3, 10ms));
  fake.Reset();
  CHECK_FALSE(fake.WaitForMessages(1, 10ms));  // counted since the Reset
}

TEST_CASE("fake Twilio: validation errors", "[fake_twilio]") {
  FakeTwilio fake(Config());
  Client client(fake.port());
  auto code_for = [&](const FormParams& form) {
    const auto reply = client.Post(fake.MessagesPath(), form);
    REQUIRE(reply);
    CHECK(reply->status == 400);
    return ErrorCodeOf(*reply);
  };

  const auto reply = client.Post(fake.MessagesPath(), Sms("07700 900123"));
  REQUIRE(reply);
  CHECK(reply->status == 400);
  CHECK(ErrorCodeOf(*reply) == 21211);
  CHECK(Str(reply->Json().as_object().at("message")) ==
        "The 'To' number 07700 900123 is not a valid phone number.");
  CHECK(reply->Json().as_object().at("status").as_int64() == 400);

  CHECK(code_for({{"From", kSender}, {"Body", "x"}}) == 21604);
  CHECK(code_for({{"To", kMember}, {"Body", "x"}}) == 21603);
  CHECK(code_for(Sms(kMember, "x", "+44770090000")) == 21606);  // a number, not ours
  CHECK(code_for(Sms(kMember, "x", "not a sender!")) == 21212);
  CHECK(code_for({{"To", kMember}, {"From", kSender}}) == 21602);
  CHECK(code_for(Sms(kMember, std::string(1601, 'a'))) == 21617);
  FormParams validity = Sms();
  validity.emplace_back("ValidityPeriod", "36001");
  CHECK(code_for(validity) == 21624);
  validity.back().second = "0";
  CHECK(code_for(validity) == 21624);
  FormParams callback = Sms();
  callback.emplace_back("StatusCallback", "ftp://example.com/x");
  CHECK(code_for(callback) == 21609);

  // 1600 characters is still fine, counted in characters, not bytes.
  std::string euros;
  for (int i = 0; i < 1600; ++i) euros += "€";
  const auto max_reply = client.Post(fake.MessagesPath(), Sms(kMember, euros));
  REQUIRE(max_reply);
  CHECK(max_reply->status == 201);

  // Permanent errors per recipient, set and cleared at runtime.
  fake.SetPermanentError("+447700900999", 21610);
  CHECK(code_for(Sms("+447700900999")) == 21610);
  CHECK(client.Post(fake.MessagesPath(), Sms())->status == 201);
  fake.ClearPermanentErrors();
  CHECK(client.Post(fake.MessagesPath(), Sms("+447700900999"))->status == 201);

  auto not_found = client.Post("/2010-04-01/Accounts/" + std::string(kSid) + "/Conferences.json", Sms());
  REQUIRE(not_found);
  CHECK(not_found->status == 404);
  CHECK(fake.Messages().size() == 3);
}

TEST_CASE("fake Twilio: injected 429 with Retry-After, then 500", "[fake_twilio]") {
  FakeTwilio fake(Config());
  Client client(fake.port());

  fake.FailNextWith429(2, 3);
  for (int i = 0; i < 2; ++i) {
    const auto reply = client.Post(fake.MessagesPath(), Sms());
    REQUIRE(reply);
    CHECK(reply->status == 429);
    CHECK(reply->retry_after == "3");
    CHECK(ErrorCodeOf(*reply) == 20429);
  }
  CHECK(client.Post(fake.MessagesPath(), Sms())->status == 201);

  fake.FailNextWith500(1);
  const auto reply = client.Post(fake.MessagesPath(), Sms());
  REQUIRE(reply);
  CHECK(reply->status == 500);
  CHECK(ErrorCodeOf(*reply) == 20500);
  CHECK(client.Post(fake.MessagesPath(), Sms())->status == 201);

  // Unauthenticated requests do not consume injected faults.
  fake.FailNextWith500(1);
  CHECK(client.Post(fake.MessagesPath(), Sms(), kSid, "bad")->status == 401);
  CHECK(client.Post(fake.MessagesPath(), Sms())->status == 500);

  CHECK(fake.Messages().size() == 2);
  CHECK(fake.Stats().rejected == 5);
}

TEST_CASE("fake Twilio: a hung request makes the client time out", "[fake_twilio]") {
  FakeTwilio fake(Config());
  fake.HangNext(1, 2000ms);
  {
    Client client(fake.port());
    CHECK_FALSE(client.Post(fake.MessagesPath(), Sms(), kSid, kToken, 200ms).has_value());
  }
  Client client(fake.port());
  const auto reply = client.Post(fake.MessagesPath(), Sms());
  REQUIRE(reply);
  CHECK(reply->status == 201);
  CHECK(fake.Stats().hung == 1);
  CHECK(fake.Messages().size() == 1);
}

TEST_CASE("fake Twilio: latency delays the answer", "[fake_twilio]") {
  FakeTwilio fake(Config());
  fake.SetLatency(150ms);
  Client client(fake.port());
  const auto start = std::chrono::steady_clock::now();
  const auto reply = client.Post(fake.MessagesPath(), Sms());
  REQUIRE(reply);
  CHECK(reply->status == 201);
  CHECK(std::chrono::steady_clock::now() - start >= 150ms);
}

TEST_CASE("fake Twilio: rate violations are counted per sender", "[fake_twilio]") {
  SECTION("a burst over the bucket") {
    FakeTwilio fake(Config(2));  // 2 segments/s: bucket of 2
    Client client(fake.port());
    for (int i = 0; i < 8; ++i) {
      CHECK(client.Post(fake.MessagesPath(), Sms())->status == 201);  // still accepted
    }
    CHECK(client.Post(fake.MessagesPath(), Sms(kMember, "x", kOtherSender))->status == 201);

    const FakeTwilioStats stats = fake.Stats();
    CHECK(stats.accepted == 9);
    CHECK(stats.accepted_by_from.at(kSender) == 8);
    // 2 fit the bucket; the next 6 arrive within milliseconds, long before refills add up.
    CHECK(stats.violations_by_from.at(kSender) >= 5);
    CHECK(stats.violations_by_from.at(kSender) <= 6);
    CHECK(stats.violations_by_from.count(kOtherSender) == 0);
    CHECK(stats.violations() == stats.violations_by_from.at(kSender));
    const auto messages = fake.Messages();
    CHECK_FALSE(messages.front().over_rate);
    CHECK(messages.back().over_rate == false);  // the other sender
    CHECK(fake.StatsJson().find("\"violations\":{\"" + std::string(kSender) + "\":") !=
          std::string::npos);
  }
  SECTION("segments, not messages, are counted") {
    FakeTwilio fake(Config(1));
    Client client(fake.port());
    // 3 segments: conforms (the bucket is full) and leaves a debt of 2 seconds.
    CHECK(client.Post(fake.MessagesPath(), Sms(kMember, std::string(400, 'a')))->status == 201);
    CHECK(client.Post(fake.MessagesPath(), Sms())->status == 201);
    const FakeTwilioStats stats = fake.Stats();
    CHECK(stats.segments_by_from.at(kSender) == 4);
    CHECK(stats.violations_by_from.at(kSender) == 1);
  }
  SECTION("no limit") {
    FakeTwilio fake(Config(0));
    Client client(fake.port());
    for (int i = 0; i < 20; ++i) CHECK(client.Post(fake.MessagesPath(), Sms())->status == 201);
    CHECK(fake.Stats().violations() == 0);
    fake.SetRateLimit(1);
    for (int i = 0; i < 3; ++i) CHECK(client.Post(fake.MessagesPath(), Sms())->status == 201);
    CHECK(fake.Stats().violations() == 2);
  }
}

TEST_CASE("fake Twilio: concurrent clients on several server threads", "[fake_twilio]") {
  FakeTwilioConfig config = Config(1000);
  config.threads = 4;
  FakeTwilio fake(config);
  constexpr int kClients = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> clients;
  std::atomic<int> created{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Client client(fake.port());
      for (int i = 0; i < kEach; ++i) {
        const auto reply = client.Post(fake.MessagesPath(), Sms(kMember, "n" + std::to_string(i),
                                                                c % 2 ? kSender : kOtherSender));
        if (reply && reply->status == 201) ++created;
      }
    });
  }
  for (auto& t : clients) t.join();
  CHECK(created == kClients * kEach);
  const auto messages = fake.Messages();
  CHECK(messages.size() == kClients * kEach);
  std::set<std::string> sids;
  for (const auto& m : messages) sids.insert(m.sid);
  CHECK(sids.size() == messages.size());
  const FakeTwilioStats stats = fake.Stats();
  CHECK(stats.accepted_by_from.at(kSender) == 2 * kEach);
  CHECK(stats.accepted_by_from.at(kOtherSender) == 2 * kEach);
}

TEST_CASE("fake Twilio: status callbacks are signed and reach loopback listeners",
          "[fake_twilio]") {
  CallbackListener listener;
  FakeTwilio fake(Config());
  Client client(fake.port());

  const std::string callback_url = listener.Url("/twilio/status?alert=K7Q2");
  FormParams form = Sms();
  form.emplace_back("StatusCallback", callback_url);
  const auto reply = client.Post(fake.MessagesPath(), form);
  REQUIRE(reply);
  REQUIRE(reply->status == 201);
  const std::string sid(reply->Json().as_object().at("sid").as_string());

  auto delivered = fake.SendStatusCallback(sid, "delivered");
  REQUIRE(delivered.wait_for(5s) == std::future_status::ready);
  const Result<int> status = delivered.get();
  REQUIRE(status.ok());
  CHECK(status.value() == 200);

  auto undelivered = fake.SendStatusCallback(sid, "undelivered", 30003);
  REQUIRE(undelivered.get().ok());

  const auto received = listener.WaitFor(2);
  REQUIRE(received.size() == 2);
  CHECK(received[0].target == "/twilio/status?alert=K7Q2");
  const auto params = ParseFormUrlEncoded(received[0].body);
  REQUIRE(params.ok());
  CHECK(Param(params.value(), "MessageSid") == sid);
  CHECK(Param(params.value(), "SmsSid") == sid);
  CHECK(Param(params.value(), "MessageStatus") == "delivered");
  CHECK(Param(params.value(), "SmsStatus") == "delivered");
  CHECK(Param(params.value(), "AccountSid") == kSid);
  CHECK(Param(params.value(), "From") == kSender);
  CHECK(Param(params.value(), "To") == kMember);
  CHECK(Param(params.value(), "ApiVersion") == "2010-04-01");
  CHECK(Param(params.value(), "ErrorCode") == "<missing>");
  CHECK(ValidTwilioSignature(kToken, callback_url, params.value(), received[0].signature));
  CHECK_FALSE(
      ValidTwilioSignature("other-token", callback_url, params.value(), received[0].signature));

  const auto params2 = ParseFormUrlEncoded(received[1].body);
  REQUIRE(params2.ok());
  CHECK(Param(params2.value(), "MessageStatus") == "undelivered");
  CHECK(Param(params2.value(), "ErrorCode") == "30003");
  CHECK(ValidTwilioSignature(kToken, callback_url, params2.value(), received[1].signature));
  CHECK(fake.FindMessage(sid)->status == "undelivered");
}

TEST_CASE("fake Twilio: automatic sent and delivered callbacks", "[fake_twilio]") {
  CallbackListener listener;
  FakeTwilio fake(Config());
  fake.SetAutoCallbacks(true, 10ms, 10ms);
  fake.SetDeliveryFailure("+447700900666", 30006);
  Client client(fake.port());

  const std::string callback_url = listener.Url("/status");
  FormParams ok = Sms();
  ok.emplace_back("StatusCallback", callback_url);
  REQUIRE(client.Post(fake.MessagesPath(), ok)->status == 201);
  const auto received = listener.WaitFor(2);
  REQUIRE(received.size() == 2);
  auto first = ParseFormUrlEncoded(received[0].body);
  auto second = ParseFormUrlEncoded(received[1].body);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(Param(first.value(), "MessageStatus") == "sent");
  CHECK(Param(second.value(), "MessageStatus") == "delivered");
  CHECK(ValidTwilioSignature(kToken, callback_url, second.value(), received[1].signature));

  FormParams failing = Sms("+447700900666");
  failing.emplace_back("StatusCallback", callback_url);
  REQUIRE(client.Post(fake.MessagesPath(), failing)->status == 201);
  const auto all = listener.WaitFor(4);
  REQUIRE(all.size() == 4);
  auto last = ParseFormUrlEncoded(all[3].body);
  REQUIRE(last.ok());
  CHECK(Param(last.value(), "MessageStatus") == "undelivered");
  CHECK(Param(last.value(), "ErrorCode") == "30006");
}

TEST_CASE("fake Twilio: callbacks only go to loopback", "[fake_twilio]") {
  FakeTwilio fake(Config());
  Client client(fake.port());
  auto send_with = [&](const std::string& url) {
    FormParams form = Sms();
    form.emplace_back("StatusCallback", url);
    const auto reply = client.Post(fake.MessagesPath(), form);
    REQUIRE(reply);
    REQUIRE(reply->status == 201);  // Twilio accepts any URL; the fake refuses to call it
    return std::string(reply->Json().as_object().at("sid").as_string());
  };
  for (const std::string url : {"http://93.184.216.34/cb", "http://example.com/cb",
                                "https://127.0.0.1/cb", "http://user@127.0.0.1/cb"}) {
    INFO(url);
    const Result<int> result = fake.SendStatusCallback(send_with(url), "sent").get();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::kInvalid);
  }
  CHECK(fake.SendStatusCallback("SMnope", "sent").get().error().code == ErrorCode::kNotFound);
  // Loopback, but nobody listening: Unavailable, not a hang.
  const Result<int> closed =
      fake.SendStatusCallback(send_with("http://127.0.0.1:9/cb"), "sent").get();
  REQUIRE_FALSE(closed.ok());
  CHECK(closed.error().code == ErrorCode::kUnavailable);
}


TEST_CASE("fake Twilio: redaction as Twilio does it: only messages it has, once final", "[fake_twilio]") {
  CallbackListener listener;
  FakeTwilio fake(Config());
  Client client(fake.port());
  const std::string instance = "/2010-04-01/Accounts/" + std::string(kSid) + "/Messages/";

  auto unknown = client.Post(instance + "SM0123456789abcdef0123456789abcdef.json", {{"Body", ""}});
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  CHECK(ErrorCodeOf(*unknown) == 20404);

  FormParams form = Sms();
  form.emplace_back("StatusCallback", listener.Url("/status"));
  const auto sent = client.Post(fake.MessagesPath(), form);
  REQUIRE(sent);
  REQUIRE(sent->status == 201);
  const std::string sid(sent->Json().as_object().at("sid").as_string());

  auto early = client.Post(instance + sid + ".json", {{"Body", ""}});  // still queued
  REQUIRE(early);
  CHECK(early->status == 400);
  CHECK(ErrorCodeOf(*early) == 20009);
  CHECK_FALSE(fake.FindMessage(sid)->redacted);

  REQUIRE(fake.SendStatusCallback(sid, "delivered").get().ok());
  auto not_empty = client.Post(instance + sid + ".json", {{"Body", "x"}});
  REQUIRE(not_empty);
  CHECK(not_empty->status == 400);
  CHECK(ErrorCodeOf(*not_empty) == 30400);
  auto wrong_account = client.Post("/2010-04-01/Accounts/ACsomeoneelse/Messages/" + sid + ".json", {{"Body", ""}});
  REQUIRE(wrong_account);
  CHECK(wrong_account->status == 401);

  auto redacted = client.Post(instance + sid + ".json", {{"Body", ""}});
  REQUIRE(redacted);
  CHECK(redacted->status == 200);
  CHECK(redacted->Json().as_object().at("body") == "");
  CHECK(redacted->Json().as_object().at("sid").as_string() == sid);
  CHECK(fake.FindMessage(sid)->redacted);
  CHECK(fake.Stats().redacted == 1);
  CHECK(fake.Messages().size() == 1);  // a redaction sends nothing
}

}  // namespace tocsin
