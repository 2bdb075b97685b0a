// OriginClient against the loopback Beast server (tests/support/loopback_http_server.h) and, for
// https, a small TLS server of its own with a certificate made for the test by `openssl req`.
#include "dispatch/net/origin_client.h"

#include <unistd.h>

#include <boost/asio/ssl.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/loopback_http_server.h"

namespace tocsin {
namespace {

using namespace tocsin::test;
namespace ssl = asio::ssl;

std::string Origin(const TestServer& server) {
  return OriginClient::OriginOf(server.Url("/"));
}

OriginClient::Options Connections(int n) {
  OriginClient::Options options;
  options.max_connections = n;
  return options;
}

TEST_CASE("OriginClient POSTs a form with basic auth and keeps the connection", "[origin]") {
  TestServer server;
  asio::io_context io;
  OriginClient client(io.get_executor(), Origin(server), Connections(4));

  HttpRequest request = FormPostWithAuth(server);
  std::optional<HttpResponse> out = Fetch(io, client, request);
  CHECK(client.InFlight() == 0);
  CHECK(out->status == 200);
  CHECK(out->error.empty());
  CHECK(out->body == "auth=Basic QUMxMjM6c2VjcmV0\nbody=To=%2B447700900123&Body=hi");  // base64("AC123:secret")
  CHECK(out->headers["x-echo-method"] == "POST");
  CHECK(out->headers["x-echo-custom"] == "forty two");
  CHECK(out->headers["x-body-size"] == std::to_string(request.body.size()));

  for (int i = 0; i < 5; ++i) {
    HttpResponse again = Fetch(io, client, request);
    CHECK(again.status == 200);
  }
  HttpResponse get = Fetch(io, client, Get(server.Url("/ok")));
  CHECK(get.headers["x-echo-method"] == "GET");
  CHECK(get.body == "auth=\nbody=");
  CHECK(server.Connections() == 1);  // one request after another: one kept-alive connection
  CHECK(server.Requests() == 7);
}

TEST_CASE("OriginClient caps its connections and queues the rest in order", "[origin]") {
  TestServer server;
  asio::io_context io;
  OriginClient client(io.get_executor(), Origin(server), Connections(3));
  int finished = 0;
  for (int i = 0; i < 12; ++i) {
    client.Start(Get(server.Url("/slow?ms=30")), [&finished](HttpResponse r) {
      CHECK(r.status == 200);
      ++finished;
    });
  }
  CHECK(client.OpenConnections() == 3);
  REQUIRE(RunUntil(io, [&] { return finished == 12; }));
  CHECK(server.Connections() == 3);
  CHECK(server.Requests() == 12);

  // On one connection, queued requests go (and so finish) in the order they were started.
  OriginClient one(io.get_executor(), Origin(server), Connections(1));
  std::vector<int> order;
  for (int i = 0; i < 6; ++i) {
    one.Start(Get(server.Url("/slow?ms=5")), [&order, i](HttpResponse r) {
      CHECK(r.status == 200);
      order.push_back(i);
    });
  }
  REQUIRE(RunUntil(io, [&] { return order.size() == 6; }));
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(server.Connections() == 4);
}

TEST_CASE("OriginClient keeps the headers asked for and reads chunked and interim answers", "[origin]") {
  TestServer server;
  asio::io_context io;
  OriginClient client(io.get_executor(), Origin(server), Connections(2));

  HttpRequest retry = Get(server.Url("/retry"));
  retry.keep_headers = {"retry-after", "x-dup"};
  HttpResponse throttled = Fetch(io, client, retry);
  CHECK(throttled.status == 429);
  CHECK(throttled.headers.size() == 2);
  CHECK(throttled.headers["retry-after"] == "3");
  CHECK(throttled.headers["x-dup"] == "a, b");
  CHECK(throttled.body == "slow down");

  HttpResponse chunked = Fetch(io, client, Get(server.Url("/chunked")));
  CHECK(chunked.status == 200);
  CHECK(chunked.body == "chunked body");

  HttpResponse interim = Fetch(io, client, Get(server.Url("/interim")));
  CHECK(interim.status == 200);
  CHECK(interim.headers.count("x-final") == 1);
  CHECK(interim.headers.count("x-interim") == 0);
  CHECK(interim.body == "final");

  HttpResponse boom = Fetch(io, client, Get(server.Url("/boom")));
  CHECK(boom.status == 500);
  CHECK(boom.body == "boom");
}

TEST_CASE("OriginClient opens a new connection after Connection: close", "[origin]") {
  TestServer server;
  asio::io_context io;
  OriginClient client(io.get_executor(), Origin(server), Connections(2));
  CHECK(Fetch(io, client, Get(server.Url("/close"))).body == "closing");
  CHECK(Fetch(io, client, Get(server.Url("/ok"))).status == 200);
  CHECK(server.Connections() == 2);
  CHECK(client.OpenConnections() == 1);
}

TEST_CASE("OriginClient sends a request once more when the kept-alive connection was closed", "[origin]") {
  TestServer server;
  asio::io_context io;
  OriginClient client(io.get_executor(), Origin(server), Connections(1));
  server.DropAfterEachAnswer(true);  // each connection ends, unannounced, after its answer
  REQUIRE(Fetch(io, client, Get(server.Url("/ok"))).status == 200);
  REQUIRE(Fetch(io, client, Get(server.Url("/ok"))).status == 200);
  // The second request found the kept connection dead and went on a new one, answered once.
  CHECK(server.Connections() == 2);
  CHECK(server.Requests() == 2);
  server.DropAfterEachAnswer(false);
  CHECK(Fetch(io, client, Get(server.Url("/ok"))).status == 200);
  CHECK(server.Connections() == 3);
  CHECK(server.Requests() == 3);
  CHECK(Fetch(io, client, Get(server.Url("/ok"))).status == 200);  // that one is kept
  CHECK(server.Connections() == 3);
}

TEST_CASE("OriginClient times out a silent origin and a request that waited too long", "[origin]") {
  TestServer server;
  asio::io_context io;
  OriginClient client(io.get_executor(), Origin(server), Connections(1));
  HttpRequest hang = Get(server.Url("/hang"));
  hang.timeout = 400ms;
  HttpRequest waits = Get(server.Url("/ok"));
  waits.timeout = 150ms;  // behind the hanging one on the only connection
  std::optional<HttpResponse> hung, waited;
  client.Start(hang, [&](HttpResponse r) { hung = std::move(r); });
  client.Start(waits, [&](HttpResponse r) { waited = std::move(r); });
  REQUIRE(RunUntil(io, [&] { return hung && waited; }));
  CHECK(waited->status == 0);
  CHECK(waited->timed_out);
  CHECK(hung->status == 0);
  CHECK(hung->timed_out);
  CHECK(server.Requests() == 1);  // the queued one never went
  // The connection was closed by the timeout; the next request opens another.
  CHECK(Fetch(io, client, Get(server.Url("/ok"))).status == 200);
}

TEST_CASE("OriginClient refuses requests it cannot send, asynchronously", "[origin]") {
  TestServer server;
  asio::io_context io;
  OriginClient client(io.get_executor(), Origin(server), Connections(1));
  auto refused = [&](HttpRequest r) {
    std::optional<HttpResponse> out;
    client.Start(std::move(r), [&](HttpResponse got) { out = std::move(got); });
    CHECK_FALSE(out.has_value());
    REQUIRE(RunUntil(io, [&] { return out.has_value(); }));
    CHECK(out->status == 0);
    CHECK_FALSE(out->error.empty());
    return out->error;
  };
  CHECK(refused(Get("http://127.0.0.2:1/ok")) == "the url is not under the client's origin");
  CHECK(refused(Get(Origin(server) + "0/ok")) == "the url is not under the client's origin");
  HttpRequest header = Get(server.Url("/ok"));
  header.headers = {"X-Evil: a\r\nX-Injected: b"};
  CHECK(refused(header) == "a request header is not 'Name: value'");
  HttpRequest timeout = Get(server.Url("/ok"));
  timeout.timeout = 0ms;
  CHECK(refused(timeout) == "the request's timeout must be positive");
  CHECK(server.Requests() == 0);
  CHECK_THROWS_AS(OriginClient(io.get_executor(), "ftp://example.org", {}), std::invalid_argument);
  CHECK_THROWS_AS(OriginClient(io.get_executor(), "http://example.org/path", {}), std::invalid_argument);
  CHECK_THROWS_AS(OriginClient(io.get_executor(), "http://example.org:99999", {}), std::invalid_argument);
  CHECK(OriginClient::OriginOf("https://api.twilio.com/2010-04-01/x?y") == "https://api.twilio.com");
  CHECK(OriginClient::OriginOf("http://[::1]:8080") == "http://[::1]:8080");
}

TEST_CASE("OriginClient destroyed with requests outstanding calls none of them", "[origin]") {
  TestServer server;
  asio::io_context io;
  int called = 0;
  {
    OriginClient client(io.get_executor(), Origin(server), Connections(1));
    client.Start(Get(server.Url("/slow?ms=200")), [&](HttpResponse) { ++called; });
    client.Start(Get(server.Url("/ok")), [&](HttpResponse) { ++called; });  // queued
    RunUntil(io, [&] { return server.Requests() == 1; });
  }
  io.restart();
  io.run_for(300ms);  // whatever was pending ends without a callback
  CHECK(called == 0);
}

TEST_CASE("OriginClient: a callback may destroy the client", "[origin]") {
  TestServer server;
  asio::io_context io;
  auto client = std::make_unique<OriginClient>(io.get_executor(), Origin(server), Connections(2));
  int called = 0;
  client->Start(Get(server.Url("/ok")), [&](HttpResponse) {
    ++called;
    client.reset();
  });
  client->Start(Get(server.Url("/slow?ms=100")), [&](HttpResponse) { ++called; });
  REQUIRE(RunUntil(io, [&] { return called > 0; }));
  io.restart();
  io.run_for(300ms);
  CHECK(called == 1);
}

// A TLS origin on 127.0.0.1 with a self-signed certificate for "localhost" only: answers every
// request with 200 "over tls".
class TlsServer {
 public:
  explicit TlsServer(const std::string& dir) : context_(ssl::context::tls_server), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    context_.use_certificate_chain_file(dir + "/cert.pem");
    context_.use_private_key_file(dir + "/key.pem", ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsServer() {
    io_.stop();
    thread_.join();
  }
  std::string Origin(const std::string& host) const { return "https://" + host + ":" + std::to_string(port_); }
  int Requests() const { return requests_.load(); }

 private:
  struct Session : std::enable_shared_from_this<Session> {
    Session(tcp::socket socket, ssl::context& context, std::atomic<int>& requests) : stream(std::move(socket), context), requests(requests) {}
    void Start() {
      stream.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
        if (!ec) self->Read();
      });
    }
    void Read() {
      request = {};
      http::async_read(stream, buffer, request, [self = shared_from_this()](error_code ec, std::size_t) {
        if (ec) return;
        ++self->requests;
        self->response = {http::status::ok, 11};
        self->response.body() = "over tls";
        self->response.prepare_payload();
        http::async_write(self->stream, self->response, [self](error_code ec, std::size_t) {
          if (!ec) self->Read();
        });
      });
    }
    ssl::stream<tcp::socket> stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    std::atomic<int>& requests;
  };

