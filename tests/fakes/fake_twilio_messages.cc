// FakeTwilio: what the Messages API answers (a send, a redaction, Twilio's errors and limits).
#include "tests/fakes/fake_twilio_impl.h"

namespace tocsin {
namespace {

using namespace fake_twilio_impl;

// An alphanumeric sender ID: 1 to 11 letters, digits or spaces, at least one letter.
bool IsSenderId(std::string_view s) {
  if (s.empty() || s.size() > 11) return false;
  bool letter = false;
  for (const char c : s) {
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!alpha && !(c >= '0' && c <= '9') && c != ' ') return false;
    letter = letter || alpha;
  }
  return letter;
}

std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}


std::string PermanentErrorMessage(int code, std::string_view to) {
  switch (code) {
    case 21211:
      return "The 'To' number " + std::string(to) + " is not a valid phone number.";
    case 21610:
      return "Attempt to send to unsubscribed recipient";
    case 21614:
      return "'To' number is not a valid mobile number";
    case 21612:
      return "The 'To' phone number is not currently reachable using the 'From' phone number "
             "via SMS.";
    case 21408:
      return "Permission to send an SMS has not been enabled for the region indicated by the "
             "'To' number: " +
             std::string(to) + ".";
    default:
      return "Message cannot be sent to " + std::string(to) + ".";
  }
}

}  // namespace

using namespace fake_twilio_impl;

Response FakeTwilio::Impl::Json(const Request& request, http::status status,
                                const json::value& body) {
  Response response(status, request.version());
  response.set(http::field::server, "fake_twilio");
  response.set(http::field::content_type, "application/json; charset=utf-8");
  response.set("Twilio-Concurrent-Requests", std::to_string(in_flight.load()));
  response.set("Twilio-Request-Id", "RQ" + RandomHex(16));
  response.keep_alive(request.keep_alive());
  response.body() = json::serialize(body);
  response.prepare_payload();
  return response;
}

Response FakeTwilio::Impl::TwilioError(const Request& request, http::status status, int code,
                                       const std::string& message) {
  ++stats.rejected;
  json::object body;
  body["code"] = code;
  body["message"] = message;
  body["more_info"] = "https://www.twilio.com/docs/errors/" + std::to_string(code);
  body["status"] = static_cast<int>(status);
  return Json(request, status, body);
}

bool FakeTwilio::Impl::Conforms(const std::string& from, int segments, Clock::time_point now) {
  if (rate <= 0) return true;
  const double capacity = std::max(rate, 1.0);
  auto [it, inserted] = buckets.try_emplace(from, Bucket{capacity, now});
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.last).count();
  bucket.tokens = std::min(capacity, bucket.tokens + rate * elapsed);
  bucket.last = now;
  const double needed = std::min(static_cast<double>(segments), capacity);
  if (bucket.tokens + 1e-9 < needed) return false;  // over the rate: takes nothing
  bucket.tokens -= segments;
  return true;
}

