#include "tests/fakes/fake_smtp.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "dispatch/util/crypto.h"
#include "tests/fakes/fake_process.h"

namespace tocsin {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Millis = std::chrono::milliseconds;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxLine = 64 * 1024;  // RFC 5321 says 1,000; be lenient, not unbounded
constexpr std::size_t kMaxRecipients = 100;
constexpr auto kIdleTimeout = 60s;  // a session with no command is closed

constexpr int kStages = 5;
int StageIndex(FakeSmtpStage stage) { return static_cast<int>(stage); }

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && Upper(s.substr(0, prefix.size())) == Upper(prefix);
}

// The reply line for an injected code.
std::string Canned(int code) {
  switch (code) {
    case 421: return "421 4.3.2 Service not available, closing transmission channel";
    case 450: return "450 4.2.1 Mailbox busy, try again later";
    case 451: return "451 4.3.0 Local error in processing, try again later";
    case 452: return "452 4.3.1 Insufficient system storage";
    case 550: return "550 5.1.1 Mailbox unavailable";
    case 552: return "552 5.3.4 Message size exceeds fixed limit";
    case 553: return "553 5.1.3 Mailbox name not allowed";
    case 554: return "554 5.7.1 Transaction failed";
  }
  const char klass = code >= 500 ? '5' : code >= 400 ? '4' : '2';
  return std::to_string(code) + " " + klass + ".0.0 Injected reply";
}

// "<addr>" at the start of `arg` (after "FROM:" or "TO:", spaces allowed before it); the rest
// are ESMTP parameters. nullopt when there are no angle brackets.
std::optional<std::string> PathOf(std::string_view arg, std::string_view* params) {
  while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  if (arg.empty() || arg.front() != '<') return std::nullopt;
  const std::size_t close = arg.find('>');
  if (close == std::string_view::npos) return std::nullopt;
  if (params != nullptr) *params = arg.substr(close + 1);
  return std::string(arg.substr(1, close - 1));
}

// The value of ESMTP parameter `name` ("SIZE") in `params`, or empty.
std::string Param(std::string_view params, std::string_view name) {
  const std::string upper = Upper(params);
  const std::size_t at = upper.find(" " + Upper(name) + "=");
  if (at == std::string::npos) return {};
  std::string_view value = params.substr(at + name.size() + 2);
  return std::string(value.substr(0, value.find(' ')));
}

void LogFailure(std::exception_ptr e) { fake::LogTaskFailure("fake_smtp", e); }

}  // namespace

struct FakeSmtp::Impl {
  explicit Impl(FakeSmtpConfig c);

  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(tcp::socket socket);

  // One session's transport: lines in, replies out, each reply after the configured latency.
  struct Conn {
    tcp::socket socket;
    std::string buffer;
    Impl& impl;

    // The next line without its CRLF; nullopt when the peer left, idled or sent an overlong line.
    asio::awaitable<std::optional<std::string>> ReadLine();
    // Writes `text` (one or more lines, without the final CRLF); false if the peer is gone.
    asio::awaitable<bool> Reply(std::string text, Millis extra_delay = Millis(0));
  };

  // Consumes an injected fault at `stage`, if any (needs no lock held).
  bool TakeDrop(FakeSmtpStage stage);
  std::optional<int> TakeFailure(FakeSmtpStage stage);
  // Counts a refusal in the statistics when `reply` is 4xx or 5xx.
  void Count(std::string_view reply);
  asio::awaitable<std::string> Auth(Conn& conn, std::string_view args, std::string* user);

  // Immutable after construction.
  const FakeSmtpConfig config;

  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::uint16_t bound_port = 0;  // set once in the constructor
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};
  std::atomic<std::int64_t> latency_ms{0};

  // Everything below is guarded by mu.
  mutable std::mutex mu;
  std::vector<FakeSmtpMessage> messages;
  FakeSmtpStats stats;
  std::uint64_t next_id = 0;
  int fail_count[kStages] = {};
  int fail_code[kStages] = {};
  int drop_count[kStages] = {};
  std::map<std::string, int> recipient_replies;
  std::map<std::string, Millis> recipient_delays;
};

FakeSmtp::Impl::Impl(FakeSmtpConfig c) : config(std::move(c)), acceptor(ioc) {
  const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), config.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  bound_port = acceptor.local_endpoint().port();
}

