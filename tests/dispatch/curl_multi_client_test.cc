// CurlMultiClient against a small Beast HTTP/1.1 server on a loopback address (its own thread,
// keep-alive). The client's io_context runs on the test thread.
#include "dispatch/net/curl_multi_client.h"

#include <boost/asio/ip/host_name.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/loopback_http_server.h"

namespace tocsin {
namespace {

using namespace tocsin::test;
using Clock = std::chrono::steady_clock;

TEST_CASE("CurlMultiClient POSTs a body with basic auth", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  HttpRequest request = FormPostWithAuth(server);
  std::optional<HttpResponse> out = Fetch(io, client, request);
  CHECK(client.InFlight() == 0);

  CHECK(out->status == 200);
  CHECK(out->error.empty());
  CHECK_FALSE(out->timed_out);
  // base64("AC123:secret")
  CHECK(out->body == "auth=Basic QUMxMjM6c2VjcmV0\nbody=To=%2B447700900123&Body=hi");
  CHECK(out->headers["x-echo-method"] == "POST");
  CHECK(out->headers["x-echo-custom"] == "forty two");
  CHECK(out->headers["x-had-expect"] == "no");
  CHECK(out->headers["content-length"] == std::to_string(out->body.size()));
}

TEST_CASE("CurlMultiClient sends GET and custom methods", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  HttpResponse get = Fetch(io, client, Get(server.Url("/ok")));
  CHECK(get.status == 200);
  CHECK(get.headers["x-echo-method"] == "GET");
  CHECK(get.headers["x-body-size"] == "0");
  CHECK(get.body == "auth=\nbody=");

  HttpRequest put;
  put.method = "PUT";
  put.url = server.Url("/ok");
  put.body = "x=1";
  HttpResponse got = Fetch(io, client, put);
  CHECK(got.status == 200);
  CHECK(got.headers["x-echo-method"] == "PUT");
  CHECK(got.body == "auth=\nbody=x=1");
}

TEST_CASE("CurlMultiClient never sends Expect: 100-continue", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  HttpRequest request;
  request.url = server.Url("/ok");
  request.body.assign(2 * 1024 * 1024, 'a');  // curl would add Expect above 1 MiB
  HttpResponse r = Fetch(io, client, request);
  CHECK(r.status == 200);
  CHECK(r.headers["x-had-expect"] == "no");
  CHECK(r.headers["x-body-size"] == "2097152");
}

TEST_CASE("CurlMultiClient captures the final response's headers, lowercase", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  HttpResponse retry = Fetch(io, client, Get(server.Url("/retry")));
  CHECK(retry.status == 429);
  CHECK(retry.headers["retry-after"] == "3");
  CHECK(retry.headers["x-dup"] == "a, b");
  CHECK(retry.headers.count("Retry-After") == 0);
  CHECK(retry.body == "slow down");

  HttpResponse interim = Fetch(io, client, Get(server.Url("/interim")));
  CHECK(interim.status == 200);
  CHECK(interim.body == "final");
  CHECK(interim.headers["x-final"] == "yes");
  CHECK(interim.headers.count("x-interim") == 0);
}

TEST_CASE("CurlMultiClient keeps only the headers a request names, whatever their case", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());
  auto request = Get(server.Url("/retry"));
  request.keep_headers = {"retry-after"};
  HttpResponse retry = Fetch(io, client, request);
  CHECK(retry.status == 429);
  CHECK(retry.headers.size() == 1);
  CHECK(retry.headers["retry-after"] == "3");  // sent as "Retry-After"
  CHECK(retry.body == "slow down");
}

TEST_CASE("CurlMultiClient reports a 500 as a status, not an error", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  HttpResponse r = Fetch(io, client, Get(server.Url("/boom")));
  CHECK(r.status == 500);
  CHECK(r.body == "boom");
  CHECK(r.error.empty());
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("CurlMultiClient times a hung request out", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  HttpRequest request = Get(server.Url("/hang"));
  request.timeout = 200ms;
  const auto start = Clock::now();
  HttpResponse r = Fetch(io, client, request);
  const auto elapsed = Clock::now() - start;
  CHECK(r.status == 0);
  CHECK(r.timed_out);
  CHECK(r.error.find("Timeout was reached") != std::string::npos);
  CHECK(r.body.empty());
  CHECK(elapsed >= 150ms);
  CHECK(elapsed < 3s);

  // The timed-out connection is closed, not reused; the client carries on.
  CHECK(Fetch(io, client, Get(server.Url("/boom"))).status == 500);
}

TEST_CASE("CurlMultiClient reports transport failures with status 0", "[curl]") {
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  // A port nobody listens on: bind one, then let it go.
  unsigned short port = 0;
  {
    tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }
  HttpResponse refused = Fetch(io, client, Get("http://127.0.0.1:" + std::to_string(port) + "/ok"));
  CHECK(refused.status == 0);
  CHECK_FALSE(refused.timed_out);
  CHECK_FALSE(refused.error.empty());

  HttpResponse ftp = Fetch(io, client, Get("ftp://127.0.0.1/file"));
  CHECK(ftp.status == 0);
  CHECK(ftp.error.find("Unsupported protocol") != std::string::npos);
}

TEST_CASE("CurlMultiClient fails requests it cannot set up, asynchronously", "[curl]") {
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  HttpRequest no_timeout = Get("http://127.0.0.1:1/");
  no_timeout.timeout = 0ms;
  HttpRequest bad_header = Get("http://127.0.0.1:1/");
  bad_header.headers = {"X-Evil: a\r\nX-Injected: b"};
  std::vector<HttpResponse> out;
  client.Start(no_timeout, [&](HttpResponse r) { out.push_back(std::move(r)); });
  client.Start(bad_header, [&](HttpResponse r) { out.push_back(std::move(r)); });
  CHECK(out.empty());
  CHECK(client.InFlight() == 2);
  REQUIRE(RunUntil(io, [&] { return out.size() == 2; }));
  CHECK(client.InFlight() == 0);
  CHECK(out[0].status == 0);
  CHECK(out[0].error == "timeout must be positive");
  CHECK(out[1].status == 0);
  CHECK(out[1].error == "header contains CR or LF");
}

TEST_CASE("CurlMultiClient refuses oversized response bodies", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  const std::size_t limit = CurlMultiClient::kMaxResponseBodyBytes;
  HttpResponse fits = Fetch(io, client, Get(server.Url("/big?bytes=" + std::to_string(limit))));
  CHECK(fits.status == 200);
  CHECK(fits.body.size() == limit);

  HttpResponse over = Fetch(io, client, Get(server.Url("/big?bytes=" + std::to_string(limit + 1))));
  CHECK(over.status == 0);
  CHECK(over.body.empty());
  CHECK(over.error.find("larger than") != std::string::npos);
}

TEST_CASE("CurlMultiClient runs requests concurrently", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());  // at most 100 connections

  constexpr int kRequests = 200;
  int done = 0;
  int ok = 0;
  const auto start = Clock::now();
  for (int i = 0; i < kRequests; ++i) {
    client.Start(Get(server.Url("/slow?ms=50")), [&](HttpResponse r) {
      ++done;
      if (r.status == 200 && r.body == "slow") ++ok;
    });
  }
  CHECK(client.InFlight() == kRequests);
  REQUIRE(RunUntil(
      io, [&] { return done == kRequests; }, 20s));
  const auto elapsed = Clock::now() - start;
  CHECK(ok == kRequests);
  CHECK(client.InFlight() == 0);
  CHECK(elapsed < 5s);  // one at a time would take 200 * 50 ms = 10 s
  CHECK(server.Connections() <= 100);
  CHECK(server.Requests() == kRequests);
}

TEST_CASE("CurlMultiClient holds queued requests to their timeout", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor(), /*max_connections=*/1);

