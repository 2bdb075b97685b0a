// Configuration: one TOML file (see config/tocsin.example.toml), secrets overridable from the
// environment. Loading validates everything up front: a missing or malformed value fails with
// one Error whose `field` names the key (e.g. "server.listen") and nothing starts half-configured.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatch/net/smtp_client.h"
#include "dispatch/util/result.h"

namespace tocsin {

// The shipped templates (config/templates in the source tree). Defined in config.cc, the only file
// compiled with the path, so the other files' commands do not depend on where the tree is.
std::string DefaultTemplatesDir();

struct ServerConfig {
  std::string listen_host = "127.0.0.1";    // server.listen, "host:port"
  std::uint16_t listen_port = 8080;
  std::string public_url;                   // server.public_url, no trailing '/'
  int threads = 2;                          // server.threads, 1..64
  std::size_t max_body_bytes = 1 << 20;     // server.max_body_bytes
  std::size_t max_import_bytes = 16 << 20;  // server.max_import_bytes (CSV import)
};

// [http]: connection caps, so one client cannot take every descriptor (server/http/listener.h).
struct HttpConfig {
  int max_connections = 1024;             // http.max_connections, 1..1000000: open at once
  int max_connections_per_address = 256;  // http.max_connections_per_address: from one address
};

struct DatabaseConfig {
  std::string url;    // database.url; env DATABASE_URL wins
  int pool_size = 4;  // database.pool_size, 1..64: the engine's (sends, answers, escalation)
  int api_pool_size = 2;  // database.api_pool_size, 1..64: the API's (auth, reads, imports)
  int api_statement_timeout_ms = 30000;  // database.api_statement_timeout_ms: per API statement
};

struct TwilioConfig {
  std::string account_sid;                      // env TWILIO_ACCOUNT_SID wins
  std::string auth_token;                       // env TWILIO_AUTH_TOKEN wins
  std::string api_base = "https://api.twilio.com";
  double default_segments_per_second = 1.0;     // per sender number
  int max_in_flight = 100;                      // account-wide cap on requests in flight
  int request_timeout_ms = 15000;               // one request to the API, then retry
  // twilio.redact_after_send: once a message's status is final, its body is redacted at Twilio
  // (Twilio keeps bodies in its logs otherwise).
  bool redact_after_send = true;
  // Calls (issue 11): started per second by the account (Twilio's default is 1), and between
  // placing and their final status at once.
  double calls_per_second = 1.0;
  int max_calls_in_flight = 20;
};

struct VoiceConfig {
  int timeout_seconds = 30;  // voice.timeout ("30s"): ringing before a call is no-answer
};

struct SecurityConfig {
  std::string data_key_hex;  // security.data_key; env TOCSIN_DATA_KEY wins
  std::string admin_token;   // security.admin_token; env TOCSIN_ADMIN_TOKEN wins (optional)
};

struct SmsConfig {
  // "twilio", or "sandbox" (demos and tests: nothing leaves the machine). No default: `serve`
  // refuses to start without it, so no server ends up sending nothing by accident.
  std::string provider;
  // Message templates, one TOML file per language (config/templates in the source tree).
  std::string templates_dir = DefaultTemplatesDir();
};

struct WebhooksConfig {
  // webhooks.retry_schedule: the delays before the 2nd, 3rd... attempt of a failed webhook, in
  // ms (durations "5s", "5m", "2h" in the file; 1 to 20 of them, each at most 48h).
  std::vector<std::int64_t> retry_schedule_ms = {5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000};
  // webhooks.allow_private_targets: webhooks may reach loopback, private, link-local, CGNAT and
  // multicast addresses (on-premises partners, tests). Off by default (SSRF).
  bool allow_private_targets = false;
  bool allow_http = false;  // webhooks.allow_http: plain http:// webhook URLs (tests only)
};

// [email]: alert emails to organisations through the operator's SMTP relay
// (dispatch/net/smtp_client.h). Email is off while smtp_url is empty.
struct EmailConfig {
  std::string smtp_url;               // email.smtp_url: smtp://host:port or smtps://host:port
  std::string starttls = "required";  // email.starttls: "required", or "off" (loopback relay only)
  std::string username;               // email.username: SMTP AUTH when set
  std::string password;               // email.password; env TOCSIN_SMTP_PASSWORD wins
  std::string from;                   // email.from: required with smtp_url
  int max_in_flight = 4;              // email.max_in_flight, 1..100: messages at the relay at once
  int timeout_ms = 30000;             // email.timeout_ms: one whole SMTP exchange, then retry

  bool enabled() const { return !smtp_url.empty(); }
  SmtpSettings Settings() const;
};

struct Config {
  ServerConfig server;
  HttpConfig http;
  DatabaseConfig database;
  TwilioConfig twilio;
  SecurityConfig security;
  SmsConfig sms;
  WebhooksConfig webhooks;
  EmailConfig email;
  VoiceConfig voice;
  std::string log_level = "info";  // log.level: trace, debug, info, warn, error
  double escalation_time_scale = 1;  // escalation.time_scale, 1..3600: tests and demos only
  int audit_retention_days = 365;    // retention.audit_days, 30..3650: audit rows kept this long
  // testing.manual_clock: the engine's clock stands still until POST /v1/admin/clock moves it
  // (tests only; never in production).
  bool manual_clock = false;
  // testing.report_code_seed: > 0, report codes from a seeded generator, the same on every start
  // (tests only: codes become guessable); 0: random.
  std::int64_t report_code_seed = 0;
};

// Looks an environment variable up; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup ProcessEnv();

// Parses TOML text. Required: server.public_url, database.url (or DATABASE_URL),
// security.data_key (or TOCSIN_DATA_KEY, 64 hex chars). When sms.provider = "twilio":
// twilio.account_sid (AC + 32 hex) and twilio.auth_token are required too. When email.smtp_url is
// set, email.from is required and the settings must pass CheckSmtpSettings. Unknown keys are
// errors (a typo must not silently fall back to a default).
Result<Config> ParseConfig(std::string_view toml_text, const EnvLookup& env);
// Reads `path` then ParseConfig; an unreadable file is Error::Invalid with field "--config".
Result<Config> LoadConfig(const std::string& path, const EnvLookup& env);

}  // namespace tocsin