FakeTwilio::Impl::Outcome FakeTwilio::Impl::Handle(const Request& request) {
  const Clock::time_point now = Clock::now();
  std::lock_guard lock(mu);
  ++stats.requests;
  Outcome out;
  auto fail = [&](http::status status, int code, const std::string& message) {
    out.response = TwilioError(request, status, code, message);
    return std::move(out);
  };

  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  // .../Accounts/{AccountSid}/Messages.json sends; .../Messages/{MessageSid}.json updates one
  // (here: redacts its body).
  constexpr std::string_view kPrefix = "/2010-04-01/Accounts/";
  constexpr std::string_view kList = "/Messages.json";
  constexpr std::string_view kCalls = "/Calls.json";
  constexpr std::string_view kInstance = "/Messages/";
  constexpr std::string_view kJson = ".json";
  const std::string_view rest = path.starts_with(kPrefix) ? path.substr(kPrefix.size()) : std::string_view();
  const std::size_t slash = rest.find('/');
  const std::string_view path_sid = slash == std::string_view::npos ? std::string_view() : rest.substr(0, slash);
  const std::string_view tail = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  std::optional<std::string> instance;
  if (tail.starts_with(kInstance) && tail.ends_with(kJson) && tail.size() > kInstance.size() + kJson.size()) {
    instance = std::string(tail.substr(kInstance.size(), tail.size() - kInstance.size() - kJson.size()));
  }
  // .../Recordings/{RecordingSid}.mp3: a recording's audio (GET).
  constexpr std::string_view kRecordings = "/Recordings/";
  constexpr std::string_view kMp3 = ".mp3";
  std::optional<std::string> recording;
  if (tail.starts_with(kRecordings) && tail.ends_with(kMp3) && tail.size() > kRecordings.size() + kMp3.size()) {
    recording = std::string(tail.substr(kRecordings.size(), tail.size() - kRecordings.size() - kMp3.size()));
  }
  if (path_sid.empty() || (tail != kList && tail != kCalls && !instance && !recording)) {
    return fail(http::status::not_found, 20404,
                "The requested resource " + std::string(path) + " was not found");
  }

  // HTTP Basic: base64("AccountSid:AuthToken"), and the path must name the same account.
  bool authorized = false;
  const std::string_view authorization = request[http::field::authorization];
  if (StartsWithNoCase(authorization, "Basic ")) {
    std::string_view encoded = authorization.substr(6);
    while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
    std::string decoded(encoded.size(), '\0');
    std::size_t decoded_len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(decoded.data()), decoded.size(),
                          encoded.data(), encoded.size(), nullptr, &decoded_len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) == 0) {
      decoded.resize(decoded_len);
      authorized =
          decoded == config.account_sid + ":" + config.auth_token && path_sid == config.account_sid;
    }
  }
  if (!authorized) {
    out.response = TwilioError(request, http::status::unauthorized, 20003, "Authenticate");
    out.response.set(http::field::www_authenticate, "Basic realm=\"Twilio API\"");
    return out;
  }
  if (request.method() != (recording ? http::verb::get : http::verb::post)) {
    return fail(http::status::method_not_allowed, 20004, "Method not allowed");
  }

  // Injected faults, consumed one per request: hang, else 500, else 429.
  if (hang_count > 0) {
    --hang_count;
    ++stats.hung;
    out.hang = hang_duration;
    return out;
  }
  if (fail_500 > 0) {
    --fail_500;
    return fail(http::status::internal_server_error, 20500, "Internal Server Error");
  }
  if (fail_429 > 0) {
    --fail_429;
    out.response =
        TwilioError(request, http::status::too_many_requests, 20429, "Too Many Requests");
    out.response.set(http::field::retry_after, std::to_string(retry_after_seconds));
    return out;
  }

  if (recording) {
    const auto it = recordings.find(*recording);
    if (it == recordings.end()) {
      return fail(http::status::not_found, 20404, "The requested resource " + std::string(path) + " was not found");
    }
    out.response = Response{http::status::ok, request.version()};
    out.response.set(http::field::content_type, "audio/mpeg");
    out.response.keep_alive(request.keep_alive());
    out.response.body() = it->second;
    out.response.prepare_payload();
    return out;
  }
  FormParams params;
  if (StartsWithNoCase(request[http::field::content_type], "application/x-www-form-urlencoded")) {
    Result<FormParams> parsed = ParseFormUrlEncoded(request.body());
    if (!parsed.ok()) {
      return fail(http::status::bad_request, 20001, "Unable to parse the request body");
    }
    params = std::move(parsed).value();
  }
  if (instance) return Redact(request, *instance, params);
  if (tail == kCalls) {
    auto created = calls.Create(params);
    if (auto* rejection = std::get_if<fake::CallBook::Rejection>(&created)) {
      return fail(static_cast<http::status>(rejection->http_status), rejection->code,
                  rejection->message);
    }
    ++stats.accepted;
    out.response = Json(request, http::status::created, std::get<json::object>(created));
    return out;
  }
  const std::string to(FirstValue(params, "To"));
  const std::string from(FirstValue(params, "From"));
  const std::string body(FirstValue(params, "Body"));
  const std::string status_callback(FirstValue(params, "StatusCallback"));

  if (to.empty()) return fail(http::status::bad_request, 21604, "A 'To' phone number is required.");
  if (!IsE164(to)) {
    return fail(http::status::bad_request, 21211,
                "The 'To' number " + to + " is not a valid phone number.");
  }
  if (from.empty()) {
    return fail(http::status::bad_request, 21603, "A 'From' phone number is required.");
  }
  if (!IsE164(from) && !IsSenderId(from)) {
    return fail(http::status::bad_request, 21212,
                "The 'From' number " + from +
                    " is not a valid phone number, shortcode, or alphanumeric sender ID.");
  }
  if (std::find(config.numbers.begin(), config.numbers.end(), from) == config.numbers.end()) {
    return fail(http::status::bad_request, 21606,
                "The From phone number " + from +
                    " is not a valid, SMS-capable inbound phone number or short code for your "
                    "account.");
  }
  if (body.empty()) return fail(http::status::bad_request, 21602, "Message body is required.");
  if (CodePoints(body) > kMaxBodyChars) {
    return fail(http::status::bad_request, 21617,
                "The concatenated message body exceeds the 1600 character limit.");
  }
  std::optional<int> validity_period;
  if (HasParam(params, "ValidityPeriod")) {
    const std::string_view text = FirstValue(params, "ValidityPeriod");
    int value = 0;
    const bool digits =
        !text.empty() && text.size() <= 5 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) value = std::stoi(std::string(text));
    if (!digits || value < 1 || value > 36000) {
      return fail(http::status::bad_request, 21624, "Invalid validity period value");
    }
    validity_period = value;
  }
  if (!status_callback.empty() && !StartsWithNoCase(status_callback, "http://") &&
      !StartsWithNoCase(status_callback, "https://")) {
    return fail(http::status::bad_request, 21609, "Invalid StatusCallback url");
  }
  if (auto it = permanent_errors.find(to); it != permanent_errors.end()) {
    return fail(http::status::bad_request, it->second, PermanentErrorMessage(it->second, to));
  }

  FakeTwilioMessage message;
  message.sid = "SM" + RandomHex(16);
  message.to = to;
  message.from = from;
  message.body = body;
  message.segments = MeasureSms(body).segments;
  message.status_callback = status_callback;
  message.validity_period = validity_period;
  message.received_at = std::chrono::system_clock::now();
  message.over_rate = !Conforms(from, message.segments, now);

  ++stats.accepted;
  ++stats.accepted_by_from[from];
  stats.segments_by_from[from] += static_cast<std::uint64_t>(message.segments);
  if (message.over_rate) ++stats.violations_by_from[from];

  const std::string date = Rfc2822(message.received_at);
  const std::string base =
      "/2010-04-01/Accounts/" + config.account_sid + "/Messages/" + message.sid;
  json::object reply;
  reply["account_sid"] = config.account_sid;
  reply["api_version"] = kApiVersion;
  reply["body"] = body;
  reply["date_created"] = date;
  reply["date_sent"] = nullptr;
  reply["date_updated"] = date;
  reply["direction"] = "outbound-api";
  reply["error_code"] = nullptr;
  reply["error_message"] = nullptr;
  reply["from"] = from;
  reply["messaging_service_sid"] = nullptr;
  reply["num_media"] = "0";
  reply["num_segments"] = std::to_string(message.segments);
  reply["price"] = nullptr;
  reply["price_unit"] = "USD";
  reply["sid"] = message.sid;
  reply["status"] = "queued";
  reply["subresource_uris"] = json::object{{"media", base + "/Media.json"}};
  reply["to"] = to;
  reply["uri"] = base + ".json";

  if (auto_callbacks && !status_callback.empty()) {
    std::optional<int> failure;
    if (auto it = delivery_failures.find(to); it != delivery_failures.end()) failure = it->second;
    asio::co_spawn(callback_ioc,
                   AutoCallbacks(message.sid, auto_sent_after, auto_delivered_after, failure),
                   LogFailure);
  }
  index.emplace(message.sid, messages.size());
  messages.push_back(std::move(message));
  message_added.notify_all();
  out.response = Json(request, http::status::created, reply);
  return out;
}

