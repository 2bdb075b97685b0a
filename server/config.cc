#include "server/config.h"

#include "dispatch/model/policy.h"
#include "server/config_reader.h"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

namespace tocsin {

std::string DefaultTemplatesDir() { return TOCSIN_DEFAULT_TEMPLATES_DIR; }

namespace {

// Keys that hold secrets: their values never appear in an error message.
constexpr std::array<std::string_view, 5> kSecretKeys = {"data_key", "admin_token", "account_sid",
                                                         "auth_token", "password"};

// Replaces `out` with the environment variable `name` when it is set and non-empty; records
// where the value came from for error messages.
void ApplyEnv(const EnvLookup& env, const char* name, std::string& out, std::string& source) {
  if (!env) return;
  std::optional<std::string> value = env(name);
  if (value.has_value() && !value->empty()) {
    out = std::move(*value);
    source = std::string(" (from ") + name + ")";
  }
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

bool HasSpaceOrControl(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}

bool IsHttpUrl(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return false;
  }
  return !rest.empty() && rest.front() != '/' && !HasSpaceOrControl(url);
}

// Checks an http(s) base URL and strips trailing '/'.
Status NormaliseBaseUrl(std::string_view field, std::string& url) {
  if (!IsHttpUrl(url)) {
    return Error::Invalid(std::string(field),
                          std::string(field) + " must be an http:// or https:// URL");
  }
  while (url.ends_with('/')) url.pop_back();
  return Ok{};
}

// server.listen: "host:port", host an IPv4 literal, "localhost" or a bracketed IPv6 literal.
Status ParseListen(std::string_view listen, ServerConfig& server) {
  const Error bad = Error::Invalid(
      "server.listen",
      "server.listen must be \"host:port\" with an IPv4 address, localhost or [IPv6] address "
      "and a port from 1 to 65535, e.g. \"127.0.0.1:8080\"");
  std::string host;
  std::string_view port;
  if (listen.starts_with('[')) {
    const std::size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return bad;
    }
    host = std::string(listen.substr(1, close - 1));
    port = listen.substr(close + 2);
    in6_addr addr6{};
    if (inet_pton(AF_INET6, host.c_str(), &addr6) != 1) return bad;
  } else {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return bad;
    host = std::string(listen.substr(0, colon));
    port = listen.substr(colon + 1);
    in_addr addr4{};
    if (host != "localhost" && inet_pton(AF_INET, host.c_str(), &addr4) != 1) return bad;
  }
  if (port.empty() || port.size() > 5) return bad;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value < 1 || value > 65535) return bad;
  server.listen_host = std::move(host);
  server.listen_port = static_cast<std::uint16_t>(value);
  return Ok{};
}

bool IsDatabaseUrl(std::string_view url) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return true;
  return url.find('=') != std::string_view::npos;  // libpq "host=... dbname=..."
}

