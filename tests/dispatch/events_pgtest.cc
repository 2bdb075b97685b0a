// The alert's Server-Sent Events stream through the real binary: a watcher connected before
// the alert's answers and escalation sees them as they happen, as `event:`/`data:` frames.
#include <catch2/catch.hpp>

#include <csignal>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "tests/support/alert_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;
namespace asio = boost::asio;

namespace {

// Opens the stream and keeps what arrives in a buffer (read by a thread of its own).
class Watcher {
 public:
  Watcher(int port, const std::string& path, const std::string& bearer) : socket_(ioc_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                      "Authorization: Bearer " + bearer + "\r\n\r\n";
    asio::write(socket_, asio::buffer(req));
    reader_ = std::thread([this] {
      char buf[4096];
      boost::system::error_code ec;
      for (;;) {
        auto n = socket_.read_some(asio::buffer(buf), ec);
        if (ec) break;
        std::lock_guard lock(mu_);
        text_.append(buf, n);
      }
    });
  }
  ~Watcher() {
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    reader_.join();
  }
  std::string Text() {
    std::lock_guard lock(mu_);
    return text_;
  }
  bool Saw(const std::string& s) { return Text().find(s) != std::string::npos; }

 private:
  asio::io_context ioc_;
  asio::ip::tcp::socket socket_;
  std::thread reader_;
  std::mutex mu_;
  std::string text_;
};

}  // namespace

TEST_CASE("events: deliveries, answers, escalation and the end stream as they happen", "[pg][events]") {
  AlertNetwork f;
  auto member = f.AddMember(R"({"phone":"+447700900601","areas":["SE15"]})");
  REQUIRE(f.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
      {"audience":{"areas":"alert"},"channel":"sms","until":{"going":1}}], "stand_down": true})").status == 200);
  auto token = f.c.bearer();
  // An alert raised, then watched: what happens next is streamed.
  auto alert = f.Raise();
  Watcher w(f.server->port(), "/v1/networks/demo/alerts/" + std::to_string(alert) + "/events", token);
  Eventually([&] { return w.Saw(": watching"); }, "the stream opens");
  CHECK(w.Saw("HTTP/1.1 200"));
  CHECK(w.Saw("text/event-stream"));
  f.Reply("+447700900601", "1");
  Eventually([&] { return w.Saw("event: answer\ndata: {\"member_id\":" + std::to_string(member) + ",\"answer\":\"going\"}"); },
             "the answer");
  Eventually([&] { return w.Saw("event: escalation\ndata: {\"what\":\"goal_met\"}"); }, "the goal");
  REQUIRE(f.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/resolve", "{}").status == 200);
  Eventually([&] { return w.Saw("event: alert\ndata: {\"status\":\"resolved\"}"); }, "the end");
  Eventually([&] { return w.Saw("event: delivery"); }, "the closing message's delivery");
  CHECK_FALSE(w.Saw("+44"));  // no phone number in the stream

  // Another network's token, or no such alert: no stream.
  CHECK(f.c.Get("/v1/networks/demo/alerts/999999/events").status == 404);
  CHECK(f.server->Client("").Get("/v1/networks/demo/alerts/" + std::to_string(alert) + "/events").status == 401);
  // An open stream does not hold up a graceful stop.
  CHECK(f.server->Stop(SIGTERM) == 0);
}
