// WebhookReceiver: a partner's webhook endpoint for tests, on loopback.
//
// An HTTP/1.1 server (Boost.Beast, blocking, a thread per connection, keep-alive) bound to
// 127.0.0.1 that records every request and checks its Standard Webhooks signature with an
// implementation of its own (OpenSSL's HMAC-SHA256 and base64, not Tocsin's), so a test sees
// whether a real receiver would accept what Tocsin sends. It answers as told: a status
// (200, 500, 410, 429...), an optional Retry-After, and optionally held unanswered until the test
// releases it (a slow partner, without the test waiting on the clock), scripted per request or
// as the default.
//
// Threading: every public method is thread-safe. The destructor closes the listener and every
// connection and joins the threads.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tocsin::test {

struct ReceivedWebhook {
  std::string path, id, timestamp, signature, body;
  bool verified = false;  // a v1 signature matches one of the secrets and the timestamp is fresh
};

struct ReceiverAnswer {
  int status = 200;
  std::string retry_after;  // sent as Retry-After when not empty
  bool hold = false;  // answered only once Release() is called
};

class WebhookReceiver {
 public:
  WebhookReceiver();
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

  std::uint16_t port_ = 0;
  std::shared_ptr<State> state_;
  std::thread acceptor_;
};

// The test's own Standard Webhooks signature check (OpenSSL): whether `signature` holds a v1
// entry that matches HMAC-SHA256(id.timestamp.body) under one of `secrets`.
bool ReceiverSignatureMatches(const std::vector<std::string>& secrets, const std::string& id,
                              const std::string& timestamp, const std::string& body, const std::string& signature);
// The test's own signing (OpenSSL): "v1,<base64>" for `secret` (whsec_...), for inbound tests.
std::string ReceiverSign(const std::string& secret, const std::string& id, const std::string& timestamp,
                         const std::string& body);

}  // namespace tocsin::test
