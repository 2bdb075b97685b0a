#include "dispatch/net/origin_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "dispatch/net/http_response_parser.h"
#include "dispatch/net/http_text.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

struct OriginClient::Shared {
  // One request, from Start() to its callback.
  struct Job {
    std::string wire;   // the whole request as sent: head and body
    bool head = false;  // HEAD: the answer has no body
    SteadyClock::time_point deadline;
    std::vector<std::string> keep_headers;
    std::function<void(HttpResponse)> done;
    bool resent = false;  // already sent again after a stale keep-alive connection
  };

  // One connection and the coroutine that runs requests on it (Run).
  struct Connection {
    Connection(asio::any_io_executor executor, ssl::context* tls_context)
        : resolver(executor), idle_timer(executor) {
      Renew(executor, tls_context);
    }
    tcp::socket& Socket() { return tls ? tls->next_layer() : *plain; }
    // A fresh, unopened socket (a TLS stream cannot be reused once closed).
    void Renew(asio::any_io_executor executor, ssl::context* tls_context) {
      if (tls_context) {
        tls.emplace(executor, *tls_context);
      } else {
        plain.emplace(executor);
      }
      buffer.clear();
    }

    std::optional<tcp::socket> plain;              // http
    std::optional<ssl::stream<tcp::socket>> tls;   // https
    tcp::resolver resolver;
    asio::steady_timer idle_timer;
    std::string buffer;                 // read, not yet parsed into an answer
    std::array<char, 16 * 1024> scratch;  // each read lands here first
    bool open = false;       // connected, handshake done: a request may be written
    bool busy = false;       // a request is on it (deadline applies)
    bool timed_out = false;  // the sweep closed it because its request's deadline passed
    SteadyClock::time_point deadline;
    std::optional<Job> next;  // handed over by Start() while it was idle
  };

  Shared(asio::any_io_executor executor, Options options) : executor(executor), options(std::move(options)), sweep(executor) {}

  const asio::any_io_executor executor;
  const Options options;
  std::string origin;       // "https://api.example.com:8443", as given: every url's prefix
  std::string host, port;   // for the resolver (an IPv6 literal without brackets)
  std::string host_header;  // "api.example.com:8443" (the port only when not the scheme's)
  bool host_is_address = false;
  std::optional<ssl::context> tls;

  std::deque<Job> waiting;                               // no connection free yet, in order
  std::vector<std::shared_ptr<Connection>> idle;         // open, parked, newest last
  std::vector<std::shared_ptr<Connection>> connections;  // every one open or opening
  std::size_t in_flight = 0;
  bool closed = false;  // the client is gone: coroutines return without a callback
  asio::steady_timer sweep;
  bool sweeping = false;
  std::string auth_credentials, auth_line;  // the last Basic credentials and their header line
};