asio::awaitable<std::optional<std::string>> FakeSmtp::Impl::Conn::ReadLine() {
  asio::steady_timer idle(socket.get_executor(), kIdleTimeout);
  auto result = co_await (
      asio::async_read_until(socket, asio::dynamic_buffer(buffer, kMaxLine), "\r\n", kTuple) ||
      idle.async_wait(kTuple));
  if (result.index() == 1) co_return std::nullopt;  // idle too long
  auto [ec, n] = std::get<0>(result);
  if (ec) co_return std::nullopt;  // gone, or a line over kMaxLine
  std::string line = buffer.substr(0, n - 2);
  buffer.erase(0, n);
  co_return line;
}

asio::awaitable<bool> FakeSmtp::Impl::Conn::Reply(std::string text, Millis extra_delay) {
  const Millis delay = Millis(impl.latency_ms.load()) + extra_delay;
  if (delay.count() > 0) {
    asio::steady_timer timer(socket.get_executor(), delay);
    co_await timer.async_wait(kTuple);
  }
  impl.Count(text);
  text += "\r\n";
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(text), kTuple);
  co_return !ec;
}

bool FakeSmtp::Impl::TakeDrop(FakeSmtpStage stage) {
  std::lock_guard lock(mu);
  int& left = drop_count[StageIndex(stage)];
  if (left == 0) return false;
  --left;
  ++stats.dropped;
  return true;
}

std::optional<int> FakeSmtp::Impl::TakeFailure(FakeSmtpStage stage) {
  std::lock_guard lock(mu);
  int& left = fail_count[StageIndex(stage)];
  if (left == 0) return std::nullopt;
  --left;
  return fail_code[StageIndex(stage)];
}

void FakeSmtp::Impl::Count(std::string_view reply) {
  if (reply.empty() || (reply[0] != '4' && reply[0] != '5')) return;
  std::lock_guard lock(mu);
  ++stats.rejected;
  if (reply.starts_with("535")) ++stats.auth_failures;
}

asio::awaitable<void> FakeSmtp::Impl::Accept() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. the peer reset before we accepted
    socket.set_option(tcp::no_delay(true), ec);
    {
      std::lock_guard lock(mu);
      ++stats.connections;
    }
    asio::co_spawn(ioc, Session(std::move(socket)), LogFailure);
  }
}

// AUTH PLAIN [initial] or AUTH LOGIN: the final reply (235 or an error); `user` set on success.
asio::awaitable<std::string> FakeSmtp::Impl::Auth(Conn& conn, std::string_view args,
                                                  std::string* user) {
  const std::size_t space = args.find(' ');
  const std::string mechanism = Upper(args.substr(0, space));
  std::string initial = space == std::string_view::npos ? "" : std::string(args.substr(space + 1));
  if (config.auth_mechanisms.find(mechanism) == std::string::npos || mechanism.empty()) {
    co_return "504 5.5.4 Unrecognized authentication type";
  }
  // Reads one base64 answer to a 334 challenge; nullopt when cancelled ("*") or undecodable.
  auto answer = [&](std::string challenge) -> asio::awaitable<std::optional<std::string>> {
    if (!co_await conn.Reply("334 " + challenge)) co_return std::nullopt;
    std::optional<std::string> line = co_await conn.ReadLine();
    if (!line || *line == "*") co_return std::nullopt;
    co_return Base64Decode(*line);
  };
  std::string name, password;
  if (mechanism == "PLAIN") {
    std::optional<std::string> decoded;
    if (initial.empty()) {
      decoded = co_await answer("");
    } else {
      decoded = Base64Decode(initial);
    }
    if (!decoded) co_return "501 5.5.2 Cannot decode response";
    // authzid \0 authcid \0 password
    const std::size_t first = decoded->find('\0');
    const std::size_t second = first == std::string::npos ? first : decoded->find('\0', first + 1);
    if (second == std::string::npos) co_return "501 5.5.2 Malformed PLAIN response";
    name = decoded->substr(first + 1, second - first - 1);
    password = decoded->substr(second + 1);
  } else {  // LOGIN
    std::optional<std::string> n = co_await answer(Base64Encode("Username:"));
    if (!n) co_return "501 5.5.2 Cannot decode response";
    std::optional<std::string> p = co_await answer(Base64Encode("Password:"));
    if (!p) co_return "501 5.5.2 Cannot decode response";
    name = std::move(*n);
    password = std::move(*p);
  }
  if (name != config.username || password != config.password) {
    co_return "535 5.7.8 Authentication credentials invalid";
  }
  *user = name;
  co_return "235 2.7.0 Authentication successful";
}

