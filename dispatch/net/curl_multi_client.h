// CurlMultiClient: outbound HTTP(S) requests to SMS providers and emails to an SMTP relay
// (MailRequest), many at once, on one executor.
//
// Built on libcurl's multi-socket interface: curl tells us which descriptors to watch and when
// its next timeout is due (CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION); Asio waits for
// readiness and expiry and hands each event back with curl_multi_socket_action. There is no
// thread per request, and finished connections stay in curl's cache for the next request to
// the same host (keep-alive).
//
// Ownership: the client owns the CURLM handle, one easy handle per request in flight, and an
// Asio descriptor for every TCP socket curl opens (CURLOPT_OPENSOCKETFUNCTION creates it,
// CURLOPT_CLOSESOCKETFUNCTION closes it), so no descriptor is ever closed behind Asio's back.
// Descriptors curl creates itself (the threaded DNS resolver's wake-up socket) are watched
// but stay curl's: released, never closed, when curl stops asking for them.
//
// Deadlines: each request ends by its `timeout`, enforced by curl and, for a request still
// waiting for a connection (curl does not time those out), by the client's own timer.
//
// Threading rule: the client is not thread-safe. Every public method, the constructor and the
// destructor must be called on the client's executor: from a handler running on it (a
// single-threaded io_context, or a strand), or while nothing runs that executor. Nothing is
// posted to the executor on the caller's behalf. All curl calls and all `done` callbacks run on
// that executor.
//
// Callbacks:
//  1. `done` is called exactly once per Start(), on the executor, never from inside Start().
//  2. If the client is destroyed first, `done` is never called: the destructor aborts every
//     transfer and destroys its callback uncalled (releasing whatever it captured). This
//     includes transfers that finished in the same event as a callback that destroys the
//     client: once the destructor has begun, no further callback runs.
//  3. A callback may call Start() and may destroy the client. It must not throw.
//
// Request bodies and mail envelopes are never logged or copied into error text (they hold phone
// numbers and email addresses); neither is an SMTP relay's reply text (it often quotes them).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dispatch/net/http_types.h"

namespace tocsin {

// One email handed to an SMTP relay: the envelope and the message libcurl uploads after DATA
// (dot-stuffing is libcurl's). The relay's connection is kept for the next mail (same URL and
// credentials), as for HTTP.
struct MailRequest {
  std::string url;                 // smtp://host:port or smtps://host:port only
  bool require_tls = true;         // smtp://: STARTTLS or fail (CURLUSESSL_ALL); smtps: always TLS
  std::string username, password;  // SMTP AUTH when username is non-empty
  std::string mail_from;           // envelope sender address, without <>
  std::vector<std::string> recipients;  // envelope recipient addresses, without <>; no CR or LF
  std::string message;                  // RFC 5322, CRLF line ends
  std::chrono::milliseconds timeout{30000};  // the whole exchange, from Start(); must be positive
};

struct MailResponse {
  bool sent = false;      // the relay accepted the message (2xx after the data)
  int reply = 0;          // the relay's last reply code (250, 451, 550...), 0 when none came
  std::string enhanced;   // that reply's RFC 3463 status code ("5.1.1"), if it gave one
  // Which exchange the last reply answered, when it was not the greeting, EHLO, AUTH or MAIL:
  bool recipient_refused = false;  // RCPT TO was refused
  bool data_sent = false;          // the whole message went up: the reply judged the message
  int curl_code = 0;      // curl's CURLcode (0: CURLE_OK)
  std::string error;      // when !sent: curl's text, without the relay's words or any address
  bool timed_out = false;
};

class CurlMultiClient {
 public:
  // Largest response body accepted; a longer one fails the request (status 0).
  static constexpr std::size_t kMaxResponseBodyBytes = 4 * 1024 * 1024;

  // `max_connections` caps open connections, in total and per host (values below 1 mean 1).
  // Requests beyond it wait in curl for a connection to free up.
  explicit CurlMultiClient(boost::asio::any_io_executor executor, int max_connections = 100);
  // Aborts outstanding transfers; their callbacks are destroyed uncalled (see above).
  ~CurlMultiClient();
  CurlMultiClient(const CurlMultiClient&) = delete;
  CurlMultiClient& operator=(const CurlMultiClient&) = delete;

  // Starts a request; `done` is called exactly once on the client's executor (unless the client
  // is destroyed first). A request that cannot be set up (bad header, non-positive timeout,
  // curl refusing the handle) completes with status 0 and an error, still asynchronously.
  void Start(HttpRequest request, std::function<void(HttpResponse)> done);
  // Sends one email, with the same guarantees for `done`.
  void Start(MailRequest request, std::function<void(MailResponse)> done);

  // Start() calls whose `done` has not run yet.
  std::size_t InFlight() const;

 private:
  struct Transfer;   // one request in flight: its easy handle, buffers and callback
  struct Watch;      // one descriptor curl asked us to watch
  struct Finished;   // a completed request waiting for its callback
  struct CurlHooks;  // the C callbacks curl calls (curl_multi_internal.h)

  // Called by curl (through CurlHooks), always from inside a curl call on the executor.
  void WatchSocket(int fd, int what);                      // CURLMOPT_SOCKETFUNCTION
  void SetTimer(long timeout_ms);                          // CURLMOPT_TIMERFUNCTION
  int OpenSocket(int family, int socktype, int protocol);  // CURLOPT_OPENSOCKETFUNCTION
  int CloseSocket(int fd);                                 // CURLOPT_CLOSESOCKETFUNCTION

  // Asio completions; each ends by running the callbacks of whatever finished.
  void ArmWait(const std::shared_ptr<Watch>& watch, int direction);
  void OnSocketReady(const std::shared_ptr<Watch>& watch, int direction,
                     const boost::system::error_code& ec);
  void OnTimer();
  void Expire(void* easy, std::uint64_t id);  // the request's own deadline passed

  // A Transfer for a request, on a fresh or spare easy handle with the options every protocol
  // shares; null (with `error` set) if none could be made.
  std::unique_ptr<Transfer> NewTransfer(std::chrono::milliseconds timeout, std::string& error);
  // Adds a configured transfer to the multi handle and arms its deadline; false if curl refused.
  bool Launch(std::unique_ptr<Transfer>& t, std::string& error);
  std::vector<Finished> CollectFinished();
  void FailSoon(Finished failure);
  // Runs the callbacks in order; stops, dropping the rest, once `alive` expires (a callback
  // destroyed the client). Touches no member, so it may outlive the client.
  static void Deliver(std::vector<Finished> finished, const std::weak_ptr<int>& alive);

  // Immutable after construction.
  boost::asio::any_io_executor executor_;
  void* multi_ = nullptr;  // CURLM*; void* keeps <curl/curl.h> out of this header

  // Only on executor_.
  // Expires when the destructor starts. Handlers still queued on the executor hold a weak_ptr
  // to it and return without touching `this` once it has expired.
  std::shared_ptr<int> alive_;
  bool closing_ = false;  // the destructor is tearing curl down: arm nothing
  boost::asio::steady_timer timer_;
  std::unordered_map<void*, std::unique_ptr<Transfer>> transfers_;  // by CURL*
  std::vector<void*> spare_easy_;  // CURL* handles of finished transfers, reset for reuse
  std::unordered_map<int, std::shared_ptr<Watch>> watches_;         // by descriptor
  std::size_t failing_ = 0;  // FailSoon() callbacks posted, not yet run
  std::uint64_t next_id_ = 0;
};

}  // namespace tocsin
