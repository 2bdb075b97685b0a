#include "dispatch/net/curl_multi_client.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "dispatch/net/curl_multi_internal.h"

namespace tocsin {

namespace asio = boost::asio;
using boost::system::error_code;
using curl_detail::Multi;
using curl_detail::OptionSetter;

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
