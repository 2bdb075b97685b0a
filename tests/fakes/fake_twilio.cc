#include "tests/fakes/fake_twilio.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <exception>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "dispatch/message/segments.h"
#include "dispatch/channels/twilio_signature.h"
#include "tests/fakes/fake_process.h"
#include "tests/fakes/fake_twilio_calls.h"
#include "tests/fakes/signed_post.h"
#include "tests/fakes/twilio_form.h"

namespace tocsin {
namespace {

using fake::FirstValue;
using fake::HasParam;
using fake::IsE164;
using fake::Rfc2822;
using fake::StartsWithNoCase;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using namespace std::chrono_literals;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kApiVersion = "2010-04-01";
constexpr std::size_t kMaxBodyChars = 1600;
constexpr std::size_t kRequestBodyLimit = 64 * 1024;
constexpr auto kIdleTimeout = 60s;     // a keep-alive connection with no request is closed

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

void LogFailure(std::exception_ptr e) { fake::LogTaskFailure("fake_twilio", e); }

}  // namespace

std::uint64_t FakeTwilioStats::violations() const {
  std::uint64_t total = 0;
  for (const auto& [from, n] : violations_by_from) total += n;
  return total;
}

struct FakeTwilio::Impl {
  explicit Impl(FakeTwilioConfig c);

  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(tcp::socket socket);

  // What to do with one request: answer it, or hang for a while and close.
  struct Outcome {
    Response response;
    std::optional<Millis> hang;
  };
  Outcome Handle(const Request& request);
  Outcome Redact(const Request& request, const std::string& sid, const FormParams& params);
  Response Json(const Request& request, http::status status, const json::value& body);
  Response TwilioError(const Request& request, http::status status, int code,
                       const std::string& message);
  bool Conforms(const std::string& from, int segments, Clock::time_point now);

  // Builds the callback for message `sid` and records `status` on it.
  struct PreparedCallback {
    std::string url;
    FormParams params;
  };
  Result<PreparedCallback> PrepareCallback(const std::string& sid, const std::string& status,
                                           std::optional<int> error_code);
  asio::awaitable<Result<int>> PostCallback(PreparedCallback callback);
  asio::awaitable<void> SendAndFulfil(PreparedCallback callback,
                                      std::shared_ptr<std::promise<Result<int>>> promise);
  asio::awaitable<void> AutoCallbacks(std::string sid, Millis sent_after, Millis delivered_after,
                                      std::optional<int> failure);

  // Immutable after construction.
  const FakeTwilioConfig config;
  const std::string messages_path;

  // The server: `threads` run `ioc`; sessions are coroutines on it.
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::uint16_t bound_port = 0;  // set once in the constructor
  std::vector<std::thread> threads;
  // Status callbacks: their own loop, so a slow receiver never delays an answer.
  asio::io_context callback_ioc;
  asio::executor_work_guard<asio::io_context::executor_type> callback_work;
  std::thread callback_thread;
  // Voice calls play on callback_ioc.
  fake::CallBook calls;

  std::atomic<bool> stopped{false};
  std::atomic<int> in_flight{0};
  std::atomic<std::int64_t> latency_ms{0};

  // Everything below is guarded by mu.
  mutable std::mutex mu;
  std::mt19937_64 rng{std::random_device{}()};
  std::vector<FakeTwilioMessage> messages;
  mutable std::condition_variable message_added;  // WaitForMessages
  std::unordered_map<std::string, std::size_t> index;  // sid -> position in messages
  FakeTwilioStats stats;
  std::map<std::string, int> permanent_errors;   // To -> code
  std::map<std::string, int> delivery_failures;  // To -> error code for auto callbacks
  int fail_429 = 0;
  int retry_after_seconds = 1;
  int fail_500 = 0;
  int hang_count = 0;
  Millis hang_duration{0};
  double rate = 0;
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
  };
  std::map<std::string, Bucket> buckets;  // per From
  std::map<std::string, std::string, std::less<>> recordings;  // RecordingSid -> audio (mp3)
  bool auto_callbacks = false;
  Millis auto_sent_after{0};
  Millis auto_delivered_after{0};

  std::string RandomHex(int bytes);  // needs mu
};

FakeTwilio::Impl::Impl(FakeTwilioConfig c)
    : config(std::move(c)),
      messages_path("/2010-04-01/Accounts/" + config.account_sid + "/Messages.json"),
      acceptor(ioc),
      callback_work(callback_ioc.get_executor()),
      calls(config.account_sid, config.auth_token, config.numbers, config.calls_per_second,
            callback_ioc),
      rate(config.segments_per_second) {
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), config.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  bound_port = acceptor.local_endpoint().port();
}

std::string FakeTwilio::Impl::RandomHex(int bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes; i += 8) {
    std::uint64_t r = rng();
    for (int j = 0; j < 8 && i + j < bytes; ++j, r >>= 8) {
      out += kHex[(r >> 4) & 0x0F];
      out += kHex[r & 0x0F];
    }
  }
  return out;
}

