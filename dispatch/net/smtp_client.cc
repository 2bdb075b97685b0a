#include "dispatch/net/smtp_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "dispatch/util/email_address.h"

namespace tocsin {
namespace {

struct RelayAddress {
  std::string host;  // without brackets
  bool ok = false;
};

// smtp://host[:port][/] or smtps://...; host a name, an IPv4 literal or a bracketed IPv6 one.
RelayAddress ParseRelay(std::string_view url) {
  RelayAddress out;
  std::string_view rest;
  if (url.starts_with("smtp://")) {
    rest = url.substr(7);
  } else if (url.starts_with("smtps://")) {
    rest = url.substr(8);
  } else {
    return out;
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::string_view host = rest;
  std::string_view port;
  bool has_port = false;
  if (rest.starts_with('[')) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return out;
    host = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') return out;
    has_port = !rest.empty();
    in6_addr addr6{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &addr6) != 1) return out;
  } else {
    const std::size_t colon = rest.find(':');
    host = rest.substr(0, colon);
    has_port = colon != std::string_view::npos;
    rest.remove_prefix(has_port ? colon : rest.size());
    if (host.empty()) return out;
    for (char c : host) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '-';
      if (!ok) return out;
    }
  }
  out.host = std::string(host);
  if (has_port) {
    port = rest.substr(1);
    if (port.empty() || port.size() > 5) return out;
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return out;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value < 1 || value > 65535) return out;
  }
  out.ok = true;
  return out;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr addr4{};
  if (inet_pton(AF_INET, host.c_str(), &addr4) == 1) {
    return (ntohl(addr4.s_addr) >> 24) == 127;
  }
  in6_addr addr6{};
  return inet_pton(AF_INET6, host.c_str(), &addr6) == 1 && IN6_IS_ADDR_LOOPBACK(&addr6);
}

std::string WithEnhanced(std::string text, const MailResponse& r) {
  if (!r.enhanced.empty()) text += " (" + r.enhanced + ")";
  return text;
}

}  // namespace

Status CheckSmtpSettings(const SmtpSettings& s) {
  const RelayAddress relay = ParseRelay(s.url);
  if (!relay.ok) {
    return Error::Invalid("email.smtp_url",
                          "email.smtp_url must be smtp://host:port (STARTTLS, usually port 587) "
                          "or smtps://host:port (TLS, usually port 465)");
  }
  if (!s.starttls && !IsLoopbackHost(relay.host)) {
    return Error::Invalid("email.starttls",
                          "email.starttls = \"off\" sends mail and passwords in clear text: it is "
                          "allowed only for a relay on loopback (127.0.0.1, [::1], localhost)");
  }
  if (!IsEmailAddress(s.from)) {
    return Error::Invalid("email.from",
                          "email.from must be a plain email address, e.g. alerts@example.org");
  }
  if (!s.username.empty() && s.password.empty()) {
    return Error::Invalid("email.password",
                          "email.password is required with email.username (or set "
                          "TOCSIN_SMTP_PASSWORD)");
  }
  return Ok{};
}

Result<std::unique_ptr<SmtpClient>> SmtpClient::Create(boost::asio::any_io_executor executor,
                                                       SmtpSettings settings) {
  if (Status s = CheckSmtpSettings(settings); !s.ok()) return s.error();
  return std::unique_ptr<SmtpClient>(new SmtpClient(std::move(executor), std::move(settings)));
}

SmtpClient::SmtpClient(boost::asio::any_io_executor executor, SmtpSettings settings)
    : settings_(std::move(settings)), client_(std::move(executor), settings_.max_connections) {}

SmtpOutcome SmtpClient::Interpret(const MailResponse& r) {
  SmtpOutcome out;
  out.reply = r.reply;
  const std::string code = "smtp_" + std::to_string(r.reply);
  if (r.sent) {
    out.kind = SmtpOutcome::Kind::kSent;
  } else if (r.timed_out) {
    out.error_code = "timeout";
    out.error_message = "the mail relay did not answer in time";
  } else if (r.reply >= 400 && r.reply < 500) {
    out.error_code = code;
    out.error_message = WithEnhanced("the mail relay deferred the message", r);
  } else if (r.reply >= 500 && r.reply < 600 && (r.recipient_refused || r.data_sent)) {
    out.kind = SmtpOutcome::Kind::kPermanent;
    out.error_code = code;
    out.error_message = WithEnhanced(
        r.recipient_refused ? "the mail relay refused the recipient" : "the mail relay refused the message",
        r);
  } else if (r.reply >= 500 && r.reply < 600) {
    out.error_code = code;
    out.error_message = WithEnhanced("the mail relay refused our connection or sender", r);
    out.relay_refused = true;
  } else if (r.curl_code == CURLE_USE_SSL_FAILED) {
    out.error_code = "tls";
    out.error_message = "the mail relay offers no STARTTLS (email.starttls = \"required\")";
    out.relay_refused = true;
  } else {
    out.error_code = "network";
    out.error_message = "could not reach the mail relay";
  }
  return out;
}

void SmtpClient::Send(const std::string& to, std::string message,
                      std::function<void(SmtpOutcome)> done) {
  MailRequest request;
  request.url = settings_.url;
  request.require_tls = settings_.starttls;
  request.username = settings_.username;
  request.password = settings_.password;
  request.mail_from = settings_.from;
  request.recipients = {to};
  request.message = std::move(message);
  request.timeout = settings_.timeout;
  client_.Start(std::move(request), [done = std::move(done)](MailResponse response) {
    SmtpOutcome outcome = Interpret(response);
    if (outcome.relay_refused) {
      // The operator must act (credentials, sender, TLS); the address is not in it.
      spdlog::error("email: {} [{}]; check the [email] settings", outcome.error_message,
                    outcome.error_code);
    }
    done(std::move(outcome));
  });
}

}  // namespace tocsin
