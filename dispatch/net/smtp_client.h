// SmtpClient: hands emails to the operator's SMTP relay (config [email]) through libcurl's SMTP,
// on a CurlMultiClient driven by the caller's event loop: many at once, no thread per message,
// the relay's connections kept for the next message.
//
// Security: `smtp://` upgrades with STARTTLS and refuses to go on without it (CURLUSESSL_ALL),
// `smtps://` is TLS from the first byte; AUTH (PLAIN or LOGIN, as the relay offers) runs only
// inside TLS. "starttls = off" (plain text) is accepted only for a relay on loopback: the
// quickstart's sink and the tests' fake relay (CheckSmtpSettings).
//
// Outcomes (Interpret), as for SMS:
//   1. 2xx after the data: sent.
//   2. A 5xx refusing the recipient (RCPT TO) or the message (after the data): permanent, with
//      the code ("smtp_550") and its enhanced status ("5.1.1") in the message.
//   3. A 4xx, a timeout, a connection or TLS failure: transient (retry later).
//   4. A 5xx at any other step (greeting, EHLO, AUTH, MAIL FROM) means the relay refuses us, not
//      the recipient: transient, and `relay_refused` set so the caller can tell the operator
//      (failing every delivery at once would hide a configuration error as bad addresses).
// The relay's reply text is never kept: it often quotes the address.
//
// Threading: as CurlMultiClient's (the executor given at construction); `done` runs on it.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "dispatch/net/curl_multi_client.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct SmtpSettings {
  std::string url;                 // email.smtp_url: smtp://host[:port] or smtps://host[:port]
  bool starttls = true;            // email.starttls: "required" (true) or "off"
  std::string username, password;  // email.username, email.password: AUTH when username is set
  std::string from;                // email.from: envelope sender and From address
  int max_connections = 4;         // email.max_in_flight: connections to the relay at most
  std::chrono::milliseconds timeout{30000};  // email.timeout_ms: one whole SMTP exchange
};

// Error::Invalid with field "email.smtp_url", "email.starttls", "email.from" or
// "email.password" when the settings cannot work or are unsafe: a URL that is not smtp(s)://
// with a host (and an optional port from 1 to 65535, nothing after it but '/'), STARTTLS off for
// a relay that is not on loopback (127.0.0.0/8, [::1], localhost), a sender that is not an
// address (util/email_address.h), a username without a password.
Status CheckSmtpSettings(const SmtpSettings& settings);

struct SmtpOutcome {
  enum class Kind { kSent, kTransient, kPermanent };
  Kind kind = Kind::kTransient;
  int reply = 0;              // the relay's last reply code, 0 when none
  std::string error_code;     // "smtp_451", "smtp_550", "timeout", "network", "tls"
  std::string error_message;  // our words; never an address or the relay's text
  bool relay_refused = false;  // rule 4: the relay refuses us (credentials, sender, policy)
};

class SmtpClient {
 public:
  // Fails as CheckSmtpSettings does.
  static Result<std::unique_ptr<SmtpClient>> Create(boost::asio::any_io_executor executor,
                                                    SmtpSettings settings);

  // Sends `message` (BuildEmail's bytes) to `to`; `done` is called exactly once on the
  // executor, never from inside Send (CurlMultiClient's rules).
  void Send(const std::string& to, std::string message, std::function<void(SmtpOutcome)> done);

  // What the relay's answer means for the delivery (pure; unit-tested).
  static SmtpOutcome Interpret(const MailResponse& response);

  std::size_t InFlight() const { return client_.InFlight(); }
  const SmtpSettings& settings() const { return settings_; }

 private:
  SmtpClient(boost::asio::any_io_executor executor, SmtpSettings settings);

  // Immutable after construction.
  const SmtpSettings settings_;
  // Only on the executor.
  CurlMultiClient client_;
};

}  // namespace tocsin
