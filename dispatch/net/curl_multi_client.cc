#include "dispatch/net/curl_multi_client.h"

#include "dispatch/net/http_text.h"
#include "dispatch/util/ip_address.h"

#include <curl/curl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cctype>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace tocsin {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Directions, numerically equal to curl's CURL_POLL_IN / CURL_POLL_OUT bits.
constexpr int kRead = CURL_POLL_IN;
constexpr int kWrite = CURL_POLL_OUT;
static_assert(kRead == CURL_CSELECT_IN && kWrite == CURL_CSELECT_OUT);

CURLM* Multi(void* multi) { return static_cast<CURLM*>(multi); }

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
std::string EnhancedCode(std::string_view line) {
  if (line.size() < 9 || (line[3] != ' ' && line[3] != '-')) return {};
  std::string_view rest = line.substr(4);
  const std::size_t end = rest.find_first_of(" \r\n");
  const std::string_view code = rest.substr(0, end);
  int dots = 0;
  for (char c : code) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return {};
    }
  }
  if (dots != 2 || code.size() < 5 || code[0] != line[0]) return {};
  return std::string(code);
}

}  // namespace

struct CurlMultiClient::Transfer {
  Transfer(CurlMultiClient* client, const asio::any_io_executor& executor, std::uint64_t id,
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
  asio::steady_timer deadline;
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

HttpResponse CurlMultiClient::Transfer::HttpOutcome(CURLcode code) {
  HttpResponse response;
  long status = 0;
  if (code == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK && status != 0) {
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
  } else if (code == CURLE_OK) {
    response.error = "no HTTP response";  // can't happen over http(s); keeps status 0 explained
  } else {
    response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    response.refused_address = refused_address;
    if (refused_address) {
      response.error = "refused: the host resolves to a loopback, private, link-local or reserved address";
    } else if (body_too_large) {
      response.error = "response body larger than " +
                       std::to_string(CurlMultiClient::kMaxResponseBodyBytes) + " bytes";
    } else {
      response.error = curl_easy_strerror(code);
      if (error[0] != '\0') response.error.append(" (").append(error).append(")");
    }
  }
  return response;
}

MailResponse CurlMultiClient::Transfer::MailOutcome(CURLcode code) {
  MailResponse response;
  long last = 0;  // curl's CURLINFO_RESPONSE_CODE is the last SMTP reply code
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &last);
  response.reply = static_cast<int>(last);
  response.sent = code == CURLE_OK;
  response.curl_code = static_cast<int>(code);
  response.data_sent = !mail.message.empty() && mail_sent == mail.message.size();
  // curl 7.88's words for a refused RCPT TO ("RCPT failed: 550"); no other code tells them apart.
  response.recipient_refused = code == CURLE_SEND_ERROR && std::string_view(error).starts_with("RCPT failed");
  // The enhanced code only of the reply line that code came from.
  if (last >= 400 && refusal.starts_with(std::to_string(last))) {
    response.enhanced = EnhancedCode(refusal);
  }
  if (!response.sent) {
    response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    response.error = curl_easy_strerror(code);
    // curl's own words name the relay and the reply code; never keep any that quote an address.
    const std::string_view detail = error;
    if (!detail.empty() && detail.find('@') == std::string_view::npos) {
      response.error.append(" (").append(detail).append(")");
    }
  }
  return response;
}

struct CurlMultiClient::Watch {
  Watch(const asio::any_io_executor& executor, int fd, bool owned)
      : descriptor(executor), fd(fd), owned(owned) {}
  // A descriptor curl opened itself is curl's to close: hand it back. Normally done already
  // at CURL_POLL_REMOVE (see WatchSocket); this is the fallback at client destruction.
  ~Watch() {
    if (!owned && descriptor.is_open()) descriptor.release();
  }

  asio::posix::stream_descriptor descriptor;
  const int fd;
  const bool owned;  // opened by OpenSocket(); closed by CloseSocket() or ~descriptor
  int wanted = 0;    // kRead | kWrite bits curl last asked for
  bool pending[2] = {false, false};  // a wait per direction whose handler has not yet run

