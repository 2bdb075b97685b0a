// A small HTTP/1.1 server on a loopback address for the outbound HTTP clients' tests
// (CurlMultiClient, OriginClient): Beast, keep-alive, its own thread. The clients' io_context
// runs on the test thread (RunUntil).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "dispatch/net/http_types.h"

namespace tocsin::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Routes:
//   /ok              200; body "auth=<Authorization>\nbody=<request body>"; echoes the method,
//                    whether an Expect header came, the body size and X-Custom in X-* headers
//   /slow?ms=N       200 after N ms
//   /retry           429 with Retry-After: 3 and X-Dup twice
//   /boom            500
//   /hang            never answers (waits for the client to close)
//   /interim         a 100 Continue carrying X-Interim, then 200 with X-Final
//   /big?bytes=N     200 with N bytes of body
//   /chunked         200 with the body "chunked body", in chunked transfer coding
//   /close           200 with Connection: close, then closes
// DropAfterEachAnswer(true): after each answer the server closes the connection without saying
// so (its answer says keep-alive), as a server does that ends an idle kept-alive connection.
class TestServer {
 public:
  explicit TestServer(asio::ip::address address = asio::ip::make_address("127.0.0.1"))
      : acceptor_(io_, {address, 0}), host_(address.to_string()) {
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() {
    io_.stop();
    thread_.join();
  }

  std::string Url(std::string_view target) const { return UrlVia(host_, target); }
  std::string UrlVia(std::string_view host, std::string_view target) const {
    return "http://" + std::string(host) + ":" + std::to_string(port_) + std::string(target);
  }
  int Connections() const { return connections_.load(); }
  void DropAfterEachAnswer(bool drop) { drop_after_answer_ = drop; }
  int Requests() const { return requests_.load(); }

 private:
  class Session : public std::enable_shared_from_this<Session> {
   public:
    Session(tcp::socket socket, TestServer& server)
        : stream_(std::move(socket)), timer_(stream_.get_executor()), server_(server) {}

    void Read() {
      parser_.emplace();
      parser_->body_limit(16 * 1024 * 1024);
      http::async_read(
          stream_, buffer_, *parser_,
          [self = shared_from_this()](error_code ec, std::size_t) { self->OnRead(ec); });
    }

   private:
    void OnRead(error_code ec) {
      if (ec) return;  // client closed (or shutdown): the session ends
      ++server_.requests_;
      const http::request<http::string_body>& req = parser_->get();
      keep_alive_ = req.keep_alive();
      const std::string target(req.target());
      const std::string path = target.substr(0, target.find('?'));
      if (path == "/ok") {
        Response res{http::status::ok, 11};
        res.set("X-Echo-Method", req.method_string());
        res.set("X-Had-Expect", req.count(http::field::expect) != 0 ? "yes" : "no");
        res.set("X-Body-Size", std::to_string(req.body().size()));
        res.set("X-Echo-Custom", req["X-Custom"]);
        res.body() =
            "auth=" + std::string(req[http::field::authorization]) + "\nbody=" + req.body();
        Reply(std::move(res));
      } else if (path == "/slow") {
        timer_.expires_after(std::chrono::milliseconds(QueryNumber(target, "ms=")));
        timer_.async_wait([self = shared_from_this()](error_code ec) {
          if (ec) return;
          Response res{http::status::ok, 11};
          res.body() = "slow";
          self->Reply(std::move(res));
        });
      } else if (path == "/retry") {
        Response res{http::status::too_many_requests, 11};
        res.set("Retry-After", "3");
        res.insert("X-Dup", "a");
        res.insert("X-Dup", "b");
        res.body() = "slow down";
        Reply(std::move(res));
      } else if (path == "/boom") {
        Response res{http::status::internal_server_error, 11};
        res.body() = "boom";
        Reply(std::move(res));
      } else if (path == "/hang") {
        Read();  // never answers; the read ends when the client closes the connection
      } else if (path == "/interim") {
        raw_ = "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n";
        asio::async_write(stream_, asio::buffer(raw_),
                          [self = shared_from_this()](error_code ec, std::size_t) {
                            if (ec) return;
                            Response res{http::status::ok, 11};
                            res.set("X-Final", "yes");
                            res.body() = "final";
                            self->Reply(std::move(res));
                          });
      } else if (path == "/chunked") {
        Response res{http::status::ok, 11};
        res.chunked(true);
        res.body() = "chunked body";
        Reply(std::move(res));
      } else if (path == "/close") {
        keep_alive_ = false;
        Response res{http::status::ok, 11};
        res.body() = "closing";
        Reply(std::move(res));
      } else if (path == "/big") {
        Response res{http::status::ok, 11};
        res.body().assign(QueryNumber(target, "bytes="), 'x');
        Reply(std::move(res));
      } else {
        Reply(Response{http::status::not_found, 11});
      }
    }

    using Response = http::response<http::string_body>;

    void Reply(Response res) {
      res_ = std::move(res);
      res_.keep_alive(keep_alive_);
      if (!res_.chunked()) res_.prepare_payload();
      // Whether to drop is decided with the answer, not after its write: the client may have read
      // the answer (and the test changed the setting) before the write's completion runs.
      const bool drop = server_.drop_after_answer_;
      http::async_write(stream_, res_, [self = shared_from_this(), drop](error_code ec, std::size_t) {
        if (ec) return;
        if (drop) {
          self->stream_.socket().close(ec);
          return;
        }
        if (!self->keep_alive_) {
          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
          return;
        }
        self->Read();
      });
    }

    static long QueryNumber(const std::string& target, std::string_view key) {
      const std::size_t at = target.find(key);
      return at == std::string::npos ? 0 : std::stol(target.substr(at + key.size()));
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Response res_;
    std::string raw_;
    bool keep_alive_ = true;
    asio::steady_timer timer_;
    TestServer& server_;
  };

  void Accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec) return;
      ++connections_;
      std::make_shared<Session>(std::move(socket), *this)->Read();
      Accept();
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::string host_;
  unsigned short port_ = 0;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::atomic<bool> drop_after_answer_{false};
  std::thread thread_;
};

// Runs `io` until `done()` holds or `limit` passes; returns done().
template <typename Pred>
bool RunUntil(asio::io_context& io, Pred done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = Clock::now() + limit;
  while (!done() && Clock::now() < deadline) {
    if (io.stopped()) io.restart();
    io.run_one_for(20ms);
  }
  return done();
}

// Runs one request to completion.

inline HttpRequest Get(std::string url) {
  HttpRequest r;
  r.method = "GET";
  r.url = std::move(url);
  return r;
}

// The first request of each client's tests: a form POST to /ok with Basic auth ("AC123",
// "secret") and X-Custom. /ok answers "auth=Basic QUMxMjM6c2VjcmV0\nbody=" + the body.
inline HttpRequest FormPostWithAuth(const TestServer& server) {
  HttpRequest request;
  request.url = server.Url("/ok");
  request.body = "To=%2B447700900123&Body=hi";
  request.basic_user = "AC123";
  request.basic_password = "secret";
  request.headers = {"X-Custom: forty two"};
  return request;
}

// Runs one request to its answer on `client` (CurlMultiClient or OriginClient), checking the
// callback contract on the way: never called inside Start(), counted in flight until it is.
template <typename Client>
HttpResponse Fetch(asio::io_context& io, Client& client, HttpRequest request) {
  std::optional<HttpResponse> out;
  const std::size_t before = client.InFlight();
  client.Start(std::move(request), [&](HttpResponse r) { out = std::move(r); });
  CHECK_FALSE(out.has_value());
  CHECK(client.InFlight() == before + 1);
  REQUIRE(RunUntil(io, [&] { return out.has_value(); }));
  return std::move(*out);
}

}  // namespace tocsin::test
