// FakeSmtp: a fault-injecting SMTP relay on loopback, for tests, benchmarks and the quickstart's
// local mail sink.
//
// Real SMTP (RFC 5321) over TCP on 127.0.0.1, many sessions at once, several transactions per
// session: greeting 220; EHLO (offers SIZE, 8BITMIME, ENHANCEDSTATUSCODES, and AUTH when a
// user is configured) or HELO; MAIL FROM:<a> [params] (SIZE= checked); RCPT TO:<a> (up to 100);
// DATA, read up to the lone ".", dot-stuffing undone; RSET; NOOP; QUIT; VRFY 252. Out of order
// commands get 503, unknown ones 500, STARTTLS 454 (TLS is not offered). Replies carry RFC 3463
// enhanced codes.
//
// AUTH PLAIN (with or without an initial response) and AUTH LOGIN check the configured user and
// password (235, else 535 5.7.8); with a user configured, MAIL FROM before a successful AUTH is
// refused with 530 5.7.0.
//
// Recorded: every accepted message (envelope, the authenticated user, the EHLO name, the data as
// received) in arrival order. Faults, settable at any time from any thread:
//   - latency before every reply;
//   - the next N replies at a stage (greeting, MAIL, RCPT, DATA, after the data) answer a given
//     code instead (421 then closes the connection, as RFC 5321 says);
//   - a fixed reply code for RCPT TO of one address (a mailbox that is full or does not exist);
//   - a delay before the reply to RCPT TO of one address (a slow relay for that message only);
//   - the next N sessions reaching a stage are dropped there (the connection closes, no reply).
// A message refused after its data is not recorded.
//
// Threading: the server runs `threads` threads on its own io_context; every public method is
// thread-safe. `on_message` runs on a server thread, after the message is recorded. The
// destructor (or Stop) closes the listener, abandons sessions and joins the threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tocsin {

struct FakeSmtpMessage {
  std::string id;         // the fake's queue id, in its 250 reply after the data
  std::string helo;       // the name the client gave in EHLO/HELO
  std::string auth_user;  // empty when the session did not authenticate
  std::string mail_from;  // envelope, without <>; empty for the null sender
  std::vector<std::string> recipients;
  std::string data;  // as received, dot-stuffing undone, CRLF line ends, without the final "."
  std::chrono::system_clock::time_point received_at;
};

struct FakeSmtpConfig {
  std::uint16_t port = 0;  // 0: the OS picks one; see FakeSmtp::port()
  int threads = 1;
  std::string hostname = "fake-smtp.test";
  // When `username` is set, AUTH is offered (`auth_mechanisms`) and required before MAIL.
  std::string username;
  std::string password;
  std::string auth_mechanisms = "PLAIN LOGIN";
  std::size_t max_message_bytes = 10 << 20;  // offered as SIZE; larger data is refused with 552
  std::function<void(const FakeSmtpMessage&)> on_message;  // optional
};

enum class FakeSmtpStage {
  kGreeting,  // the 220 a new connection gets
  kMail,      // MAIL FROM
  kRcpt,      // RCPT TO
  kData,      // the DATA command (354)
  kDataEnd,   // the reply after the data's final "."
};

struct FakeSmtpStats {
  std::uint64_t connections = 0;
  std::uint64_t messages = 0;       // accepted (250 after the data)
  std::uint64_t rejected = 0;       // 4xx and 5xx replies, injected ones included
  std::uint64_t dropped = 0;        // connections closed on purpose
  std::uint64_t auth_failures = 0;  // 535 replies
};

class FakeSmtp {
 public:
  // Binds 127.0.0.1:`config.port` and starts serving. Throws boost::system::system_error if
  // the port cannot be bound.
  explicit FakeSmtp(FakeSmtpConfig config);
  ~FakeSmtp();
  FakeSmtp(const FakeSmtp&) = delete;
  FakeSmtp& operator=(const FakeSmtp&) = delete;

  // Idempotent; see the threading note above.
  void Stop();

  std::uint16_t port() const;
  std::string Url() const;  // "smtp://127.0.0.1:PORT"

  // --- Fault injection ---
  void SetLatency(std::chrono::milliseconds latency);
  // The next `count` replies at `stage` are `code` (421 450 451 452 550 552 553 554 get their
  // usual texts; others a generic one).
  void FailNext(FakeSmtpStage stage, int count, int code);
  // RCPT TO:<address> is answered `code` (0 clears it).
  void SetRecipientReply(const std::string& address, int code);
  // RCPT TO:<address> is answered only after `delay` (zero clears it).
  void SetRecipientDelay(const std::string& address, std::chrono::milliseconds delay);
  // The next `count` sessions reaching `stage` are closed there without a reply.
  void DropNext(FakeSmtpStage stage, int count);

  // --- Inspection ---
  std::vector<FakeSmtpMessage> Messages() const;
  FakeSmtpStats Stats() const;
  // {"connections":N,"messages":N,"rejected":N,"dropped":N,"auth_failures":N} on one line.
  std::string StatsJson() const;
  // Forgets messages and statistics (not the fault settings).
  void Reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin
