// WebhookReceiver: a partner's webhook endpoint for tests, on loopback.
//
// An HTTP/1.1 server (Boost.Beast, blocking, a thread per connection, keep-alive) bound to
// 127.0.0.1 that records every request and checks its Standard Webhooks signature with an
// implementation of its own (OpenSSL's HMAC-SHA256 and base64, not Tocsin's), so a test sees
// whether a real receiver would accept what Tocsin sends. It answers as told: a status
// (200, 500, 410, 429...), an optional Retry-After, and optionally held unanswered until the test
// releases it (a slow partner, without the test waiting on the clock) or after a fixed latency
// (benchmarks), scripted per request or as the default.
//
// Built as a program too (webhook_receiver_main.cc: the quickstart's demo receiver), which reads
// its secrets from a file, prints each request as it arrives and refuses unverified ones.
//
// Threading: every public method is thread-safe. The destructor closes the listener and every
// connection and joins the threads. The options' callbacks run on the connections' threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tocsin::test {

struct ReceivedWebhook {
  std::string path, id, timestamp, signature, body;
  bool verified = false;  // a v1 signature matches one of the secrets and the timestamp is fresh
  std::chrono::system_clock::time_point received_at;  // once the whole request was read
};

struct ReceiverAnswer {
  int status = 200;
  std::string retry_after;  // sent as Retry-After when not empty
  bool hold = false;  // answered only once Release() is called
  std::chrono::milliseconds latency{0};  // waited before answering (a partner's own work)
};

struct ReceiverOptions {
  std::uint16_t port = 0;  // on 127.0.0.1; 0: the OS picks one (see port())
  // When set, asked for the secrets at every request instead of those given to SetSecrets.
  std::function<std::vector<std::string>()> secrets;
  // Answer 401 (whatever was scripted) to a request that does not verify.
  bool reject_unverified = false;
  // Called with each request once it is recorded and checked, before it is answered.
  std::function<void(const ReceivedWebhook&)> on_received;
};

class WebhookReceiver {
 public:
  // Binds and starts accepting; throws boost::system::system_error if the port cannot be bound.
  explicit WebhookReceiver(ReceiverOptions options = {});
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port><path>".
  std::string Url(const std::string& path = "/hook") const;
  // The secrets (whsec_...) a request may be signed with.
  void SetSecrets(std::vector<std::string> secrets);
  // The answer to every request not scripted by AnswerNext.
  void Answer(ReceiverAnswer answer);
  // The answers to the next requests, in order.
  void AnswerNext(std::vector<ReceiverAnswer> answers);

  std::vector<ReceivedWebhook> Received() const;
  std::size_t Count() const;
  // The most requests it was answering at once.
  int MaxConcurrent() const;
  // How many requests are held unanswered now (ReceiverAnswer::hold).
  int Held() const;
  // Answers every held request, and from now on holds none.
  void Release();

 private:
  struct State;
  void Serve(int fd);
  bool Verify(const ReceivedWebhook& w) const;

  const ReceiverOptions options_;
  std::uint16_t port_ = 0;
  std::shared_ptr<State> state_;
  std::thread acceptor_;
};

// The test's own Standard Webhooks signature check (OpenSSL): whether `signature` holds a v1
// entry that matches HMAC-SHA256(id.timestamp.body) under one of `secrets`.
bool ReceiverSignatureMatches(const std::vector<std::string>& secrets, const std::string& id,
                              const std::string& timestamp, const std::string& body, const std::string& signature);
// Whether a request verifies under one of `secrets`: an id, a timestamp within 5 minutes of now
// and a matching v1 signature.
bool ReceiverVerifies(const std::vector<std::string>& secrets, const ReceivedWebhook& w);
// The test's own signing (OpenSSL): "v1,<base64>" for `secret` (whsec_...), for inbound tests.
std::string ReceiverSign(const std::string& secret, const std::string& id, const std::string& timestamp,
                         const std::string& body);

}  // namespace tocsin::test