  bool& Pending(int direction) { return pending[direction == kRead ? 0 : 1]; }
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

// curl sees only these; they forward to the client (clientp/userp) or fill a Transfer.
struct CurlMultiClient::CurlHooks {
  static int Socket(CURL*, curl_socket_t fd, int what, void* userp, void*) noexcept {
    static_cast<CurlMultiClient*>(userp)->WatchSocket(fd, what);
    return 0;
  }

  static int Timer(CURLM*, long timeout_ms, void* userp) noexcept {
    static_cast<CurlMultiClient*>(userp)->SetTimer(timeout_ms);
    return 0;
  }

  // Called while the transfer connects (so it is alive): `clientp` is the Transfer. The address
  // is the one curl is about to connect to, after DNS: the place to refuse a private one.
  static curl_socket_t Open(void* clientp, curlsocktype purpose, curl_sockaddr* address) noexcept {
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
    auto* t = static_cast<Transfer*>(clientp);
    if (t->request.public_addresses_only && !IsPublicAddress(&address->addr)) {
      t->refused_address = true;
      return CURL_SOCKET_BAD;
    }
    return t->client->OpenSocket(address->family, address->socktype, address->protocol);
  }

  static int Close(void* clientp, curl_socket_t fd) noexcept {
    return static_cast<CurlMultiClient*>(clientp)->CloseSocket(fd);
  }

  // One call per header line, status lines included; the headers of every response in the
  // exchange (1xx interim ones, too) come through here, so a status line starts afresh.
  static size_t Header(char* data, size_t size, size_t count, void* userp) noexcept {
    auto* t = static_cast<Transfer*>(userp);
    const size_t n = size * count;
    std::string_view line(data, n);
    if (line.substr(0, 5) == "HTTP/") {
      t->headers.clear();
      t->last_header.clear();
      return n;
    }
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      // Obsolete line folding: continues the previous header's value.
      std::string_view more = TrimHttpSpace(line);
      if (!t->last_header.empty() && !more.empty()) {
        t->headers[t->last_header].append(" ").append(more);
      }
      return n;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return n;  // the blank line ending the block
    std::string_view raw_name = TrimHttpSpace(line.substr(0, colon));
    if (!t->request.keep_headers.empty() &&
        std::none_of(t->request.keep_headers.begin(), t->request.keep_headers.end(),
                     [raw_name](const std::string& keep) { return EqualsIgnoringCase(raw_name, keep); })) {
      t->last_header.clear();  // a folded continuation of it is dropped too
      return n;
    }
    std::string name = AsciiLower(raw_name);
    std::string_view value = TrimHttpSpace(line.substr(colon + 1));
    auto [it, inserted] = t->headers.try_emplace(name, value);
    if (!inserted) it->second.append(", ").append(value);
    t->last_header = std::move(name);
    return n;
  }

  // SMTP: libcurl hands every reply line of the relay to the header callback. Keeps the last
  // refusal (its enhanced code explains the outcome; the text is never passed on).
  static size_t MailReply(char* data, size_t size, size_t count, void* userp) noexcept {
    auto* t = static_cast<Transfer*>(userp);
    const size_t n = size * count;
    if (n > 0 && (data[0] == '4' || data[0] == '5')) t->refusal.assign(data, std::min<size_t>(n, 512));
    return n;
  }

  static size_t MailRead(char* buffer, size_t size, size_t count, void* userp) noexcept {
    auto* t = static_cast<Transfer*>(userp);
    const size_t n = std::min(size * count, t->mail.message.size() - t->mail_sent);
    std::memcpy(buffer, t->mail.message.data() + t->mail_sent, n);
    t->mail_sent += n;
    return n;
  }

  static size_t Discard(char*, size_t size, size_t count, void*) noexcept { return size * count; }

