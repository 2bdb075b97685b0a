// What the fake Twilio's own tests share: the account they configure, a blocking HTTP client
// on one keep-alive connection, and small readers of Twilio's JSON. Test code only.
#pragma once

#include <sodium.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <thread>
#include <optional>
#include <string>
#include <string_view>

#include "dispatch/channels/twilio_signature.h"
#include "tests/fakes/fake_twilio.h"

namespace tocsin::fake_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr const char* kSid = "AC0123456789abcdef0123456789abcdef";
constexpr const char* kToken = "secret-token";
constexpr const char* kSender = "+447700900001";
constexpr const char* kOtherSender = "+447700900002";
constexpr const char* kMember = "+447700900123";

inline std::string Base64(std::string_view s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()),
                    s.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();
  return out;
}

struct Reply {
  int status = 0;
  std::string body;
  std::string retry_after;
  json::value Json() const { return json::parse(body); }
};

// A plain HTTP/1.1 client on one keep-alive connection. Each call blocks until the answer
// arrives or `timeout` passes (then the connection is closed and nullopt returned).
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(ioc_) {
    stream_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }

  std::optional<Reply> Post(const std::string& target, const FormParams& form,
                            std::string_view user = kSid, std::string_view password = kToken,
                            std::chrono::milliseconds timeout = 5000ms) {
    http::request<http::string_body> request(http::verb::post, target, 11);
    request.set(http::field::host, "127.0.0.1");
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    request.set(http::field::authorization,
                "Basic " + Base64(std::string(user) + ":" + std::string(password)));
    request.keep_alive(true);
    request.body() = FormUrlEncode(form);
    request.prepare_payload();
    return Send(request, timeout);
  }

  std::optional<Reply> Send(http::request<http::string_body>& request,
                            std::chrono::milliseconds timeout) {
    http::response<http::string_body> response;
    bool done = false;
    boost::system::error_code result;
    http::async_write(stream_, request, [&](boost::system::error_code ec, std::size_t) {
      if (ec) {
        result = ec;
        done = true;
        return;
      }
      http::async_read(stream_, buffer_, response, [&](boost::system::error_code ec2, std::size_t) {
        result = ec2;
        done = true;
      });
    });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!done) {
      stream_.close();
      ioc_.restart();
      ioc_.run();
      return std::nullopt;
    }
    if (result) return std::nullopt;
    Reply reply;
    reply.status = static_cast<int>(response.result_int());
    reply.body = response.body();
    reply.retry_after = std::string(response[http::field::retry_after]);
    return reply;
  }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

inline FakeTwilioConfig Config(double rate = 0) {
  FakeTwilioConfig config;
  config.account_sid = kSid;
  config.auth_token = kToken;
  config.numbers = {kSender, kOtherSender};
  config.segments_per_second = rate;
  return config;
}

// A JSON string member as std::string ("<not a string>" otherwise), for readable CHECKs.
inline std::string Str(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : "<not a string>";
}

inline int ErrorCodeOf(const Reply& reply) {
  return static_cast<int>(reply.Json().as_object().at("code").as_int64());
}


// A loopback HTTP server standing for the application the fake calls back: one request per
// connection, answered 200 with the text/xml body `handle` returns (run on its own thread).
class LoopbackServer {
 public:
  using Handler = std::function<std::string(const http::request<http::string_body>&)>;

  explicit LoopbackServer(Handler handle)
      : handle_(std::move(handle)), acceptor_(ioc_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    asio::co_spawn(ioc_, Accept(), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~LoopbackServer() {
    ioc_.stop();
    thread_.join();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(ioc_, Serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> Serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    auto [ec, n] =
        co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    http::response<http::string_body> response(http::status::ok, 11);
    response.set(http::field::content_type, "text/xml");
    response.keep_alive(false);
    response.body() = handle_(request);
    response.prepare_payload();
    co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
  }

  const Handler handle_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace tocsin::fake_test
