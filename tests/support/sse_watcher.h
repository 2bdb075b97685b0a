// An SSE client for tests: opens GET `path` over loopback and keeps everything that arrives in
// a buffer, read by a thread of its own, so a test can wait for frames (`Saw`), count them and
// resume from the last `id:` (Last-Event-ID).
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace tocsin::test {

// Opens the stream and keeps what arrives in a buffer (read by a thread of its own).
class SseWatcher {
 public:
  // `headers`: extra header lines, each ending in \r\n.
  SseWatcher(int port, const std::string& path, const std::string& bearer, const std::string& headers = "")
      : socket_(ioc_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" +
                      (bearer.empty() ? std::string() : "Authorization: Bearer " + bearer + "\r\n") + headers +
                      "\r\n";
    boost::asio::write(socket_, boost::asio::buffer(req));
    reader_ = std::thread([this] {
      char buf[4096];
      boost::system::error_code ec;
      for (;;) {
        auto n = socket_.read_some(boost::asio::buffer(buf), ec);
        if (ec) {
          closed_ = true;
          break;
        }
        std::lock_guard lock(mu_);
        text_.append(buf, n);
      }
    });
  }
  ~SseWatcher() {
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    reader_.join();
  }
  std::string Text() {
    std::lock_guard lock(mu_);
    return text_;
  }
  bool Saw(const std::string& s) { return Text().find(s) != std::string::npos; }
  std::size_t Count(const std::string& s) {
    auto text = Text();
    std::size_t n = 0;
    for (auto at = text.find(s); at != std::string::npos; at = text.find(s, at + 1)) ++n;
    return n;
  }
  // The server ended the stream.
  bool Closed() const { return closed_; }
  // The id of the last event received.
  std::string LastId() {
    auto text = Text();
    auto at = text.rfind("\nid: ");
    if (at == std::string::npos) return "";
    at += 5;
    return text.substr(at, text.find('\n', at) - at);
  }

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  std::thread reader_;
  std::mutex mu_;
  std::string text_;
  std::atomic<bool> closed_{false};
};

}  // namespace tocsin::test