  // The one connection hangs; the second request waits for it. curl itself does not time a
  // waiting request out.
  HttpRequest hang = Get(server.Url("/hang"));
  hang.timeout = 5s;
  HttpRequest queued = Get(server.Url("/ok"));
  queued.timeout = 300ms;
  std::optional<HttpResponse> first, second;
  client.Start(hang, [&](HttpResponse r) { first = std::move(r); });
  const auto start = Clock::now();
  client.Start(queued, [&](HttpResponse r) { second = std::move(r); });
  REQUIRE(RunUntil(io, [&] { return second.has_value(); }));
  const auto elapsed = Clock::now() - start;
  CHECK(second->status == 0);
  CHECK(second->timed_out);
  CHECK(second->error.find("Timeout was reached") != std::string::npos);
  CHECK(elapsed >= 250ms);
  CHECK(elapsed < 2s);
  CHECK_FALSE(first.has_value());
  CHECK(client.InFlight() == 1);
}

TEST_CASE("CurlMultiClient resolves host names off the event loop", "[curl]") {
  // curl resolves a name on a thread and has us watch that thread's wake-up descriptor, whose
  // number comes straight back for the connection's socket; both must stay watchable.
  // "localhost" never reaches the resolver (curl answers it itself), so use this machine's
  // name, if it maps to a loopback address.
  asio::io_context io;
  const std::string host = asio::ip::host_name();
  std::optional<asio::ip::address> loopback;
  error_code ec;
  tcp::resolver resolver(io);
  for (const auto& entry : resolver.resolve(tcp::v4(), host, "", ec)) {
    if (entry.endpoint().address().is_loopback()) loopback = entry.endpoint().address();
  }
  if (!loopback) {
    WARN("skipped: host name " << host << " does not resolve to a loopback address");
    return;
  }
  TestServer server(*loopback);
  CurlMultiClient client(io.get_executor());
  for (int i = 0; i < 5; ++i) {
    const auto start = Clock::now();
    HttpResponse r = Fetch(io, client, Get(server.UrlVia(host, "/ok")));
    CHECK(r.status == 200);
    CHECK(Clock::now() - start < 100ms);  // no fallback to curl's polling timers
  }
  CHECK(server.Connections() == 1);
}