asio::awaitable<void> FakeSmtp::Impl::Session(tcp::socket socket) {
  Conn conn{std::move(socket), {}, *this};
  const bool auth_required = !config.username.empty();
  std::string helo, user;
  // The transaction under way.
  std::optional<std::string> mail_from;
  std::vector<std::string> recipients;
  auto reset = [&] {
    mail_from.reset();
    recipients.clear();
  };

  if (TakeDrop(FakeSmtpStage::kGreeting)) co_return;
  if (std::optional<int> code = TakeFailure(FakeSmtpStage::kGreeting)) {
    co_await conn.Reply(Canned(*code));
    co_return;  // a refusing greeting: nothing more is said
  }
  if (!co_await conn.Reply("220 " + config.hostname + " ESMTP fake_smtp")) co_return;

  for (;;) {
    std::optional<std::string> line = co_await conn.ReadLine();
    if (!line) break;
    const std::string_view command(*line);
    const std::string verb = Upper(command.substr(0, command.find(' ')));
    const std::string_view args =
        command.size() > verb.size() + 1 ? command.substr(verb.size() + 1) : std::string_view();
    std::string reply;
    Millis delay(0);
    bool close = false;

    if (verb == "EHLO" || verb == "HELO") {
      helo = std::string(args);
      reset();
      if (verb == "HELO") {
        reply = "250 " + config.hostname;
      } else {
        reply = "250-" + config.hostname + " greets " + helo + "\r\n250-SIZE " +
                std::to_string(config.max_message_bytes) + "\r\n250-8BITMIME\r\n";
        if (auth_required) reply += "250-AUTH " + config.auth_mechanisms + "\r\n";
        reply += "250 ENHANCEDSTATUSCODES";
      }
    } else if (verb == "AUTH") {
      if (!auth_required) {
        reply = "503 5.5.1 AUTH not offered";
      } else if (!user.empty() || mail_from) {
        reply = "503 5.5.1 Already authenticated or in a transaction";
      } else {
        reply = co_await Auth(conn, args, &user);
      }
    } else if (verb == "MAIL") {
      std::string_view params;
      std::optional<std::string> path =
          StartsWithNoCase(args, "FROM:") ? PathOf(args.substr(5), &params) : std::nullopt;
      const std::string size = path ? Param(params, "SIZE") : "";
      if (helo.empty()) {
        reply = "503 5.5.1 Send EHLO or HELO first";
      } else if (auth_required && user.empty()) {
        reply = "530 5.7.0 Authentication required";
      } else if (mail_from) {
        reply = "503 5.5.1 Nested MAIL command";
      } else if (!path) {
        reply = "501 5.5.4 Syntax: MAIL FROM:<address>";
      } else if (!size.empty() && std::strtoull(size.c_str(), nullptr, 10) > config.max_message_bytes) {
        reply = "552 5.3.4 Message size exceeds fixed limit";
      } else if (TakeDrop(FakeSmtpStage::kMail)) {
        break;
      } else if (std::optional<int> code = TakeFailure(FakeSmtpStage::kMail)) {
        reply = Canned(*code);
      } else {
        mail_from = std::move(path);
        reply = "250 2.1.0 Ok";
      }
    } else if (verb == "RCPT") {
      std::optional<std::string> path =
          StartsWithNoCase(args, "TO:") ? PathOf(args.substr(3), nullptr) : std::nullopt;
      if (!mail_from) {
        reply = "503 5.5.1 Need MAIL command";
      } else if (!path || path->empty()) {
        reply = "501 5.1.3 Syntax: RCPT TO:<address>";
      } else if (recipients.size() >= kMaxRecipients) {
        reply = "452 4.5.3 Too many recipients";
      } else if (TakeDrop(FakeSmtpStage::kRcpt)) {
        break;
      } else {
        std::optional<int> code = TakeFailure(FakeSmtpStage::kRcpt);
        {
          std::lock_guard lock(mu);
          if (auto it = recipient_delays.find(*path); it != recipient_delays.end()) delay = it->second;
          if (auto it = recipient_replies.find(*path); !code && it != recipient_replies.end()) {
            code = it->second;
          }
        }
        if (code) {
          reply = Canned(*code);
        } else {
          recipients.push_back(std::move(*path));
          reply = "250 2.1.5 Ok";
        }
      }
    } else if (verb == "DATA") {
      if (!mail_from) {
        reply = "503 5.5.1 Need MAIL command";
      } else if (recipients.empty()) {
        reply = "554 5.5.1 No valid recipients";
      } else if (TakeDrop(FakeSmtpStage::kData)) {
        break;
      } else if (std::optional<int> code = TakeFailure(FakeSmtpStage::kData)) {
        reply = Canned(*code);
      } else {
        if (!co_await conn.Reply("354 End data with <CR><LF>.<CR><LF>")) break;
        std::string data;
        bool complete = false, too_big = false;
        while (std::optional<std::string> data_line = co_await conn.ReadLine()) {
          if (*data_line == ".") {
            complete = true;
            break;
          }
          const std::string_view text =
              data_line->starts_with('.') ? std::string_view(*data_line).substr(1) : *data_line;
          too_big = too_big || data.size() + text.size() + 2 > config.max_message_bytes;
          if (!too_big) data.append(text).append("\r\n");
        }
        if (!complete) break;
        if (TakeDrop(FakeSmtpStage::kDataEnd)) break;
        const std::optional<int> end_code = TakeFailure(FakeSmtpStage::kDataEnd);
        if (too_big) {
          reply = "552 5.3.4 Message size exceeds fixed limit";
        } else if (end_code) {
          reply = Canned(*end_code);
        } else {
          FakeSmtpMessage message{{}, helo, user, *mail_from, std::move(recipients),
                                  std::move(data), std::chrono::system_clock::now()};
          {
            std::lock_guard lock(mu);
            message.id = "FAKE" + std::to_string(++next_id);
            ++stats.messages;
            messages.push_back(message);
          }
          if (config.on_message) config.on_message(message);
          reply = "250 2.0.0 Ok: queued as " + message.id;
        }
        reset();
      }
    } else if (verb == "RSET") {
      reset();
      reply = "250 2.0.0 Ok";
    } else if (verb == "NOOP") {
      reply = "250 2.0.0 Ok";
    } else if (verb == "VRFY") {
      reply = "252 2.5.2 Cannot VRFY user, but will accept message";
    } else if (verb == "QUIT") {
      reply = "221 2.0.0 Bye";
      close = true;
    } else if (verb == "STARTTLS") {
      reply = "454 4.7.0 TLS not available";
    } else {
      reply = "500 5.5.2 Command not recognized";
    }
    close = close || reply.starts_with("421");
    if (!co_await conn.Reply(std::move(reply), delay) || close) break;
  }
  boost::system::error_code ignored;
  conn.socket.shutdown(tcp::socket::shutdown_both, ignored);
}