namespace {

using Shared = OriginClient::Shared;
using Job = Shared::Job;
using Connection = Shared::Connection;

HttpResponse Failed(std::string error, bool timed_out = false) {
  HttpResponse r;
  r.error = std::move(error);
  r.timed_out = timed_out;
  return r;
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Hands `job` its answer; the client may be destroyed by the callback (check closed after).
void Complete(Shared& s, Job& job, HttpResponse response) {
  --s.in_flight;
  auto done = std::move(job.done);
  done(std::move(response));
}

void Close(Connection& c) {
  error_code ignored;
  c.Socket().close(ignored);
  c.open = false;
  c.buffer.clear();
}

void Forget(Shared& s, const std::shared_ptr<Connection>& c) {
  std::erase(s.connections, c);
  std::erase(s.idle, c);
}

// The request's bytes, or an error naming what is wrong with it.
std::string Compose(Shared& s, const HttpRequest& r, std::string& wire) {
  if (r.public_addresses_only) return "an origin client connects only to its configured origin";
  if (r.timeout.count() <= 0) return "the request's timeout must be positive";
  if (r.method.empty() || !std::all_of(r.method.begin(), r.method.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return "the request's method is not an HTTP method";
  }
  std::string_view url = r.url;
  if (url.compare(0, s.origin.size(), s.origin) != 0) return "the url is not under the client's origin";
  std::string_view target = url.substr(s.origin.size());
  if (!target.empty() && target.front() != '/' && target.front() != '?') {
    return "the url is not under the client's origin";
  }
  if (target.find_first_of(" \t\r\n#") != std::string_view::npos) return "the url holds a character it may not";
  bool content_type = false;
  for (const auto& h : r.headers) {
    if (HasLineBreak(h) || h.find(':') == std::string::npos) return "a request header is not 'Name: value'";
    content_type = content_type || StartsWithIgnoringCase(h, "content-type:");
  }
  if (HasLineBreak(r.basic_user) || HasLineBreak(r.basic_password)) return "the credentials hold a line break";
  const bool bodyless = r.method == "GET" || r.method == "HEAD";

  wire.clear();
  wire.reserve(256 + r.body.size());
  wire.append(r.method).append(" ");
  if (target.empty() || target.front() == '?') wire.append("/");
  wire.append(target).append(" HTTP/1.1\r\nHost: ").append(s.host_header).append("\r\nUser-Agent: Tocsin\r\n");
  if (!r.basic_user.empty()) {
    std::string credentials = r.basic_user + ":" + r.basic_password;
    if (credentials != s.auth_credentials) {
      s.auth_line = "Authorization: Basic " + Base64Encode(credentials) + "\r\n";
      s.auth_credentials = std::move(credentials);
    }
    wire.append(s.auth_line);
  }
  for (const auto& h : r.headers) wire.append(h).append("\r\n");
  if (!bodyless) {
    if (!content_type && r.method == "POST") wire.append("Content-Type: application/x-www-form-urlencoded\r\n");
    wire.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
  }
  wire.append("\r\n");
  if (!bodyless) wire.append(r.body);
  return {};
}

// Opens `c` afresh: resolve, connect, and for https the handshake with the host's name checked.
asio::awaitable<error_code> Connect(Shared& s, Connection& c) {
  c.Renew(s.executor, s.tls ? &*s.tls : nullptr);
  error_code ec;
  auto endpoints = co_await c.resolver.async_resolve(s.host, s.port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec || c.timed_out) co_return ec ? ec : asio::error::timed_out;
  co_await asio::async_connect(c.Socket(), endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  c.Socket().set_option(tcp::no_delay(true), ec);
  if (c.tls) {
    // SNI carries a name, never an address (RFC 6066 3).
    if (!s.host_is_address && !SSL_set_tlsext_host_name(c.tls->native_handle(), s.host.c_str())) {
      co_return error_code(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
    }
    c.tls->set_verify_callback(ssl::host_name_verification(s.host));
    co_await c.tls->async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
  }
  c.open = true;
  co_return error_code{};
}

struct Exchanged {
  HttpResponse response;
  bool keep_alive = false;  // the connection may carry the next request
  bool stale = false;       // failed before any byte of an answer: the server had closed it
};

template <typename Stream>
asio::awaitable<Exchanged> ExchangeOn(Stream& stream, Connection& c, const Job& job) {
  Exchanged out;
  error_code ec;
  co_await asio::async_write(stream, asio::buffer(job.wire), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.stale = true;
    out.response = Failed("could not send the request: " + ec.message());
    co_return out;
  }
  bool got_some = false, at_eof = false;
  for (;;) {
    ParsedResponse parsed = ParseHttpResponse(c.buffer, job.head, at_eof, OriginClient::kMaxResponseBodyBytes);
    if (parsed.result == ParsedResponse::Result::kInvalid) {
      out.response = Failed("the origin's answer is not valid HTTP: " + parsed.error);
      co_return out;
    }
    if (parsed.result == ParsedResponse::Result::kComplete) {
      c.buffer.erase(0, parsed.consumed);
      if (parsed.status < 200 && parsed.status != 101) continue;  // interim: the answer follows
      out.response.status = parsed.status;
      for (auto& [name, value] : parsed.headers) {
        if (!job.keep_headers.empty() && std::find(job.keep_headers.begin(), job.keep_headers.end(), name) == job.keep_headers.end()) {
          continue;
        }
        auto [at, fresh] = out.response.headers.try_emplace(std::move(name), value);
        if (!fresh) at->second.append(", ").append(value);
      }
      out.response.body = std::move(parsed.body);
      out.keep_alive = parsed.keep_alive;
      co_return out;
    }
    if (at_eof) {
      out.stale = !got_some;
      out.response = Failed("the origin closed the connection before its answer was complete");
      co_return out;
    }
    const std::size_t n = co_await stream.async_read_some(asio::buffer(c.scratch), asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) {
      at_eof = true;
    } else if (ec) {
      out.stale = !got_some;
      out.response = Failed("could not read the answer: " + ec.message());
      co_return out;
    }
    got_some = got_some || n > 0;
    c.buffer.append(c.scratch.data(), n);
  }
}

// Runs requests on `c`, starting with `job`, until it is closed with nothing waiting, or idle
// for too long, or the client is destroyed.
asio::awaitable<void> Run(std::shared_ptr<Shared> sp, std::shared_ptr<Connection> c, Job job) {
  Shared& s = *sp;
  for (;;) {
    c->busy = true;
    c->deadline = job.deadline;
    c->timed_out = false;
    const bool reused = c->open;
    HttpResponse response;
    bool keep_alive = false;
    if (!c->open) {
      const error_code ec = co_await Connect(s, *c);
      if (s.closed) co_return;
      if (ec) response = Failed("could not connect to the origin: " + ec.message());
    }
    if (c->open) {
      Exchanged exchanged;
      if (c->tls) {
        exchanged = co_await ExchangeOn(*c->tls, *c, job);
      } else {
        exchanged = co_await ExchangeOn(*c->plain, *c, job);
      }
      if (s.closed) co_return;
      if (exchanged.stale && reused && !job.resent && !c->timed_out) {
        job.resent = true;  // the server closed the idle connection: once more, on a new one
        Close(*c);
        continue;
      }
      response = std::move(exchanged.response);
      keep_alive = exchanged.keep_alive && !c->timed_out;
    }
    // An answer that arrived is the truth even if the sweep came at the same moment.
    if (c->timed_out && response.status == 0) response = Failed("the origin did not answer in time", true);
    if (!keep_alive) Close(*c);
    c->busy = false;
    Complete(s, job, std::move(response));
    if (s.closed) co_return;

    if (!s.waiting.empty()) {
      job = std::move(s.waiting.front());
      s.waiting.pop_front();
      continue;
    }
    if (!c->open) {
      Forget(s, c);  // nothing to do: its slot is free for the next request
      co_return;
    }
    s.idle.push_back(c);
    c->idle_timer.expires_after(s.options.idle_timeout);
    error_code ec;
    co_await c->idle_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (s.closed) co_return;
    if (!c->next) {  // idle for idle_timeout
      Close(*c);
      Forget(s, c);
      co_return;
    }
    job = std::move(*c->next);
    c->next.reset();
  }
}

void Sweep(const std::shared_ptr<Shared>& sp) {
  Shared& s = *sp;
  const auto now = SteadyClock::now();
  for (const auto& c : s.connections) {
    if (c->busy && !c->timed_out && c->deadline <= now) {
      c->timed_out = true;
      c->resolver.cancel();
      error_code ignored;
      c->Socket().close(ignored);  // the pending operation ends with operation_aborted
    }
  }
  std::vector<Job> expired;  // in the order they were started
  for (auto it = s.waiting.begin(); it != s.waiting.end();) {
    if (it->deadline <= now) {
      expired.push_back(std::move(*it));
      it = s.waiting.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& job : expired) {
    if (s.closed) return;
    Complete(s, job, Failed("no connection to the origin came free in time", true));
  }
}

void ArmSweep(const std::shared_ptr<Shared>& sp) {
  Shared& s = *sp;
  if (s.sweeping || s.closed || s.in_flight == 0) return;
  s.sweeping = true;
  s.sweep.expires_after(OriginClient::kSweepInterval);
  s.sweep.async_wait([sp](const error_code& ec) {
    sp->sweeping = false;
    if (ec || sp->closed) return;
    Sweep(sp);
    ArmSweep(sp);
  });
}

}  // namespace

OriginClient::OriginClient(asio::any_io_executor executor, const std::string& origin, Options options)
    : shared_(std::make_shared<Shared>(executor, std::move(options))) {
  Shared& s = *shared_;
  const bool https = StartsWithIgnoringCase(origin, "https://");
  if (!https && !StartsWithIgnoringCase(origin, "http://")) throw std::invalid_argument("origin: not http:// or https://");
  std::string_view authority = std::string_view(origin).substr(https ? 8 : 7);
  if (authority.empty() || authority.find_first_of("/?#@ ") != std::string_view::npos) {
    throw std::invalid_argument("origin: expected scheme://host[:port] with no path");
  }
  std::string_view host = authority, port;
  if (host.front() == '[') {  // [IPv6]:port
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("origin: unclosed '[' in the host");
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') throw std::invalid_argument("origin: expected ':' after ']'");
      port = host.substr(close + 2);
    }
    host = host.substr(1, close - 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  if (host.empty()) throw std::invalid_argument("origin: no host");
  if (!port.empty()) {
    const bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!digits || std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) {
      throw std::invalid_argument("origin: the port is not a number from 1 to 65535");
    }
  }
  const std::string_view default_port = https ? "443" : "80";
  s.origin = origin;
  s.host = host;
  s.port = port.empty() ? default_port : port;
  // Host: the authority as given, less a port that is the scheme's own.
  s.host_header = port == default_port ? authority.substr(0, authority.size() - port.size() - 1) : authority;
  error_code ec;
  asio::ip::make_address(s.host, ec);
  s.host_is_address = !ec;
  if (https) {
    s.tls.emplace(ssl::context::tls_client);
    s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (s.options.ca_file.empty()) {
      s.tls->set_default_verify_paths(ec);
    } else {
      s.tls->load_verify_file(s.options.ca_file, ec);
    }
    if (ec) throw std::invalid_argument("origin: cannot load the trusted certificates: " + ec.message());
    s.tls->set_verify_mode(ssl::verify_peer);
  }
}

OriginClient::~OriginClient() {
  Shared& s = *shared_;
  s.closed = true;
  s.waiting.clear();  // callbacks destroyed uncalled
  for (const auto& c : s.connections) {
    c->next.reset();
    c->resolver.cancel();
    c->idle_timer.cancel();
    error_code ignored;
    c->Socket().close(ignored);
  }
  s.idle.clear();
  s.sweep.cancel();
}

void OriginClient::Start(HttpRequest request, std::function<void(HttpResponse)> done) {
  Shared& s = *shared_;
  ++s.in_flight;
  Job job;
  job.head = request.method == "HEAD";
  job.deadline = SteadyClock::now() + request.timeout;
  job.keep_headers = std::move(request.keep_headers);
  job.done = std::move(done);
  if (std::string error = Compose(s, request, job.wire); !error.empty()) {
    asio::post(s.executor, [sp = shared_, job = std::move(job), error = std::move(error)]() mutable {
      if (!sp->closed) Complete(*sp, job, Failed(error));
    });
    return;
  }
  const auto max = static_cast<std::size_t>(std::max(1, s.options.max_connections));
  if (!s.idle.empty()) {
    std::shared_ptr<Connection> c = std::move(s.idle.back());
    s.idle.pop_back();
    c->next = std::move(job);
    c->idle_timer.cancel();
  } else if (s.connections.size() < max) {
    auto c = std::make_shared<Connection>(s.executor, s.tls ? &*s.tls : nullptr);
    s.connections.push_back(c);
    asio::co_spawn(s.executor, Run(shared_, c, std::move(job)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        spdlog::error("origin client: a connection stopped: {}", x.what());
      }
    });
  } else {
    s.waiting.push_back(std::move(job));
  }
  ArmSweep(shared_);
}

std::string OriginClient::OriginOf(const std::string& url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  return url.substr(0, url.find_first_of("/?#", scheme_end + 3));
}

std::size_t OriginClient::InFlight() const { return shared_->in_flight; }

std::size_t OriginClient::OpenConnections() const { return shared_->connections.size(); }

}  // namespace tocsin