asio::awaitable<void> FakeTwilio::Impl::Accept() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. the peer reset before we accepted
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(ioc, Session(std::move(socket)), LogFailure);
  }
}

asio::awaitable<void> FakeTwilio::Impl::Session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kRequestBodyLimit);
    stream.expires_after(kIdleTimeout);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, kTuple);
    // end_of_stream: the client closed between requests; timeout or reset: it went away.
    if (read_ec) break;
    stream.expires_never();
    const Request request = parser.release();
    ++in_flight;

    if (const Millis latency{latency_ms.load()}; latency.count() > 0) {
      asio::steady_timer timer(stream.get_executor(), latency);
      co_await timer.async_wait(kTuple);
    }
    Outcome outcome = Handle(request);
    if (outcome.hang) {
      // Leave the request unanswered so the client's own deadline fires; then drop it.
      asio::steady_timer timer(stream.get_executor(), *outcome.hang);
      co_await timer.async_wait(kTuple);
      --in_flight;
      break;
    }
    stream.expires_after(10s);
    auto [write_ec, write_n] = co_await http::async_write(stream, outcome.response, kTuple);
    --in_flight;
    if (write_ec || !outcome.response.keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

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

Result<FakeTwilio::Impl::PreparedCallback> FakeTwilio::Impl::PrepareCallback(
    const std::string& sid, const std::string& status, std::optional<int> error_code) {
  std::lock_guard lock(mu);
  const auto it = index.find(sid);
  if (it == index.end()) return Error::NotFound("no message " + sid);
  FakeTwilioMessage& message = messages[it->second];
  if (message.status_callback.empty()) {
    return Error::Invalid("StatusCallback", "message " + sid + " has no StatusCallback");
  }
  if (Result<fake::LoopbackTarget> target =
          fake::ParseLoopbackUrl(message.status_callback, "StatusCallback");
      !target.ok()) {
    return target.error();
  }
  PreparedCallback callback{message.status_callback, {}};
  callback.params = {{"MessageSid", sid},
                     {"MessageStatus", status},
                     {"SmsSid", sid},
                     {"SmsStatus", status},
                     {"AccountSid", config.account_sid},
                     {"From", message.from},
                     {"To", message.to},
                     {"ApiVersion", std::string(kApiVersion)}};
  if (error_code) callback.params.emplace_back("ErrorCode", std::to_string(*error_code));
  message.status = status;
  return callback;
}

asio::awaitable<Result<int>> FakeTwilio::Impl::PostCallback(PreparedCallback callback) {
  Result<fake::SignedPostReply> reply = co_await fake::PostSigned(
      std::move(callback.url), std::move(callback.params), config.auth_token, "StatusCallback");
  if (!reply.ok()) co_return reply.error();
  co_return reply.value().status;
}

asio::awaitable<void> FakeTwilio::Impl::SendAndFulfil(
    PreparedCallback callback, std::shared_ptr<std::promise<Result<int>>> promise) {
  promise->set_value(co_await PostCallback(std::move(callback)));
}

asio::awaitable<void> FakeTwilio::Impl::AutoCallbacks(std::string sid, Millis sent_after,
                                                      Millis delivered_after,
                                                      std::optional<int> failure) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(sent_after);
  co_await timer.async_wait(kTuple);
  if (Result<PreparedCallback> sent = PrepareCallback(sid, "sent", std::nullopt); sent.ok()) {
    co_await PostCallback(std::move(sent).value());
  }
  timer.expires_after(delivered_after);
  co_await timer.async_wait(kTuple);
  Result<PreparedCallback> final_status =
      PrepareCallback(sid, failure ? "undelivered" : "delivered", failure);
  if (final_status.ok()) co_await PostCallback(std::move(final_status).value());
}

// --- FakeTwilio ---

FakeTwilio::FakeTwilio(FakeTwilioConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  asio::co_spawn(impl_->ioc, impl_->Accept(), LogFailure);
  const int threads = std::max(1, impl_->config.threads);
  for (int i = 0; i < threads; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->callback_thread = std::thread([this] { impl_->callback_ioc.run(); });
}

FakeTwilio::~FakeTwilio() { Stop(); }

void FakeTwilio::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->callback_work.reset();
  impl_->callback_ioc.stop();
  impl_->callback_thread.join();
}

std::uint16_t FakeTwilio::port() const { return impl_->bound_port; }

std::string FakeTwilio::BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port()); }

std::string FakeTwilio::MessagesPath() const { return impl_->messages_path; }

std::string FakeTwilio::CallsPath() const {
  return "/2010-04-01/Accounts/" + impl_->config.account_sid + "/Calls.json";
}

void FakeTwilio::SetRecording(const std::string& sid, std::string audio) {
  std::lock_guard lock(impl_->mu);
  impl_->recordings[sid] = std::move(audio);
}

void FakeTwilio::SetCallee(const std::string& to, FakeCallee callee) {
  impl_->calls.SetCallee(to, std::move(callee));
}

