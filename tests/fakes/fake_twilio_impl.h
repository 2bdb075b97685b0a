// FakeTwilio's insides, shared by fake_twilio.cc (the server, status callbacks and the API tests
// drive) and fake_twilio_messages.cc (what the Messages API answers). Included by those two only.
#pragma once

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
namespace fake_twilio_impl {

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

inline void LogFailure(std::exception_ptr e) { fake::LogTaskFailure("fake_twilio", e); }

}  // namespace fake_twilio_impl

struct FakeTwilio::Impl {
  using Clock = std::chrono::steady_clock;
  using Millis = std::chrono::milliseconds;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;
  using tcp = boost::asio::ip::tcp;

  explicit Impl(FakeTwilioConfig c);

  boost::asio::awaitable<void> Accept();
  boost::asio::awaitable<void> Session(tcp::socket socket);

  // What to do with one request: answer it, or hang for a while and close.
  struct Outcome {
    Response response;
    std::optional<Millis> hang;
  };
  Outcome Handle(const Request& request);
  Outcome Redact(const Request& request, const std::string& sid, const FormParams& params);
  Response Json(const Request& request, boost::beast::http::status status, const boost::json::value& body);
  Response TwilioError(const Request& request, boost::beast::http::status status, int code,
                       const std::string& message);
  bool Conforms(const std::string& from, int segments, Clock::time_point now);

  // Builds the callback for message `sid` and records `status` on it.
  struct PreparedCallback {
    std::string url;
    FormParams params;
  };
  Result<PreparedCallback> PrepareCallback(const std::string& sid, const std::string& status,
                                           std::optional<int> error_code);
  boost::asio::awaitable<Result<int>> PostCallback(PreparedCallback callback);
  boost::asio::awaitable<void> SendAndFulfil(PreparedCallback callback,
                                      std::shared_ptr<std::promise<Result<int>>> promise);
  boost::asio::awaitable<void> AutoCallbacks(std::string sid, Millis sent_after, Millis delivered_after,
                                      std::optional<int> failure);

  // Immutable after construction.
  const FakeTwilioConfig config;
  const std::string messages_path;

  // The server: `threads` run `ioc`; sessions are coroutines on it.
  boost::asio::io_context ioc;
  tcp::acceptor acceptor;
  std::uint16_t bound_port = 0;  // set once in the constructor
  std::vector<std::thread> threads;
  // Status callbacks: their own loop, so a slow receiver never delays an answer.
  boost::asio::io_context callback_ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> callback_work;
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

}  // namespace tocsin
