#include "tests/fakes/webhook_receiver.h"

#include <condition_variable>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <set>

namespace tocsin::test {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string B64Decode(const std::string& text) {
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return {};
  // EVP_DecodeBlock counts padding as zero bytes.
  auto pad = static_cast<int>(std::count(text.end() - std::min<std::size_t>(2, text.size()), text.end(), '='));
  out.resize(static_cast<std::size_t>(n - pad));
  return out;
}

std::string B64Encode(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string Mac(const std::string& secret, const std::string& content) {
  std::string key = B64Decode(secret.rfind("whsec_", 0) == 0 ? secret.substr(6) : secret);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &len);
  return B64Encode(mac, len);
}

}  // namespace

bool ReceiverSignatureMatches(const std::vector<std::string>& secrets, const std::string& id,
                              const std::string& timestamp, const std::string& body, const std::string& signature) {
  const std::string content = id + "." + timestamp + "." + body;
  std::size_t start = 0;
  while (start <= signature.size()) {
    auto end = signature.find(' ', start);
    auto entry = signature.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (entry.rfind("v1,", 0) == 0) {
      for (const auto& s : secrets) {
        if (entry.substr(3) == Mac(s, content)) return true;
      }
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

std::string ReceiverSign(const std::string& secret, const std::string& id, const std::string& timestamp,
                         const std::string& body) {
  return "v1," + Mac(secret, id + "." + timestamp + "." + body);
}

struct WebhookReceiver::State {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  mutable std::mutex mu;
  std::vector<std::string> secrets;
  ReceiverAnswer answer;
  std::deque<ReceiverAnswer> scripted;
  std::vector<ReceivedWebhook> received;
  std::set<int> open_fds;
  std::vector<std::thread> connections;
  std::atomic<bool> stopping{false};
  int concurrent = 0, max_concurrent = 0;
  int held = 0;
  bool released = false;
  std::condition_variable cv;  // a held answer waits on it for `released` or `stopping`
};

WebhookReceiver::WebhookReceiver(ReceiverOptions options)
    : options_(std::move(options)), state_(std::make_shared<State>()) {
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), options_.port);
  state_->acceptor.open(ep.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(ep);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  acceptor_ = std::thread([this] {
    while (!state_->stopping) {
      boost::system::error_code ec;
      tcp::socket socket(state_->ioc);
      state_->acceptor.accept(socket, ec);
      if (ec || state_->stopping) break;
      int fd = socket.release();
      std::lock_guard lock(state_->mu);
      state_->open_fds.insert(fd);
      state_->connections.emplace_back([this, fd] { Serve(fd); });
    }
  });
}

WebhookReceiver::~WebhookReceiver() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_all();
  ::shutdown(state_->acceptor.native_handle(), SHUT_RDWR);
  boost::system::error_code ec;
  state_->acceptor.close(ec);
  acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(state_->mu);
    for (int fd : state_->open_fds) ::shutdown(fd, SHUT_RDWR);
    threads.swap(state_->connections);
  }
  for (auto& t : threads) t.join();
}

std::string WebhookReceiver::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void WebhookReceiver::SetSecrets(std::vector<std::string> secrets) {
  std::lock_guard lock(state_->mu);
  state_->secrets = std::move(secrets);
}

void WebhookReceiver::Answer(ReceiverAnswer answer) {
  std::lock_guard lock(state_->mu);
  state_->answer = answer;
}

void WebhookReceiver::AnswerNext(std::vector<ReceiverAnswer> answers) {
  std::lock_guard lock(state_->mu);
  for (auto& a : answers) state_->scripted.push_back(a);
}

std::vector<ReceivedWebhook> WebhookReceiver::Received() const {
  std::lock_guard lock(state_->mu);
  return state_->received;
}

std::size_t WebhookReceiver::Count() const {
  std::lock_guard lock(state_->mu);
  return state_->received.size();
}

int WebhookReceiver::MaxConcurrent() const {
  std::lock_guard lock(state_->mu);
  return state_->max_concurrent;
}

int WebhookReceiver::Held() const {
  std::lock_guard lock(state_->mu);
  return state_->held;
}

void WebhookReceiver::Release() {
  {
    std::lock_guard lock(state_->mu);
    state_->released = true;
  }
  state_->cv.notify_all();
}

bool WebhookReceiver::Verify(const ReceivedWebhook& w) const {
  std::vector<std::string> secrets;
  if (options_.secrets) {
    secrets = options_.secrets();
  } else {
    std::lock_guard lock(state_->mu);
    secrets = state_->secrets;
  }
  return ReceiverVerifies(secrets, w);
}

bool ReceiverVerifies(const std::vector<std::string>& secrets, const ReceivedWebhook& w) {
  long long ts = std::atoll(w.timestamp.c_str());
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  if (w.id.empty() || std::llabs(now - ts) > 300) return false;
  return ReceiverSignatureMatches(secrets, w.id, w.timestamp, w.body, w.signature);
}

void WebhookReceiver::Serve(int fd) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.assign(tcp::v4(), fd, ec);
  boost::beast::flat_buffer buffer;
  while (!ec && !state_->stopping) {
    http::request<http::string_body> req;
    http::read(socket, buffer, req, ec);
    if (ec) break;
    ReceivedWebhook w{std::string(req.target()), std::string(req["webhook-id"]),
                      std::string(req["webhook-timestamp"]), std::string(req["webhook-signature"]), req.body(),
                      false, std::chrono::system_clock::now()};
    w.verified = Verify(w);
    ReceiverAnswer answer;
    {
      std::lock_guard lock(state_->mu);
      state_->received.push_back(w);
      if (!state_->scripted.empty()) {
        answer = state_->scripted.front();
        state_->scripted.pop_front();
      } else {
        answer = state_->answer;
      }
      state_->max_concurrent = std::max(state_->max_concurrent, ++state_->concurrent);
    }
    if (options_.reject_unverified && !w.verified) {
      answer = ReceiverAnswer{};
      answer.status = 401;
    }
    if (options_.on_received) options_.on_received(w);
    if (answer.hold) {
      std::unique_lock lock(state_->mu);
      ++state_->held;
      state_->cv.wait(lock, [this] { return state_->released || state_->stopping; });
      --state_->held;
    }
    if (answer.latency.count() > 0) std::this_thread::sleep_for(answer.latency);
    http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
    res.set(http::field::content_type, "text/plain");
    if (!answer.retry_after.empty()) res.set(http::field::retry_after, answer.retry_after);
    if (answer.status >= 300 && answer.status < 400) res.set(http::field::location, "http://127.0.0.1:1/elsewhere");
    res.body() = "ok";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    http::write(socket, res, ec);
    {
      std::lock_guard lock(state_->mu);
      --state_->concurrent;
    }
    if (!req.keep_alive()) break;
  }
  std::lock_guard lock(state_->mu);
  state_->open_fds.erase(fd);
  socket.close(ec);
}

}  // namespace tocsin::test