TEST_CASE("CurlMultiClient reuses a keep-alive connection", "[curl]") {
  TestServer server;
  asio::io_context io;
  CurlMultiClient client(io.get_executor());

  // Each request starts from the previous one's callback.
  constexpr int kRequests = 20;
  int done = 0;
  int ok = 0;
  std::function<void()> next = [&] {
    client.Start(Get(server.Url("/ok")), [&](HttpResponse r) {
      ++done;
      if (r.status == 200) ++ok;
      if (done < kRequests) next();
    });
  };
  next();
  REQUIRE(RunUntil(io, [&] { return done == kRequests; }));
  CHECK(ok == kRequests);
  CHECK(server.Requests() == kRequests);
  CHECK(server.Connections() == 1);
}

TEST_CASE("Destroying CurlMultiClient drops outstanding callbacks uncalled", "[curl]") {
  TestServer server;
  asio::io_context io;
  auto client = std::make_unique<CurlMultiClient>(io.get_executor());

  int called = 0;
  auto token = std::make_shared<int>(0);  // captured by every callback: counts live ones
  for (int i = 0; i < 3; ++i) {
    client->Start(Get(server.Url("/hang")), [&called, token](HttpResponse) { ++called; });
  }
  for (int i = 0; i < 2; ++i) {
    client->Start(Get(server.Url("/slow?ms=2000")), [&called, token](HttpResponse) { ++called; });
  }
  HttpRequest bad = Get(server.Url("/ok"));
  bad.timeout = 0ms;  // a posted failure, still queued at destruction
  REQUIRE(RunUntil(io, [&] { return server.Requests() == 5; }));
  client->Start(bad, [&called, token](HttpResponse) { ++called; });
  CHECK(client->InFlight() == 6);
  CHECK(token.use_count() == 7);

  client.reset();
  CHECK(called == 0);
  CHECK(token.use_count() == 2);  // the posted failure's handler is still queued

  // Whatever was still queued on the executor runs (and does nothing); then it runs dry.
  const auto start = Clock::now();
  io.restart();
  io.run_for(5s);
  CHECK(Clock::now() - start < 2s);
  CHECK(called == 0);
  CHECK(token.use_count() == 1);
}

TEST_CASE("A CurlMultiClient callback may destroy the client", "[curl]") {
  TestServer server;
  asio::io_context io;
  auto client = std::make_unique<CurlMultiClient>(io.get_executor());

  int called = 0;
  for (int i = 0; i < 3; ++i) {
    client->Start(Get(server.Url("/ok")), [&](HttpResponse r) {
      ++called;
      CHECK(r.status == 200);
      client.reset();
    });
  }
  REQUIRE(RunUntil(io, [&] { return called > 0; }));
  io.restart();
  io.run_for(300ms);
  CHECK(called == 1);
  CHECK(client == nullptr);
}

}  // namespace
}  // namespace tocsin