  void Accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(std::move(socket), context_, requests_)->Start();
      Accept();
    });
  }

  asio::io_context io_;
  ssl::context context_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// A key and a self-signed certificate for DNS:localhost, made by the openssl command.
std::string MakeCertificate() {
  std::string dir = (std::filesystem::temp_directory_path() / ("tocsin-origin-tls-" + std::to_string(::getpid()))).string();
  std::filesystem::create_directories(dir);
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                              "-addext subjectAltName=DNS:localhost -keyout " + dir + "/key.pem -out " + dir +
                              "/cert.pem >/dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  return dir;
}

TEST_CASE("OriginClient speaks TLS and checks the certificate and its name", "[origin][tls]") {
  const std::string dir = MakeCertificate();
  TlsServer server(dir);
  asio::io_context io;
  OriginClient::Options trusting;
  trusting.ca_file = dir + "/cert.pem";

  OriginClient client(io.get_executor(), server.Origin("localhost"), trusting);
  HttpResponse ok = Fetch(io, client, Get(server.Origin("localhost") + "/x"));
  CHECK(ok.status == 200);
  CHECK(ok.body == "over tls");
  CHECK(Fetch(io, client, Get(server.Origin("localhost") + "/y")).status == 200);

  // The certificate names localhost, not 127.0.0.1.
  OriginClient by_address(io.get_executor(), server.Origin("127.0.0.1"), trusting);
  HttpResponse wrong_name = Fetch(io, by_address, Get(server.Origin("127.0.0.1") + "/x"));
  CHECK(wrong_name.status == 0);
  CHECK_THAT(wrong_name.error, Catch::Contains("could not connect"));

  // Not signed by anything the system trusts.
  OriginClient untrusting(io.get_executor(), server.Origin("localhost"), {});
  HttpResponse untrusted = Fetch(io, untrusting, Get(server.Origin("localhost") + "/x"));
  CHECK(untrusted.status == 0);
  CHECK(server.Requests() == 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tocsin