  static size_t Write(char* data, size_t size, size_t count, void* userp) noexcept {
    auto* t = static_cast<Transfer*>(userp);
    const size_t n = size * count;
    if (t->body.size() + n > kMaxResponseBodyBytes) {
      t->body_too_large = true;
      return 0;  // fails the transfer with CURLE_WRITE_ERROR
    }
    t->body.append(data, n);
    return n;
  }
};

CurlMultiClient::CurlMultiClient(asio::any_io_executor executor, int max_connections)
    : executor_(std::move(executor)), alive_(std::make_shared<int>(0)), timer_(executor_) {
  static std::once_flag global_init;
  std::call_once(global_init, [] {
    // Never paired with curl_global_cleanup: other clients may live until exit.
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  });
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  const long max = std::max(max_connections, 1);
  curl_multi_setopt(Multi(multi_), CURLMOPT_SOCKETFUNCTION, &CurlHooks::Socket);
  curl_multi_setopt(Multi(multi_), CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(Multi(multi_), CURLMOPT_TIMERFUNCTION, &CurlHooks::Timer);
  curl_multi_setopt(Multi(multi_), CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(Multi(multi_), CURLMOPT_MAX_TOTAL_CONNECTIONS, max);
  curl_multi_setopt(Multi(multi_), CURLMOPT_MAX_HOST_CONNECTIONS, max);
  // Keep as many idle connections as we may open, for reuse (curl's default is smaller).
  curl_multi_setopt(Multi(multi_), CURLMOPT_MAXCONNECTS, max);
}

CurlMultiClient::~CurlMultiClient() {
  alive_.reset();   // queued handlers and posted failures now drop out
  closing_ = true;  // curl's callbacks below must not start new waits
  for (auto& [easy, transfer] : transfers_) curl_multi_remove_handle(Multi(multi_), easy);
  transfers_.clear();  // their handles go to spare_easy_; callbacks are destroyed uncalled
  for (void* easy : spare_easy_) curl_easy_cleanup(static_cast<CURL*>(easy));
  spare_easy_.clear();
  // Closes the cached connections, each through CloseSocket() while watches_ still exists.
  curl_multi_cleanup(Multi(multi_));
  watches_.clear();
}

std::size_t CurlMultiClient::InFlight() const { return transfers_.size() + failing_; }

std::unique_ptr<CurlMultiClient::Transfer> CurlMultiClient::NewTransfer(
    std::chrono::milliseconds timeout, std::string& error) {
  if (timeout <= std::chrono::milliseconds::zero()) {
    error = "timeout must be positive";
    return nullptr;
  }
  auto t = std::make_unique<Transfer>(this, executor_, ++next_id_, &spare_easy_);
  if (!spare_easy_.empty()) {
    t->easy = static_cast<CURL*>(spare_easy_.back());
    spare_easy_.pop_back();
    curl_easy_reset(t->easy);  // every option back to its default; connections stay cached
  } else {
    t->easy = curl_easy_init();
  }
  if (t->easy == nullptr) {
    error = "curl_easy_init failed";
    return nullptr;
  }
  t->timeout = timeout;
  OptionSetter set{t->easy};
  set(CURLOPT_PRIVATE, static_cast<void*>(t.get()));
  set(CURLOPT_ERRORBUFFER, t->error);
  set(CURLOPT_NOPROXY, "*");
  set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts; we are multi-threaded
  // When a request ends while its name lookup still runs (timeout, destructor), detach the
  // resolver thread (it cleans up after itself) instead of joining it on the executor.
  set(CURLOPT_QUICK_EXIT, 1L);
  set(CURLOPT_TCP_NODELAY, 1L);
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  // The connection's sockets belong to the client, not to this request: curl may close them
  // (through the client pointer) after the request is gone, as late as curl_multi_cleanup().
  // Opening happens only while this request connects, so it may see the request.
  set(CURLOPT_OPENSOCKETFUNCTION, &CurlHooks::Open);
  set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(t.get()));
  set(CURLOPT_CLOSESOCKETFUNCTION, &CurlHooks::Close);
  set(CURLOPT_CLOSESOCKETDATA, static_cast<void*>(this));
  if (set.rc != CURLE_OK) {
    error = curl_easy_strerror(set.rc);
    return nullptr;  // ~Transfer cleans up the handle
  }
  return t;
}

bool CurlMultiClient::Launch(std::unique_ptr<Transfer>& t, std::string& error) {
  // Only sets curl's timer (to 0): the transfer starts from OnTimer(), never inside Start().
  if (CURLMcode mc = curl_multi_add_handle(Multi(multi_), t->easy); mc != CURLM_OK) {
    error = curl_multi_strerror(mc);
    return false;
  }
  t->deadline.expires_after(t->timeout);
  t->deadline.async_wait(
      [this, alive = std::weak_ptr<int>(alive_), easy = t->easy, id = t->id](const error_code& ec) {
        if (ec || alive.expired()) return;
        Expire(easy, id);
      });
  void* easy = t->easy;
  transfers_.emplace(easy, std::move(t));
  return true;
}

void CurlMultiClient::Start(HttpRequest request, std::function<void(HttpResponse)> done) {
  Finished failure;
  failure.done = std::move(done);
  for (const std::string& header : request.headers) {
    if (header.find_first_of("\r\n") != std::string::npos) {
      FailSoon(std::move(failure.Failed("header contains CR or LF")));
      return;
    }
  }
  std::string error;
  std::unique_ptr<Transfer> t = NewTransfer(request.timeout, error);
  if (t == nullptr) {
    FailSoon(std::move(failure.Failed(std::move(error))));
    return;
  }
  t->request = std::move(request);
  const HttpRequest& r = t->request;

  // "Expect:" stops curl sending "Expect: 100-continue" (and waiting for it) on large bodies.
  t->list = curl_slist_append(t->list, "Expect:");
  for (const std::string& header : r.headers) {
    t->list = curl_slist_append(t->list, header.c_str());
  }

  OptionSetter set{t->easy};
  set(CURLOPT_URL, r.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_USERAGENT, "tocsin");
  set(CURLOPT_HTTPHEADER, t->list);
  set(CURLOPT_HEADERFUNCTION, &CurlHooks::Header);
  set(CURLOPT_HEADERDATA, static_cast<void*>(t.get()));
  set(CURLOPT_WRITEFUNCTION, &CurlHooks::Write);
  set(CURLOPT_WRITEDATA, static_cast<void*>(t.get()));
  if (r.method == "GET") {
    set(CURLOPT_HTTPGET, 1L);
  } else if (r.method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else {
    if (r.method == "POST" || !r.body.empty()) {
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      set(CURLOPT_POSTFIELDS, r.body.data());
    }
    if (r.method != "POST") set(CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  if (!r.basic_user.empty()) {
    set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    set(CURLOPT_USERNAME, r.basic_user.c_str());
    set(CURLOPT_PASSWORD, r.basic_password.c_str());
  }
  if (set.rc != CURLE_OK) error = curl_easy_strerror(set.rc);
  t->done = std::move(failure.done);
  if (set.rc != CURLE_OK || !Launch(t, error)) FailSoon(std::move(Finished::Of(*t).Failed(error)));
}

void CurlMultiClient::Start(MailRequest request, std::function<void(MailResponse)> done) {
  Finished failure;
  failure.mail_done = std::move(done);
  const bool smtp = request.url.starts_with("smtp://") || request.url.starts_with("smtps://");
  bool clean = request.mail_from.find_first_of("\r\n") == std::string::npos;
  for (const std::string& to : request.recipients) {
    clean = clean && to.find_first_of("\r\n") == std::string::npos;
  }
  if (!smtp || !clean || request.recipients.empty()) {
    FailSoon(std::move(failure.Failed(!smtp    ? "not an smtp:// or smtps:// URL"
                                      : !clean ? "envelope address contains CR or LF"
                                               : "no recipient")));
    return;
  }
  std::string error;
  std::unique_ptr<Transfer> t = NewTransfer(request.timeout, error);
  if (t == nullptr) {
    FailSoon(std::move(failure.Failed(std::move(error))));
    return;
  }
  t->mail = std::move(request);
  const MailRequest& r = t->mail;
  for (const std::string& to : r.recipients) t->list = curl_slist_append(t->list, to.c_str());

  OptionSetter set{t->easy};
  set(CURLOPT_URL, r.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  set(CURLOPT_USE_SSL, static_cast<long>(r.require_tls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  set(CURLOPT_MAIL_FROM, r.mail_from.c_str());
  set(CURLOPT_MAIL_RCPT, t->list);
  set(CURLOPT_UPLOAD, 1L);
  set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.message.size()));
  set(CURLOPT_READFUNCTION, &CurlHooks::MailRead);
  set(CURLOPT_READDATA, static_cast<void*>(t.get()));
  set(CURLOPT_HEADERFUNCTION, &CurlHooks::MailReply);
  set(CURLOPT_HEADERDATA, static_cast<void*>(t.get()));
  set(CURLOPT_WRITEFUNCTION, &CurlHooks::Discard);
  if (!r.username.empty()) {
    set(CURLOPT_USERNAME, r.username.c_str());
    set(CURLOPT_PASSWORD, r.password.c_str());
  }
  if (set.rc != CURLE_OK) error = curl_easy_strerror(set.rc);
  t->mail_done = std::move(failure.mail_done);
  if (set.rc != CURLE_OK || !Launch(t, error)) FailSoon(std::move(Finished::Of(*t).Failed(error)));
}

void CurlMultiClient::Expire(void* easy, std::uint64_t id) {
  auto it = transfers_.find(easy);
  if (it == transfers_.end() || it->second->id != id) return;  // finished meanwhile
  std::unique_ptr<Transfer> t = std::move(it->second);
  transfers_.erase(it);
  // Closes the connection if the transfer had one; may call WatchSocket and CloseSocket.
  curl_multi_remove_handle(Multi(multi_), t->easy);
  std::vector<Finished> finished;
  Finished f = Finished::Of(*t);
  f.Failed(std::string(curl_easy_strerror(CURLE_OPERATION_TIMEDOUT)) + " (no response within " +
           std::to_string(t->timeout.count()) + " ms)");
  f.response.timed_out = f.mail.timed_out = true;
  finished.push_back(std::move(f));
  t.reset();
  for (Finished& more : CollectFinished()) finished.push_back(std::move(more));
  Deliver(std::move(finished), alive_);
}

void CurlMultiClient::FailSoon(Finished failure) {
  ++failing_;
  // Posted so that `done` never runs inside Start() (callers may hold locks or half-built
  // state there).
  asio::post(executor_, [this, alive = std::weak_ptr<int>(alive_),
                         failure = std::move(failure)]() mutable {
    if (alive.expired()) return;
    --failing_;
    failure.Run();  // may destroy the client: nothing after this
  });
}

int CurlMultiClient::OpenSocket(int family, int socktype, int protocol) {
  const int fd = ::socket(family, socktype | SOCK_CLOEXEC, protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  if (auto stale = watches_.find(fd); stale != watches_.end()) {
    // Can't happen (curl removes a descriptor before closing it). Let go of the old number
    // before registering the new socket under it, never after: Asio's deregistration would
    // remove the new socket from epoll.
    if (stale->second->descriptor.is_open()) stale->second->descriptor.release();
    watches_.erase(stale);
  }
  auto watch = std::make_shared<Watch>(executor_, fd, /*owned=*/true);
  error_code ec;
  watch->descriptor.assign(fd, ec);
  if (ec) {
    ::close(fd);
    return CURL_SOCKET_BAD;
  }
  watches_.emplace(fd, std::move(watch));
  return fd;
}

int CurlMultiClient::CloseSocket(int fd) {
  auto it = watches_.find(fd);
  if (it == watches_.end() || !it->second->owned) return ::close(fd);  // not ours; can't happen
  std::shared_ptr<Watch> watch = std::move(it->second);
  watches_.erase(it);
  watch->wanted = 0;
  error_code ec;
  // Cancels its waits; their handlers find the Watch gone (or, if one is running now,
  // find the descriptor closed) and do nothing.
  watch->descriptor.close(ec);
  return ec ? -1 : 0;
}

void CurlMultiClient::WatchSocket(int fd, int what) {
  auto it = watches_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (it == watches_.end()) return;
    Watch& watch = *it->second;
    watch.wanted = 0;
    if (watch.owned) {
      // Idle in curl's connection cache: keep the socket, but stop waiting on it so that an
      // idle client holds no outstanding work on the executor.
      error_code ec;
      watch.descriptor.cancel(ec);
    } else {
      // curl closes it next, and its number may come straight back from socket(). Release it
      // now: the Watch itself may outlive this call (held by the running handler), and
      // releasing later would deregister whatever socket then has the number.
      watch.descriptor.release();
      watches_.erase(it);
    }
    return;
  }
  if (it == watches_.end()) {
    // A descriptor curl opened without OpenSocket() (the threaded resolver's wake-up socket):
    // watched until CURL_POLL_REMOVE, never closed by us.
    auto watch = std::make_shared<Watch>(executor_, fd, /*owned=*/false);
    error_code ec;
    watch->descriptor.assign(fd, ec);
    if (ec) return;  // the transfer still ends by its timeout
    it = watches_.emplace(fd, std::move(watch)).first;
  }
  std::shared_ptr<Watch> watch = it->second;
  watch->wanted = what & (kRead | kWrite);
  ArmWait(watch, kRead);
  ArmWait(watch, kWrite);
}

void CurlMultiClient::ArmWait(const std::shared_ptr<Watch>& watch, int direction) {
  if (closing_ || !(watch->wanted & direction) || watch->Pending(direction) ||
      !watch->descriptor.is_open()) {
    return;
  }
  watch->Pending(direction) = true;
  // Asio re-arms epoll (EPOLL_CTL_MOD) when it queues a wait on a descriptor nothing waits on,
  // so readiness that arrived in between, or that a dropped wait consumed, is still reported.
  watch->descriptor.async_wait(
      direction == kRead ? asio::posix::descriptor_base::wait_read
                         : asio::posix::descriptor_base::wait_write,
      [this, weak = std::weak_ptr<Watch>(watch), direction](const error_code& ec) {
        // Watches live only in watches_, so a live Watch means a live client; an expired
        // one means the socket was closed or the client destroyed: `this` may dangle.
        if (std::shared_ptr<Watch> w = weak.lock()) OnSocketReady(w, direction, ec);
      });
}

void CurlMultiClient::OnSocketReady(const std::shared_ptr<Watch>& watch, int direction,
                                    const error_code& ec) {
  watch->Pending(direction) = false;
  if (ec == asio::error::operation_aborted) {
    // Cancelled by CURL_POLL_REMOVE; curl may have asked for the socket again since.
    ArmWait(watch, direction);
    return;
  }
  // A wait curl no longer wants (it switched direction) is dropped; curl asks again if needed.
  if (watch->wanted & direction) {
    int running = 0;
    curl_multi_socket_action(Multi(multi_), watch->fd, ec ? CURL_CSELECT_ERR : direction, &running);
    // On an error curl decides; waiting again could spin on a broken descriptor.
    if (!ec) ArmWait(watch, direction);
  }
  Deliver(CollectFinished(), alive_);
}

void CurlMultiClient::SetTimer(long timeout_ms) {
  if (closing_) return;
  if (timeout_ms < 0) {
    timer_.cancel();
    return;
  }
  // curl forbids calling back into it from this callback: act later, even for 0. "Now" (curl
  // asks for it on every new transfer) is a post, not a timer: re-arming the reactor's timer
  // costs a system call.
  if (timeout_ms == 0) {
    timer_.cancel();
    asio::post(executor_, [this, alive = std::weak_ptr<int>(alive_)] {
      if (!alive.expired()) OnTimer();
    });
    return;
  }
  timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](const error_code& ec) {
    // A wait that completed before being replaced still runs: an early socket_action is
    // harmless (curl only acts on what is due).
    if (ec || alive.expired()) return;
    OnTimer();
  });
}

void CurlMultiClient::OnTimer() {
  int running = 0;
  curl_multi_socket_action(Multi(multi_), CURL_SOCKET_TIMEOUT, 0, &running);
  Deliver(CollectFinished(), alive_);
}

std::vector<CurlMultiClient::Finished> CurlMultiClient::CollectFinished() {
  std::vector<Finished> finished;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(Multi(multi_), &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;  // msg dies with curl_multi_remove_handle
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) continue;  // not ours; can't happen
    std::unique_ptr<Transfer> t = std::move(it->second);
    transfers_.erase(it);

    Finished f = Finished::Of(*t);
    if (f.mail_done) {
      f.mail = t->MailOutcome(code);
    } else {
      f.response = t->HttpOutcome(code);
    }
    // Returns the connection to the cache (or closes it) and may call back into WatchSocket.
    curl_multi_remove_handle(Multi(multi_), easy);
    finished.push_back(std::move(f));
  }  // ~Transfer: curl_easy_cleanup
  return finished;
}

void CurlMultiClient::Deliver(std::vector<Finished> finished, const std::weak_ptr<int>& alive) {
  for (Finished& f : finished) {
    if (alive.expired()) return;  // the client was destroyed by an earlier callback
    f.Run();
  }
}

}  // namespace tocsin