void FakeTwilio::ClearCallees() { impl_->calls.ClearCallees(); }

void FakeTwilio::SetCallRateLimit(double calls_per_second) { impl_->calls.SetRate(calls_per_second); }

void FakeTwilio::AdvanceCallClock(std::chrono::milliseconds by) { impl_->calls.Advance(by); }

std::vector<FakeTwilioCall> FakeTwilio::Calls() const { return impl_->calls.Calls(); }

std::optional<FakeTwilioCall> FakeTwilio::FindCall(std::string_view sid) const {
  return impl_->calls.Find(sid);
}

bool FakeTwilio::WaitForMessages(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mu);
  return impl_->message_added.wait_for(lock, timeout, [&] { return impl_->messages.size() >= n; });
}

bool FakeTwilio::WaitForFinishedCalls(std::size_t n, std::chrono::milliseconds timeout) const {
  return impl_->calls.WaitForFinished(n, timeout);
}

void FakeTwilio::SetLatency(std::chrono::milliseconds latency) {
  impl_->latency_ms.store(latency.count());
}

void FakeTwilio::SetPermanentError(const std::string& to, int code) {
  std::lock_guard lock(impl_->mu);
  impl_->permanent_errors[to] = code;
}

void FakeTwilio::ClearPermanentErrors() {
  std::lock_guard lock(impl_->mu);
  impl_->permanent_errors.clear();
}

void FakeTwilio::FailNextWith429(int count, int retry_after_seconds) {
  std::lock_guard lock(impl_->mu);
  impl_->fail_429 = count;
  impl_->retry_after_seconds = retry_after_seconds;
}

void FakeTwilio::FailNextWith500(int count) {
  std::lock_guard lock(impl_->mu);
  impl_->fail_500 = count;
}

void FakeTwilio::HangNext(int count, std::chrono::milliseconds duration) {
  std::lock_guard lock(impl_->mu);
  impl_->hang_count = count;
  impl_->hang_duration = duration;
}

void FakeTwilio::SetDeliveryFailure(const std::string& to, int error_code) {
  std::lock_guard lock(impl_->mu);
  impl_->delivery_failures[to] = error_code;
}

void FakeTwilio::SetRateLimit(double segments_per_second) {
  std::lock_guard lock(impl_->mu);
  impl_->rate = segments_per_second;
  impl_->buckets.clear();
}

void FakeTwilio::SetAutoCallbacks(bool enabled, std::chrono::milliseconds sent_after,
                                  std::chrono::milliseconds delivered_after) {
  std::lock_guard lock(impl_->mu);
  impl_->auto_callbacks = enabled;
  impl_->auto_sent_after = sent_after;
  impl_->auto_delivered_after = delivered_after;
}

std::future<Result<int>> FakeTwilio::SendStatusCallback(const std::string& sid,
                                                        const std::string& status,
                                                        std::optional<int> error_code) {
  auto promise = std::make_shared<std::promise<Result<int>>>();
  std::future<Result<int>> future = promise->get_future();
  Result<Impl::PreparedCallback> callback = impl_->PrepareCallback(sid, status, error_code);
  if (!callback.ok()) {
    promise->set_value(callback.error());
    return future;
  }
  asio::co_spawn(impl_->callback_ioc, impl_->SendAndFulfil(std::move(callback).value(), promise),
                 LogFailure);
  return future;
}

std::vector<FakeTwilioMessage> FakeTwilio::Messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->messages;
}

std::optional<FakeTwilioMessage> FakeTwilio::FindMessage(std::string_view sid) const {
  std::lock_guard lock(impl_->mu);
  const auto it = impl_->index.find(std::string(sid));
  if (it == impl_->index.end()) return std::nullopt;
  return impl_->messages[it->second];
}

FakeTwilioStats FakeTwilio::Stats() const {
  FakeTwilioStats stats;
  {
    std::lock_guard lock(impl_->mu);
    stats = impl_->stats;
  }
  stats.calls = impl_->calls.accepted();
  stats.call_violations = impl_->calls.violations();
  return stats;
}

std::string FakeTwilio::StatsJson() const {
  const FakeTwilioStats stats = Stats();
  auto to_object = [](const std::map<std::string, std::uint64_t>& m) {
    json::object o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
  };
  json::object out;
  out["requests"] = stats.requests;
  out["accepted"] = stats.accepted;
  out["rejected"] = stats.rejected;
  out["hung"] = stats.hung;
  out["violations"] = to_object(stats.violations_by_from);
  out["accepted_by_from"] = to_object(stats.accepted_by_from);
  out["segments_by_from"] = to_object(stats.segments_by_from);
  out["calls"] = stats.calls;
  out["call_violations"] = stats.call_violations;
  return json::serialize(out);
}

void FakeTwilio::Reset() {
  impl_->calls.Reset();
  std::lock_guard lock(impl_->mu);
  impl_->messages.clear();
  impl_->index.clear();
  impl_->stats = {};
  impl_->buckets.clear();
}

}  // namespace tocsin
