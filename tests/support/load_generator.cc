#include "tests/support/load_generator.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "dispatch/channels/twilio_signature.h"

namespace tocsin::test {
namespace {

using Clock = std::chrono::steady_clock;

// "http://127.0.0.1:PORT/path" split into its port and path (the generator only speaks to
// loopback).
struct Target {
  int port = 0;
  std::string path;
};

Target ParseTarget(const std::string& url) {
  const std::string prefix = "http://127.0.0.1:";
  if (url.rfind(prefix, 0) != 0) throw std::invalid_argument("load generator: not a loopback URL: " + url);
  auto slash = url.find('/', prefix.size());
  Target t;
  t.port = std::stoi(url.substr(prefix.size(), slash - prefix.size()));
  t.path = slash == std::string::npos ? "/" : url.substr(slash);
  return t;
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("load generator: cannot connect to port " + std::to_string(port));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// The status of one whole HTTP/1.1 response at the start of `in` and its length in bytes, once
// all of it (head and Content-Length body) is there; nullopt until then. `close`: the server
// ends the connection after it.
struct Answer {
  int status = 0;
  std::size_t length = 0;
  bool close = false;
};

std::optional<Answer> WholeAnswer(const std::string& in) {
  auto head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  Answer a;
  if (in.size() > 12) a.status = std::atoi(in.c_str() + 9);  // "HTTP/1.1 200 OK"
  std::size_t body = 0;
  // Header names compared case-insensitively, values as Beast writes them.
  std::string head = in.substr(0, head_end);
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
  if (auto at = head.find("\r\ncontent-length:"); at != std::string::npos) body = std::stoul(head.substr(at + 17));
  a.close = head.find("\r\nconnection: close") != std::string::npos;
  if (in.size() < head_end + 4 + body) return std::nullopt;
  a.length = head_end + 4 + body;
  return a;
}

}  // namespace

Prepared SignedSms(const std::string& url, const std::string& auth_token, const std::string& sid,
                   const std::string& from, const std::string& to, const std::string& body) {
  FormParams p = {{"MessageSid", sid}, {"From", from}, {"To", to}, {"Body", body},
                  {"AccountSid", "AC00000000000000000000000000000000"}};
  return {FormUrlEncode(p), TwilioSignature(auth_token, url, p)};
}

double Percentile(const std::vector<double>& sorted, double p) {
  return sorted[static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1))];
}

GeneratorResult Generate(const std::string& url, const std::vector<Prepared>& requests, std::atomic<int>& next,
                         int connections, std::optional<Clock::time_point> start, double per_second) {
  const auto target = ParseTarget(url);
  const std::string head = "POST " + target.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(target.port) +
                           "\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: ";
  struct Conn {
    int fd = -1;
    std::string out;  // what is still to be written of the request
    std::string in;   // what has come of the answer
    Clock::time_point t0;
    bool busy = false;
  };
  GeneratorResult out;
  const int poller = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<Conn> conns(static_cast<std::size_t>(connections));
  std::vector<Conn*> idle;
  auto watch = [&](Conn& c, std::uint32_t events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = &c;
    ::epoll_ctl(poller, op, c.fd, &ev);
  };
  auto open = [&](Conn& c) {
    c.fd = Connect(target.port);
    ::fcntl(c.fd, F_SETFL, O_NONBLOCK);
    c.in.clear();
    watch(c, EPOLLIN, EPOLL_CTL_ADD);
  };
  auto reopen = [&](Conn& c) {
    ::close(c.fd);  // closing also takes it out of the epoll set
    open(c);
  };
  // Writes what it can of c.out; waits for EPOLLOUT when the socket is full.
  auto flush = [&](Conn& c) {
    while (!c.out.empty()) {
      auto n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        watch(c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
        return;
      }
      if (n <= 0) return;  // the read side sees the reset
      c.out.erase(0, static_cast<std::size_t>(n));
    }
    watch(c, EPOLLIN, EPOLL_CTL_MOD);
  };
  auto send = [&](Conn& c, int i, Clock::time_point t0) {
    const auto& r = requests[static_cast<std::size_t>(i)];
    c.out = head + r.signature + "\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
    c.t0 = t0;
    c.busy = true;
    auto n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) c.out.erase(0, static_cast<std::size_t>(n));
    if (!c.out.empty()) flush(c);
  };
  auto finish = [&](Conn& c, bool ok) {
    out.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - c.t0).count());
    if (!ok) ++out.errors;
    c.busy = false;
    idle.push_back(&c);
  };
  for (auto& c : conns) {
    open(c);
    idle.push_back(&c);
  }
  int claimed = -1;  // an index taken from `next` whose time has not come (open loop)
  bool exhausted = false;
  auto due = [&](int i) {
    return *start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(i / per_second));
  };
  // Starts what may start now; returns how many ms until the next request is due (-1: none).
  auto start_ready = [&]() -> int {
    while (!idle.empty() && !exhausted) {
      int i = claimed >= 0 ? claimed : next++;
      claimed = -1;
      if (i >= static_cast<int>(requests.size())) {
        exhausted = true;
        break;
      }
      auto t0 = Clock::now();
      if (start) {
        auto when = due(i);
        if (when > t0) {
          claimed = i;
          return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(when - t0).count());
        }
        t0 = when;
      }
      Conn* c = idle.back();
      idle.pop_back();
      send(*c, i, t0);
    }
    return -1;
  };
  std::vector<epoll_event> events(static_cast<std::size_t>(connections));
  for (;;) {
    auto wait = start_ready();
    if (exhausted && idle.size() == conns.size()) break;
    int n = ::epoll_wait(poller, events.data(), connections, wait);
    for (int e = 0; e < n; ++e) {
      auto& c = *static_cast<Conn*>(events[e].data.ptr);
      if (events[e].events & EPOLLOUT) flush(c);
      if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      char buf[4096];
      ssize_t got;
      bool closed = false;
      while ((got = ::recv(c.fd, buf, sizeof buf, 0)) > 0) c.in.append(buf, static_cast<std::size_t>(got));
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) closed = true;
      if (c.busy) {
        if (auto a = WholeAnswer(c.in)) {
          c.in.erase(0, a->length);
          finish(c, a->status == 200);
          if (a->close) reopen(c);
          continue;
        }
      }
      if (closed) {  // mid-answer: an error; idle: the server's keep-alive timeout
        if (c.busy) finish(c, false);
        reopen(c);
      }
    }
  }
  for (auto& c : conns) ::close(c.fd);
  ::close(poller);
  return out;
}

}  // namespace tocsin::test