// Twilio's redaction: only a message it has (404, 20404), with Body present and empty (400,
// 30400: the only update supported here), once its status is final (else 400, 20009: Twilio
// refuses to change a message its systems are still processing). Called with `mu` held.
FakeTwilio::Impl::Outcome FakeTwilio::Impl::Redact(const Request& request, const std::string& sid,
                                                   const FormParams& params) {
  Outcome out;
  const auto it = index.find(sid);
  if (it == index.end()) {
    out.response = TwilioError(request, http::status::not_found, 20404,
                               "The requested resource /Messages/" + sid + ".json was not found");
    return out;
  }
  if (!HasParam(params, "Body") || !FirstValue(params, "Body").empty()) {
    out.response = TwilioError(request, http::status::bad_request, 30400, "Parameters are not valid");
    return out;
  }
  FakeTwilioMessage& message = messages[it->second];
  static const std::vector<std::string> kFinal = {"delivered", "undelivered", "failed", "canceled", "read"};
  if (std::find(kFinal.begin(), kFinal.end(), message.status) == kFinal.end()) {
    out.response = TwilioError(request, http::status::bad_request, 20009,
                               "Cannot delete or redact this resource before it is complete");
    return out;
  }
  message.redacted = true;
  ++stats.redacted;
  json::object reply;
  reply["account_sid"] = config.account_sid;
  reply["api_version"] = kApiVersion;
  reply["body"] = "";
  reply["sid"] = message.sid;
  reply["status"] = message.status;
  reply["to"] = message.to;
  reply["from"] = message.from;
  reply["uri"] = "/2010-04-01/Accounts/" + config.account_sid + "/Messages/" + message.sid + ".json";
  out.response = Json(request, http::status::ok, reply);
  return out;
}

}  // namespace tocsin