bool IsTwilioAccountSid(std::string_view sid) {
  if (sid.size() != 34 || !sid.starts_with("AC")) return false;
  for (char c : sid.substr(2)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Line `line` (1-based) of `text`, or empty.
std::string_view LineOf(std::string_view text, std::size_t line) {
  for (std::size_t n = 1; n < line; ++n) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return {};
    text.remove_prefix(nl + 1);
  }
  return text.substr(0, text.find('\n'));
}

// toml++ descriptions may quote bits of the offending value; if the line holds a secret,
// keep only the line number.
Error ParseError(std::string_view toml_text, const toml::parse_error& e) {
  const std::size_t line = e.source().begin.line;
  const std::string_view text = LineOf(toml_text, line);
  std::string description(e.description());
  for (std::string_view secret : kSecretKeys) {
    if (text.find(secret) != std::string_view::npos) {
      description = "malformed line (details withheld: it holds a secret)";
      break;
    }
  }
  return Error::Invalid("--config", "config: line " + std::to_string(line) + ": " + description);
}

#define TOCSIN_RETURN_IF_ERROR(expr)           \
  do {                                         \
    Status status_ = (expr);                   \
    if (!status_.ok()) return status_.error(); \
  } while (false)

Status ParseEmail(const Reader& in, const EnvLookup& env, EmailConfig& email) {
  TOCSIN_RETURN_IF_ERROR(in.String("email", "smtp_url", email.smtp_url));
  TOCSIN_RETURN_IF_ERROR(in.String("email", "starttls", email.starttls));
  TOCSIN_RETURN_IF_ERROR(in.String("email", "username", email.username));
  TOCSIN_RETURN_IF_ERROR(in.String("email", "password", email.password));
  std::string password_source;
  ApplyEnv(env, "TOCSIN_SMTP_PASSWORD", email.password, password_source);
  TOCSIN_RETURN_IF_ERROR(in.String("email", "from", email.from));
  TOCSIN_RETURN_IF_ERROR(in.Integer("email", "max_in_flight", 1, 100, email.max_in_flight));
  TOCSIN_RETURN_IF_ERROR(in.Integer("email", "timeout_ms", 1000, 300000, email.timeout_ms));
  if (email.starttls != "required" && email.starttls != "off") {
    return Error::Invalid("email.starttls", "email.starttls must be \"required\" or \"off\"");
  }
  if (!email.enabled()) return Ok{};
  if (email.from.empty()) {
    return Error::Invalid("email.from", "email.from is required with email.smtp_url");
  }
  // The checks name the key at fault and never echo a value (a URL may carry credentials).
  return CheckSmtpSettings(email.Settings());
}

Result<Config> Build(const toml::table& root, const EnvLookup& env) {
  TOCSIN_RETURN_IF_ERROR(CheckKnownKeys(root));
  const Reader in(root);
  Config config;
  constexpr std::int64_t kNoMax = std::numeric_limits<std::int64_t>::max();

  // [server]
  ServerConfig& server = config.server;
  if (in.Has("server", "listen")) {
    std::string listen;
    TOCSIN_RETURN_IF_ERROR(in.String("server", "listen", listen));
    TOCSIN_RETURN_IF_ERROR(ParseListen(listen, server));
  }
  TOCSIN_RETURN_IF_ERROR(in.String("server", "public_url", server.public_url));
  if (server.public_url.empty()) {
    return Error::Invalid("server.public_url",
                          "server.public_url is required (e.g. \"https://alerts.example.org\")");
  }
  TOCSIN_RETURN_IF_ERROR(NormaliseBaseUrl("server.public_url", server.public_url));
  TOCSIN_RETURN_IF_ERROR(in.Integer("server", "threads", 1, 64, server.threads));
  TOCSIN_RETURN_IF_ERROR(
      in.Integer("server", "max_body_bytes", 1024, kNoMax, server.max_body_bytes));
  TOCSIN_RETURN_IF_ERROR(
      in.Integer("server", "max_import_bytes", 1, kNoMax, server.max_import_bytes));
  if (server.max_import_bytes < server.max_body_bytes) {
    return Error::Invalid("server.max_import_bytes",
                          "server.max_import_bytes must be at least server.max_body_bytes");
  }

  // [http]
  HttpConfig& http = config.http;
  TOCSIN_RETURN_IF_ERROR(in.Integer("http", "max_connections", 1, 1000000, http.max_connections));
  TOCSIN_RETURN_IF_ERROR(in.Integer("http", "max_connections_per_address", 1, 1000000,
                                    http.max_connections_per_address));
  if (http.max_connections_per_address > http.max_connections) {
    return Error::Invalid("http.max_connections_per_address",
                          "http.max_connections_per_address must be at most http.max_connections");
  }

  // [database]
  DatabaseConfig& database = config.database;
  std::string database_url_source;
  TOCSIN_RETURN_IF_ERROR(in.String("database", "url", database.url));
  ApplyEnv(env, "DATABASE_URL", database.url, database_url_source);
  if (database.url.empty()) {
    return Error::Invalid("database.url", "database.url is required (or set DATABASE_URL)");
  }
  if (!IsDatabaseUrl(database.url)) {
    // Never echo the URL: it may carry a password.
    return Error::Invalid("database.url",
                          "database.url" + database_url_source +
                              " must be a postgresql:// URI or a libpq key=value string");
  }
  TOCSIN_RETURN_IF_ERROR(in.Integer("database", "pool_size", 1, 64, database.pool_size));
  TOCSIN_RETURN_IF_ERROR(in.Integer("database", "api_pool_size", 1, 64, database.api_pool_size));
  TOCSIN_RETURN_IF_ERROR(
      in.Integer("database", "api_statement_timeout_ms", 100, 600000, database.api_statement_timeout_ms));

  // [security]
  SecurityConfig& security = config.security;
  std::string data_key_source;
  std::string admin_token_source;
  TOCSIN_RETURN_IF_ERROR(in.String("security", "data_key", security.data_key_hex));
  ApplyEnv(env, "TOCSIN_DATA_KEY", security.data_key_hex, data_key_source);
  if (security.data_key_hex.empty()) {
    return Error::Invalid("security.data_key",
                          "security.data_key is required (or set TOCSIN_DATA_KEY); run `tocsind "
                          "keygen` to make one");
  }
  if (security.data_key_hex.size() != 64 || !IsHex(security.data_key_hex)) {
    return Error::Invalid("security.data_key", "security.data_key" + data_key_source +
                                                   " must be 64 hex characters; run `tocsind "
                                                   "keygen` to make one");
  }
  TOCSIN_RETURN_IF_ERROR(in.String("security", "admin_token", security.admin_token));
  ApplyEnv(env, "TOCSIN_ADMIN_TOKEN", security.admin_token, admin_token_source);
  if (!security.admin_token.empty()) {
    if (security.admin_token.size() < 32) {
      return Error::Invalid("security.admin_token", "security.admin_token" + admin_token_source +
                                                        " must be at least 32 characters");
    }
    if (HasSpaceOrControl(security.admin_token)) {
      return Error::Invalid("security.admin_token",
                            "security.admin_token" + admin_token_source +
                                " must not contain spaces or control characters");
    }
  }

  // [sms]
  TOCSIN_RETURN_IF_ERROR(in.String("sms", "provider", config.sms.provider));
  TOCSIN_RETURN_IF_ERROR(in.String("sms", "templates_dir", config.sms.templates_dir));
  // Absent is allowed here (the operator commands need no provider); `serve` refuses it.
  if (in.Has("sms", "provider") && config.sms.provider != "sandbox" && config.sms.provider != "twilio") {
    return Error::Invalid("sms.provider", "sms.provider must be \"sandbox\" or \"twilio\"");
  }

  // [twilio]
  TwilioConfig& twilio = config.twilio;
  std::string sid_source;
  std::string auth_source;
  TOCSIN_RETURN_IF_ERROR(in.String("twilio", "account_sid", twilio.account_sid));
  ApplyEnv(env, "TWILIO_ACCOUNT_SID", twilio.account_sid, sid_source);
  TOCSIN_RETURN_IF_ERROR(in.String("twilio", "auth_token", twilio.auth_token));
  ApplyEnv(env, "TWILIO_AUTH_TOKEN", twilio.auth_token, auth_source);
  if (config.sms.provider == "twilio") {
    if (twilio.account_sid.empty()) {
      return Error::Invalid("twilio.account_sid",
                            "twilio.account_sid is required when sms.provider = \"twilio\" (or "
                            "set TWILIO_ACCOUNT_SID)");
    }
    if (!IsTwilioAccountSid(twilio.account_sid)) {
      return Error::Invalid("twilio.account_sid",
                            "twilio.account_sid" + sid_source +
                                " must be \"AC\" followed by 32 lowercase hex characters");
    }
    if (twilio.auth_token.empty()) {
      return Error::Invalid("twilio.auth_token",
                            "twilio.auth_token is required when sms.provider = \"twilio\" (or "
                            "set TWILIO_AUTH_TOKEN)");
    }
  }
  TOCSIN_RETURN_IF_ERROR(in.String("twilio", "api_base", twilio.api_base));
  TOCSIN_RETURN_IF_ERROR(NormaliseBaseUrl("twilio.api_base", twilio.api_base));
  TOCSIN_RETURN_IF_ERROR(
      in.Number("twilio", "default_segments_per_second", twilio.default_segments_per_second));
  // Written so that NaN fails too.
  if (!(twilio.default_segments_per_second > 0 && twilio.default_segments_per_second <= 1000)) {
    return Error::Invalid(
        "twilio.default_segments_per_second",
        "twilio.default_segments_per_second must be greater than 0 and at most 1000");
  }
  TOCSIN_RETURN_IF_ERROR(in.Integer("twilio", "max_in_flight", 1, 10000, twilio.max_in_flight));
  TOCSIN_RETURN_IF_ERROR(in.Bool("twilio", "redact_after_send", twilio.redact_after_send));
  TOCSIN_RETURN_IF_ERROR(
      in.Integer("twilio", "request_timeout_ms", 100, 120000, twilio.request_timeout_ms));

  TOCSIN_RETURN_IF_ERROR(in.Number("twilio", "calls_per_second", twilio.calls_per_second));
  if (!(twilio.calls_per_second > 0 && twilio.calls_per_second <= 1000)) {
    return Error::Invalid("twilio.calls_per_second",
                          "twilio.calls_per_second must be greater than 0 and at most 1000");
  }
  TOCSIN_RETURN_IF_ERROR(in.Integer("twilio", "max_calls_in_flight", 1, 10000, twilio.max_calls_in_flight));

  // [voice]
  std::string ring = "30s";
  TOCSIN_RETURN_IF_ERROR(in.String("voice", "timeout", ring));
  auto ring_ms = ParseDuration(ring, "voice.timeout", 600000);
  if (!ring_ms.ok() || ring_ms.value() < 5000 || ring_ms.value() % 1000 != 0) {
    return Error::Invalid("voice.timeout", "voice.timeout must be whole seconds from 5s to 10m (e.g. \"30s\")");
  }
  config.voice.timeout_seconds = static_cast<int>(ring_ms.value() / 1000);

  // [email]
  TOCSIN_RETURN_IF_ERROR(ParseEmail(in, env, config.email));

  // [escalation]
  TOCSIN_RETURN_IF_ERROR(in.Number("escalation", "time_scale", config.escalation_time_scale));
  // TOCSIN_TIME_SCALE wins (a demo runs the quickstart's config faster without editing it).
  if (auto scale = env ? env("TOCSIN_TIME_SCALE") : std::nullopt; scale && !scale->empty()) {
    char* end = nullptr;
    config.escalation_time_scale = std::strtod(scale->c_str(), &end);
    if (end == scale->c_str() || *end != '\0') {
      return Error::Invalid("escalation.time_scale", "TOCSIN_TIME_SCALE must be a number from 1 to 3600");
    }
  }
  if (!(config.escalation_time_scale >= 1 && config.escalation_time_scale <= 3600)) {
    return Error::Invalid("escalation.time_scale", "escalation.time_scale must be from 1 to 3600");
  }

  // [retention]
  TOCSIN_RETURN_IF_ERROR(in.Integer("retention", "audit_days", 30, 3650, config.audit_retention_days));

  // [testing]
  TOCSIN_RETURN_IF_ERROR(in.Bool("testing", "manual_clock", config.manual_clock));
  TOCSIN_RETURN_IF_ERROR(in.Integer("testing", "report_code_seed", 0, std::numeric_limits<std::int64_t>::max(), config.report_code_seed));

  // [webhooks]
  std::optional<std::vector<std::string>> schedule;
  TOCSIN_RETURN_IF_ERROR(in.Strings("webhooks", "retry_schedule", schedule));
  if (schedule) {
    if (schedule->empty() || schedule->size() > 20) {
      return Error::Invalid("webhooks.retry_schedule", "webhooks.retry_schedule must list 1 to 20 durations");
    }
    config.webhooks.retry_schedule_ms.clear();
    for (const auto& d : *schedule) {
      auto ms = ParseDuration(d, "webhooks.retry_schedule");
      if (!ms.ok()) {
        return Error::Invalid("webhooks.retry_schedule",
                              "webhooks.retry_schedule: '" + d + "' " + ms.error().message);
      }
      config.webhooks.retry_schedule_ms.push_back(ms.value());
    }
  }
  TOCSIN_RETURN_IF_ERROR(in.Bool("webhooks", "allow_private_targets", config.webhooks.allow_private_targets));
  TOCSIN_RETURN_IF_ERROR(in.Bool("webhooks", "allow_http", config.webhooks.allow_http));

  // [log]
  TOCSIN_RETURN_IF_ERROR(in.String("log", "level", config.log_level));
  constexpr std::array<std::string_view, 5> kLevels = {"trace", "debug", "info", "warn", "error"};
  bool known_level = false;
  for (std::string_view level : kLevels) known_level = known_level || level == config.log_level;
  if (!known_level) {
    return Error::Invalid("log.level", "log.level must be one of trace, debug, info, warn, error");
  }
  return config;
}

#undef TOCSIN_RETURN_IF_ERROR

}  // namespace

SmtpSettings EmailConfig::Settings() const {
  SmtpSettings s;
  s.url = smtp_url;
  s.starttls = starttls != "off";
  s.username = username;
  s.password = password;
  s.from = from;
  s.max_connections = max_in_flight;
  s.timeout = std::chrono::milliseconds(timeout_ms);
  return s;
}

EnvLookup ProcessEnv() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<Config> ParseConfig(std::string_view toml_text, const EnvLookup& env) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return ParseError(toml_text, e);
  }
  return Build(root, env);
}

Result<Config> LoadConfig(const std::string& path, const EnvLookup& env) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Error::Invalid("--config", "cannot read config file '" + path + "': is a directory");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Error::Invalid("--config",
                          "cannot read config file '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    return Error::Invalid("--config", "cannot read config file '" + path + "'");
  }
  return ParseConfig(text.str(), env);
}

}  // namespace tocsin
