// What each Messages API answer means for a delivery (no network: Interpret is pure).
#include <catch2/catch.hpp>

#include "dispatch/channels/twilio_provider.h"

using namespace tocsin;
using Kind = SmsOutcome::Kind;

namespace {

HttpResponse Answer(long status, std::string body, std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace

TEST_CASE("twilio answers: accepted, throttled, transient, permanent", "[twilio]") {
  auto ok = TwilioProvider::Interpret(Answer(201, R"({"sid":"SM0123","status":"queued","num_segments":"1"})"));
  CHECK(ok.kind == Kind::kAccepted);
  CHECK(ok.provider_id == "SM0123");

  auto throttled = TwilioProvider::Interpret(
      Answer(429, R"({"code":20429,"message":"Too Many Requests","status":429})", {{"retry-after", "7"}}));
  CHECK(throttled.kind == Kind::kThrottled);
  CHECK(throttled.retry_after == std::chrono::seconds(7));
  CHECK(TwilioProvider::Interpret(Answer(429, "")).retry_after == std::chrono::seconds(1));

  auto server_error = TwilioProvider::Interpret(Answer(503, "<html>"));
  CHECK(server_error.kind == Kind::kTransient);
  CHECK(server_error.error_code == "http_503");

  HttpResponse timeout;
  timeout.timed_out = true;
  auto t = TwilioProvider::Interpret(timeout);
  CHECK(t.kind == Kind::kTransient);
  CHECK(t.error_code == "timeout");

  auto invalid = TwilioProvider::Interpret(Answer(
      400, R"({"code":21211,"message":"The 'To' number +447700900123 is not a valid phone number.","status":400})"));
  CHECK(invalid.kind == Kind::kPermanent);
  CHECK(invalid.error_code == "21211");
  CHECK(invalid.error_message.find("7700900123") == std::string::npos);  // never store the number
  CHECK_FALSE(invalid.recipient_opted_out);

  auto stop = TwilioProvider::Interpret(Answer(400, R"({"code":21610,"message":"unsubscribed","status":400})"));
  CHECK(stop.kind == Kind::kPermanent);
  CHECK(stop.recipient_opted_out);

  CHECK(TwilioProvider::Interpret(Answer(401, R"({"code":20003})")).kind == Kind::kTransient);
}