// --- FakeSmtp ---

FakeSmtp::FakeSmtp(FakeSmtpConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  asio::co_spawn(impl_->ioc, impl_->Accept(), LogFailure);
  const int threads = std::max(1, impl_->config.threads);
  for (int i = 0; i < threads; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

FakeSmtp::~FakeSmtp() { Stop(); }

void FakeSmtp::Stop() {
  if (impl_->stopped.exchange(true)) return;
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
}

std::uint16_t FakeSmtp::port() const { return impl_->bound_port; }

std::string FakeSmtp::Url() const { return "smtp://127.0.0.1:" + std::to_string(port()); }

void FakeSmtp::SetLatency(std::chrono::milliseconds latency) {
  impl_->latency_ms.store(latency.count());
}

void FakeSmtp::FailNext(FakeSmtpStage stage, int count, int code) {
  std::lock_guard lock(impl_->mu);
  impl_->fail_count[StageIndex(stage)] = std::max(0, count);
  impl_->fail_code[StageIndex(stage)] = code;
}

void FakeSmtp::SetRecipientReply(const std::string& address, int code) {
  std::lock_guard lock(impl_->mu);
  if (code == 0) {
    impl_->recipient_replies.erase(address);
  } else {
    impl_->recipient_replies[address] = code;
  }
}

void FakeSmtp::SetRecipientDelay(const std::string& address, std::chrono::milliseconds delay) {
  std::lock_guard lock(impl_->mu);
  if (delay.count() <= 0) {
    impl_->recipient_delays.erase(address);
  } else {
    impl_->recipient_delays[address] = delay;
  }
}

void FakeSmtp::DropNext(FakeSmtpStage stage, int count) {
  std::lock_guard lock(impl_->mu);
  impl_->drop_count[StageIndex(stage)] = std::max(0, count);
}

std::vector<FakeSmtpMessage> FakeSmtp::Messages() const {
  std::lock_guard lock(impl_->mu);
  return impl_->messages;
}

FakeSmtpStats FakeSmtp::Stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

std::string FakeSmtp::StatsJson() const {
  const FakeSmtpStats s = Stats();
  return "{\"connections\":" + std::to_string(s.connections) +
         ",\"messages\":" + std::to_string(s.messages) +
         ",\"rejected\":" + std::to_string(s.rejected) +
         ",\"dropped\":" + std::to_string(s.dropped) +
         ",\"auth_failures\":" + std::to_string(s.auth_failures) + "}";
}

void FakeSmtp::Reset() {
  std::lock_guard lock(impl_->mu);
  impl_->messages.clear();
  impl_->stats = {};
}

}  // namespace tocsin
