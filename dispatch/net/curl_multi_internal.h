// What the parts of CurlMultiClient share (curl_multi_client.cc: requests and their ends;
// curl_multi_sockets.cc: curl's sockets and timer on the executor; curl_multi_hooks.cc: the C
// callbacks curl calls and how a finished transfer ended). Included only by those three files.
#pragma once

#include <curl/curl.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <string>
#include <vector>

#include "dispatch/net/curl_multi_client.h"

namespace tocsin::curl_detail {

// Directions, numerically equal to curl's CURL_POLL_IN / CURL_POLL_OUT bits.
constexpr int kRead = CURL_POLL_IN;
constexpr int kWrite = CURL_POLL_OUT;
static_assert(kRead == CURL_CSELECT_IN && kWrite == CURL_CSELECT_OUT);

inline CURLM* Multi(void* multi) { return static_cast<CURLM*>(multi); }

// Sets options on an easy handle until one fails; `rc` keeps the first failure.
struct OptionSetter {
  CURL* easy;
  CURLcode rc = CURLE_OK;
  template <typename T>
  void operator()(CURLoption option, T value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  }
};

// "ddd x.y.z ...": the enhanced status code (RFC 3463) after the reply code, or empty.
std::string EnhancedCode(std::string_view line);

}  // namespace tocsin::curl_detail

namespace tocsin {

struct CurlMultiClient::Transfer {
  Transfer(CurlMultiClient* client, const boost::asio::any_io_executor& executor, std::uint64_t id,
           std::vector<void*>* spare)
      : client(client), id(id), spare(spare), deadline(executor) {}
  ~Transfer() {
    // After curl_multi_remove_handle. A handle is kept for the next request (reset then):
    // creating one per request is a good part of curl's cost per message.
    if (easy != nullptr) {
      if (spare != nullptr && spare->size() < kMaxSpareHandles) {
        spare->push_back(easy);
      } else {
        curl_easy_cleanup(easy);
      }
    }
    curl_slist_free_all(list);
  }
  static constexpr std::size_t kMaxSpareHandles = 256;

  CurlMultiClient* const client;
  const std::uint64_t id;  // tells a stale deadline handler from a transfer reusing the address
  CURL* easy = nullptr;
  std::vector<void*>* const spare;  // the client's spare handles (null: clean up instead)
  curl_slist* list = nullptr;       // HTTP: the request headers; SMTP: the recipients
  std::chrono::milliseconds timeout{0};
  // curl does not check CURLOPT_TIMEOUT_MS while a transfer waits for a free connection
  // (max_connections reached); this backstop does. Destroyed (so cancelled) with the Transfer.
  boost::asio::steady_timer deadline;
  // One of the two is in use; the request owns the data curl sends from (it does not copy).
  HttpRequest request;
  std::function<void(HttpResponse)> done;
  MailRequest mail;
  std::function<void(MailResponse)> mail_done;
  std::size_t mail_sent = 0;  // bytes of mail.message handed to curl
  // SMTP: the relay's latest refusal (a 4xx or 5xx line): curl may still say QUIT after it.
  std::string refusal;

  HttpResponse HttpOutcome(CURLcode code);  // how a finished HTTP transfer ended
  MailResponse MailOutcome(CURLcode code);  // how a finished SMTP transfer ended

  // Filled by curl's header and write callbacks.
  std::map<std::string, std::string> headers;  // of the latest response (reset per status line)
  std::string last_header;                     // for folded continuation lines
  std::string body;
  bool body_too_large = false;
  bool refused_address = false;  // Open() refused an address (public_addresses_only)
  char error[CURL_ERROR_SIZE] = {};
};

struct CurlMultiClient::Watch {
  Watch(const boost::asio::any_io_executor& executor, int fd, bool owned)
      : descriptor(executor), fd(fd), owned(owned) {}
  // A descriptor curl opened itself is curl's to close: hand it back. Normally done already
  // at CURL_POLL_REMOVE (see WatchSocket); this is the fallback at client destruction.
  ~Watch() {
    if (!owned && descriptor.is_open()) descriptor.release();
  }

  boost::asio::posix::stream_descriptor descriptor;
  const int fd;
  const bool owned;  // opened by OpenSocket(); closed by CloseSocket() or ~descriptor
  int wanted = 0;    // kRead | kWrite bits curl last asked for
  bool pending[2] = {false, false};  // a wait per direction whose handler has not yet run

  bool& Pending(int direction) { return pending[direction == curl_detail::kRead ? 0 : 1]; }
};

struct CurlMultiClient::Finished {
  // One of the two callbacks is set, with its response.
  std::function<void(HttpResponse)> done;
  HttpResponse response;
  std::function<void(MailResponse)> mail_done;
  MailResponse mail;

  static Finished Of(Transfer& t) {
    Finished f;
    f.done = std::move(t.done);
    f.mail_done = std::move(t.mail_done);
    return f;
  }
  // A failure with no answer from curl (refused, or expired): `error` in the response it carries.
  Finished& Failed(std::string error) {
    (mail_done ? mail.error : response.error) = std::move(error);
    return *this;
  }
  // May destroy the client.
  void Run() {
    if (mail_done) {
      mail_done(std::move(mail));
    } else {
      done(std::move(response));
    }
  }
};

// curl sees only these (curl_multi_hooks.cc); they forward to the client (clientp/userp) or fill
// a Transfer.
struct CurlMultiClient::CurlHooks {
  static int Socket(CURL*, curl_socket_t fd, int what, void* userp, void*) noexcept;
  static int Timer(CURLM*, long timeout_ms, void* userp) noexcept;
  // Called while the transfer connects (so it is alive): `clientp` is the Transfer. The address
  // is the one curl is about to connect to, after DNS: the place to refuse a private one.
  static curl_socket_t Open(void* clientp, curlsocktype purpose, curl_sockaddr* address) noexcept;
  static int Close(void* clientp, curl_socket_t fd) noexcept;
  // One call per header line, status lines included; the headers of every response in the
  // exchange (1xx interim ones, too) come through here, so a status line starts afresh.
  static size_t Header(char* data, size_t size, size_t count, void* userp) noexcept;
  // SMTP: libcurl hands every reply line of the relay to the header callback. Keeps the last
  // refusal (its enhanced code explains the outcome; the text is never passed on).
  static size_t MailReply(char* data, size_t size, size_t count, void* userp) noexcept;
  static size_t MailRead(char* buffer, size_t size, size_t count, void* userp) noexcept;
  static size_t Discard(char*, size_t size, size_t count, void*) noexcept;
  static size_t Write(char* data, size_t size, size_t count, void* userp) noexcept;
};

}  // namespace tocsin
