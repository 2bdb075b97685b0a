#include "server/config.h"
#include "tests/support/paths.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

namespace tocsin {
namespace {

constexpr std::string_view kDataKey =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kSid = "AC0123456789abcdef0123456789abcdef";

// An EnvLookup over a fixed map.
EnvLookup Env(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The smallest valid config, with `extra` appended (TOML tables may not be reopened, so tests
// that need a table put it in `extra` and leave it out of the base).
std::string Minimal(std::string_view extra = "") {
  return std::string(R"(
[server]
public_url = "https://alerts.example.org"

[database]
url = "postgresql://tocsin@127.0.0.1:5432/tocsin"

[security]
data_key = ")") +
         std::string(kDataKey) + "\"\n" + std::string(extra);
}

// Builds a config from table bodies; an absent table is left out.
std::string Toml(std::map<std::string, std::string> tables) {
  std::string out;
  for (const auto& [name, body] : tables) out += "[" + name + "]\n" + body + "\n";
  return out;
}

std::map<std::string, std::string> BaseTables() {
  return {
      {"server", "public_url = \"https://alerts.example.org\"\n"},
      {"database", "url = \"postgresql://tocsin@127.0.0.1:5432/tocsin\"\n"},
      {"security", "data_key = \"" + std::string(kDataKey) + "\"\n"},
  };
}

// The error field of parsing `text`, or "ok".
std::string FieldOf(const std::string& text, const EnvLookup& env = Env()) {
  Result<Config> config = ParseConfig(text, env);
  return config.ok() ? "ok" : config.error().field;
}

// The error field after replacing (or adding) `key` in `table` of the base config.
std::string FieldWith(const std::string& table, const std::string& line,
                      const EnvLookup& env = Env()) {
  std::map<std::string, std::string> tables = BaseTables();
  tables[table] += line + "\n";
  return FieldOf(Toml(tables), env);
}

TEST_CASE("ParseConfig reads a minimal config with defaults", "[config]") {
  Result<Config> config = ParseConfig(Minimal(), Env());
  if (!config.ok()) FAIL(config.error().message);
  const Config& c = config.value();
  CHECK(c.server.listen_host == "127.0.0.1");
  CHECK(c.server.listen_port == 8080);
  CHECK(c.server.public_url == "https://alerts.example.org");
  CHECK(c.server.threads == 2);
  CHECK(c.server.max_body_bytes == (1u << 20));
  CHECK(c.server.max_import_bytes == (16u << 20));
  CHECK(c.http.max_connections == 1024);
  CHECK(c.http.max_connections_per_address == 256);
  CHECK(c.database.url == "postgresql://tocsin@127.0.0.1:5432/tocsin");
  CHECK(c.database.pool_size == 4);
  CHECK(c.security.data_key_hex == kDataKey);
  CHECK(c.security.admin_token.empty());
  CHECK(c.sms.provider.empty());  // no default: serve refuses (see migrate_pgtest)
  CHECK(c.twilio.api_base == "https://api.twilio.com");
  CHECK(c.twilio.default_segments_per_second == 1.0);
  CHECK(c.twilio.max_in_flight == 100);
  CHECK(c.twilio.calls_per_second == 1.0);
  CHECK(c.twilio.max_calls_in_flight == 20);
  CHECK(c.voice.timeout_seconds == 30);
  CHECK(c.log_level == "info");
}

TEST_CASE("ParseConfig reads every key", "[config]") {
  const std::string text = R"(
[server]
listen = "0.0.0.0:9090"
public_url = "https://alerts.example.org/base/"
threads = 8
max_body_bytes = 2048
max_import_bytes = 4096

[database]
url = "host=/run/postgresql dbname=tocsin"
pool_size = 16

[twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token = "twilio-secret"
api_base = "http://127.0.0.1:9999/"
default_segments_per_second = 2
max_in_flight = 50

[security]
data_key = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
admin_token = "0123456789abcdef0123456789abcdef"

[sms]
provider = "twilio"

[log]
level = "debug"
)";
  Result<Config> config = ParseConfig(text, Env());
  if (!config.ok()) FAIL(config.error().message);
  const Config& c = config.value();
  CHECK(c.server.listen_host == "0.0.0.0");
  CHECK(c.server.listen_port == 9090);
  CHECK(c.server.public_url == "https://alerts.example.org/base");
  CHECK(c.server.threads == 8);
  CHECK(c.server.max_body_bytes == 2048);
  CHECK(c.server.max_import_bytes == 4096);
  CHECK(c.database.url == "host=/run/postgresql dbname=tocsin");
  CHECK(c.database.pool_size == 16);
  CHECK(c.twilio.account_sid == kSid);
  CHECK(c.twilio.auth_token == "twilio-secret");
  CHECK(c.twilio.api_base == "http://127.0.0.1:9999");
  CHECK(c.twilio.default_segments_per_second == 2.0);
  CHECK(c.twilio.max_in_flight == 50);
  CHECK(c.security.admin_token == "0123456789abcdef0123456789abcdef");
  CHECK(c.sms.provider == "twilio");
  CHECK(c.log_level == "debug");
}

TEST_CASE("ParseConfig names each missing required key", "[config]") {
  std::map<std::string, std::string> tables = BaseTables();
  SECTION("server.public_url") {
    tables.erase("server");
    CHECK(FieldOf(Toml(tables)) == "server.public_url");
  }
  SECTION("empty server.public_url") {
    tables["server"] = "public_url = \"\"\n";
    CHECK(FieldOf(Toml(tables)) == "server.public_url");
  }
  SECTION("database.url") {
    tables.erase("database");
    CHECK(FieldOf(Toml(tables)) == "database.url");
  }
  SECTION("security.data_key") {
    tables.erase("security");
    Result<Config> config = ParseConfig(Toml(tables), Env());
    REQUIRE_FALSE(config.ok());
    CHECK(config.error().code == ErrorCode::kInvalid);
    CHECK(config.error().field == "security.data_key");
    CHECK(config.error().message.find("tocsind keygen") != std::string::npos);
  }
  SECTION("everything") { CHECK(FieldOf("") == "server.public_url"); }
}

TEST_CASE("ParseConfig lets the environment supply and override secrets", "[config]") {
  std::map<std::string, std::string> tables = BaseTables();
  tables.erase("database");
  tables.erase("security");
  const EnvLookup env = Env({{"DATABASE_URL", "postgres://env@db/tocsin"},
                             {"TOCSIN_DATA_KEY", std::string(kDataKey)},
                             {"TOCSIN_ADMIN_TOKEN", std::string(40, 'a')}});
  Result<Config> config = ParseConfig(Toml(tables), env);
  if (!config.ok()) FAIL(config.error().message);
  CHECK(config->database.url == "postgres://env@db/tocsin");
  CHECK(config->security.data_key_hex == kDataKey);
  CHECK(config->security.admin_token == std::string(40, 'a'));

  SECTION("the environment wins over the file") {
    const std::string other_key(64, 'f');
    Result<Config> both = ParseConfig(Minimal("admin_token = \"" + std::string(32, 'b') + "\"\n"),
                                      Env({{"DATABASE_URL", "postgresql://env@db/x"},
                                           {"TOCSIN_DATA_KEY", other_key},
                                           {"TOCSIN_ADMIN_TOKEN", std::string(33, 'c')}}));
    if (!both.ok()) FAIL(both.error().message);
    CHECK(both->database.url == "postgresql://env@db/x");
    CHECK(both->security.data_key_hex == other_key);
    CHECK(both->security.admin_token == std::string(33, 'c'));
  }
  SECTION("a set but empty variable counts as unset") {
    Result<Config> empty = ParseConfig(
        Minimal(),
        Env({{"DATABASE_URL", ""}, {"TOCSIN_DATA_KEY", ""}, {"TOCSIN_ADMIN_TOKEN", ""}}));
    if (!empty.ok()) FAIL(empty.error().message);
    CHECK(empty->database.url == "postgresql://tocsin@127.0.0.1:5432/tocsin");
    CHECK(empty->security.data_key_hex == kDataKey);
    CHECK(empty->security.admin_token.empty());
    CHECK(FieldOf(Toml(tables), Env({{"DATABASE_URL", ""}})) == "database.url");
  }
  SECTION("a bad value from the environment names the variable, not the value") {
    Result<Config> bad = ParseConfig(Minimal(), Env({{"TOCSIN_DATA_KEY", "not-a-key-XYZ"}}));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().field == "security.data_key");
    CHECK(bad.error().message.find("TOCSIN_DATA_KEY") != std::string::npos);
    CHECK(bad.error().message.find("not-a-key-XYZ") == std::string::npos);
  }
  SECTION("Twilio credentials from the environment") {
    std::map<std::string, std::string> twilio = BaseTables();
    twilio["sms"] = "provider = \"twilio\"\n";
    twilio["twilio"] = "account_sid = \"AC00000000000000000000000000000000\"\n";
    Result<Config> from_env =
        ParseConfig(Toml(twilio),
                    Env({{"TWILIO_ACCOUNT_SID", std::string(kSid)}, {"TWILIO_AUTH_TOKEN", "tok"}}));
    if (!from_env.ok()) FAIL(from_env.error().message);
    CHECK(from_env->twilio.account_sid == kSid);
    CHECK(from_env->twilio.auth_token == "tok");
  }
}

TEST_CASE("ProcessEnv reads the process environment", "[config]") {
  const EnvLookup env = ProcessEnv();
  ::setenv("TOCSIN_CONFIG_TEST_VAR", "value", 1);
  CHECK(env("TOCSIN_CONFIG_TEST_VAR") == "value");
  ::unsetenv("TOCSIN_CONFIG_TEST_VAR");
  CHECK_FALSE(env("TOCSIN_CONFIG_TEST_VAR").has_value());
}

TEST_CASE("ParseConfig rejects unknown keys and tables", "[config]") {
  Result<Config> config = ParseConfig(Minimal("[log]\nlevle = \"info\"\n"), Env());
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().field == "log.levle");
  CHECK(config.error().message == "unknown key 'log.levle'");

  CHECK(FieldWith("server", "lisen = \"127.0.0.1:8080\"") == "server.lisen");
  CHECK(FieldOf(Minimal("[serve]\nlisten = \"127.0.0.1:8080\"\n")) == "serve");
  CHECK(FieldOf(Minimal("[server.tls]\ncert = \"x\"\n")) == "server.tls");
  CHECK(FieldOf("debug = true\n" + Minimal()) == "debug");
  CHECK(FieldOf("log = \"info\"\n" + Minimal()) == "log");  // a known table as a value
  // A key in the wrong table is unknown there.
  CHECK(FieldWith("server", "data_key = \"x\"") == "server.data_key");
}

TEST_CASE("ParseConfig rejects wrong types, naming the key", "[config]") {
  CHECK(FieldWith("server", "threads = \"4\"") == "server.threads");
  CHECK(FieldWith("server", "threads = 4.0") == "server.threads");
  CHECK(FieldWith("server", "listen = 8080") == "server.listen");
  CHECK(FieldWith("database", "pool_size = true") == "database.pool_size");
  CHECK(FieldWith("twilio", "default_segments_per_second = \"1\"") ==
        "twilio.default_segments_per_second");
  CHECK(FieldWith("log", "level = 3") == "log.level");
  CHECK(FieldOf(Toml({{"server", "public_url = [\"https://a.example\"]\n"}})) ==
        "server.public_url");
}

TEST_CASE("ParseConfig reports TOML syntax errors with the line", "[config]") {
  Result<Config> config = ParseConfig("[server]\npublic_url = \"https://x\"\nlisten = \n", Env());
  REQUIRE_FALSE(config.ok());
  CHECK(config.error().field == "--config");
  CHECK(config.error().message.starts_with("config: line 3: "));

  // A malformed secret line is reported without the offending text.
  Result<Config> secret =
      ParseConfig("[security]\ndata_key = 12345678901234567890123456789012\n", Env());
  REQUIRE_FALSE(secret.ok());
  CHECK(secret.error().message.starts_with("config: line 2: "));
  CHECK(secret.error().message.find("1234567890") == std::string::npos);
}

TEST_CASE("ParseConfig validates server.listen", "[config]") {
  auto listen = [](const std::string& value) -> Result<Config> {
    std::map<std::string, std::string> tables = BaseTables();
    tables["server"] += "listen = \"" + value + "\"\n";
    return ParseConfig(Toml(tables), Env());
  };
  for (const char* bad :
       {"127.0.0.1", "127.0.0.1:", ":8080", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80a",
        "127.0.0.1:-1", "127.0.0.1:+80", "256.0.0.1:8080", "example.org:8080", "::1:8080", "[::1]",
        "[::1]8080", "[nope]:8080", "127.0.0.1:8080 ", "127.0.0.1:123456", ""}) {
    INFO("listen = \"" << bad << "\"");
    Result<Config> config = listen(bad);
    REQUIRE_FALSE(config.ok());
    CHECK(config.error().field == "server.listen");
  }
  Result<Config> v4 = listen("10.1.2.3:1");
  REQUIRE(v4.ok());
  CHECK(v4->server.listen_host == "10.1.2.3");
  CHECK(v4->server.listen_port == 1);
  Result<Config> local = listen("localhost:65535");
  REQUIRE(local.ok());
  CHECK(local->server.listen_host == "localhost");
  CHECK(local->server.listen_port == 65535);
  Result<Config> v6 = listen("[::1]:8443");
  REQUIRE(v6.ok());
  CHECK(v6->server.listen_host == "::1");
  CHECK(v6->server.listen_port == 8443);
}

TEST_CASE("ParseConfig validates URLs", "[config]") {
  CHECK(FieldOf(Toml({{"server", "public_url = \"alerts.example.org\"\n"},
                      {"database", BaseTables()["database"]},
                      {"security", BaseTables()["security"]}})) == "server.public_url");
  CHECK(FieldOf(Toml({{"server", "public_url = \"https://\"\n"},
                      {"database", BaseTables()["database"]},
                      {"security", BaseTables()["security"]}})) == "server.public_url");
  Result<Config> slashes =
      ParseConfig(Toml({{"server", "public_url = \"http://alerts.example.org//\"\n"},
                        {"database", BaseTables()["database"]},
                        {"security", BaseTables()["security"]}}),
                  Env());
  REQUIRE(slashes.ok());
  CHECK(slashes->server.public_url == "http://alerts.example.org");

  CHECK(FieldWith("twilio", "api_base = \"ftp://api.twilio.com\"") == "twilio.api_base");

  // A bad database URL is rejected without echoing it (it may hold a password).
  std::map<std::string, std::string> tables = BaseTables();
  tables["database"] = "url = \"mysql://root:hunter2@db/tocsin\"\n";
  Result<Config> db = ParseConfig(Toml(tables), Env());
  REQUIRE_FALSE(db.ok());
  CHECK(db.error().field == "database.url");
  CHECK(db.error().message.find("hunter2") == std::string::npos);
  CHECK(FieldOf(Toml(tables), Env({{"DATABASE_URL", "postgres://env/x"}})) == "ok");
}

TEST_CASE("ParseConfig rejects a bad data key without echoing it", "[config]") {
  const std::string key(kDataKey);
  for (const std::string& bad :
       {key.substr(0, 63), key + "0", key.substr(0, 63) + "g", std::string("hunter2-secret")}) {
    std::map<std::string, std::string> tables = BaseTables();
    tables["security"] = "data_key = \"" + bad + "\"\n";
    Result<Config> config = ParseConfig(Toml(tables), Env());
    REQUIRE_FALSE(config.ok());
    CHECK(config.error().field == "security.data_key");
    CHECK(config.error().message.find("run `tocsind keygen`") != std::string::npos);
    CHECK(config.error().message.find(bad) == std::string::npos);
    CHECK(config.error().message.find(bad.substr(0, 12)) == std::string::npos);
  }
}

TEST_CASE("ParseConfig checks the admin token length", "[config]") {
  Result<Config> short_token =
      ParseConfig(Minimal("admin_token = \"" + std::string(31, 'x') + "\"\n"), Env());
  REQUIRE_FALSE(short_token.ok());
  CHECK(short_token.error().field == "security.admin_token");
  CHECK(short_token.error().message.find("xxxxxxxx") == std::string::npos);
  CHECK(FieldOf(Minimal(), Env({{"TOCSIN_ADMIN_TOKEN", "short"}})) == "security.admin_token");
  CHECK(FieldOf(Minimal("admin_token = \"" + std::string(32, 'x') + "\"\n")) == "ok");
  CHECK(FieldOf(Minimal("admin_token = \"\"\n")) == "ok");  // empty: no admin token
}

TEST_CASE("ParseConfig checks numeric ranges", "[config]") {
  CHECK(FieldWith("server", "threads = 0") == "server.threads");
  CHECK(FieldWith("server", "threads = 65") == "server.threads");
  CHECK(FieldWith("server", "threads = 64") == "ok");
  CHECK(FieldWith("server", "threads = 1") == "ok");
  CHECK(FieldWith("database", "pool_size = 0") == "database.pool_size");
  CHECK(FieldWith("database", "pool_size = 65") == "database.pool_size");
  CHECK(FieldWith("database", "pool_size = 64") == "ok");
  CHECK(FieldWith("server", "max_body_bytes = 1023") == "server.max_body_bytes");
  CHECK(FieldWith("server", "max_body_bytes = -1") == "server.max_body_bytes");
  CHECK(FieldWith("server", "max_body_bytes = 1024\nmax_import_bytes = 1024") == "ok");
  CHECK(FieldWith("server", "max_body_bytes = 4096\nmax_import_bytes = 4095") ==
        "server.max_import_bytes");
  // The default import limit (16 MiB) is below a 32 MiB body limit.
  CHECK(FieldWith("server", "max_body_bytes = 33554432") == "server.max_import_bytes");
  CHECK(FieldWith("twilio", "default_segments_per_second = 0") ==
        "twilio.default_segments_per_second");
  CHECK(FieldWith("twilio", "default_segments_per_second = -1.5") ==
        "twilio.default_segments_per_second");
  CHECK(FieldWith("twilio", "default_segments_per_second = 1000.5") ==
        "twilio.default_segments_per_second");
  CHECK(FieldWith("twilio", "default_segments_per_second = nan") ==
        "twilio.default_segments_per_second");
  CHECK(FieldWith("twilio", "default_segments_per_second = inf") ==
        "twilio.default_segments_per_second");
  CHECK(FieldWith("twilio", "default_segments_per_second = 0.1") == "ok");
  CHECK(FieldWith("twilio", "default_segments_per_second = 1000") == "ok");
  CHECK(FieldWith("twilio", "max_in_flight = 0") == "twilio.max_in_flight");
  CHECK(FieldWith("twilio", "max_in_flight = 10001") == "twilio.max_in_flight");
  CHECK(FieldWith("twilio", "max_in_flight = 10000") == "ok");
  CHECK(FieldWith("twilio", "calls_per_second = 0") == "twilio.calls_per_second");
  CHECK(FieldWith("twilio", "calls_per_second = 50") == "ok");
  CHECK(FieldWith("twilio", "max_calls_in_flight = 0") == "twilio.max_calls_in_flight");
  CHECK(FieldWith("voice", "timeout = \"2s\"") == "voice.timeout");
  CHECK(FieldWith("voice", "timeout = \"11m\"") == "voice.timeout");
  CHECK(FieldWith("voice", "timeout = 30") == "voice.timeout");
  CHECK(FieldWith("voice", "timeout = \"45s\"") == "ok");
  CHECK(FieldWith("http", "max_connections = 0") == "http.max_connections");
  CHECK(FieldWith("http", "max_connections = 1000001") == "http.max_connections");
  CHECK(FieldWith("http", "max_connections_per_address = 0") == "http.max_connections_per_address");
  CHECK(FieldWith("http", "max_connections = 10\nmax_connections_per_address = 10") == "ok");
  // Per address above the total could never be reached: a mistake, named.
  CHECK(FieldWith("http", "max_connections = 10\nmax_connections_per_address = 11") ==
        "http.max_connections_per_address");
  CHECK(FieldWith("http", "max_connections = \"many\"") == "http.max_connections");
  CHECK(FieldWith("http", "max_connection = 5") == "http.max_connection");
}

TEST_CASE("ParseConfig checks the SMS provider and log level", "[config]") {
  CHECK(FieldWith("sms", "provider = \"sandbox\"") == "ok");
  CHECK(FieldWith("sms", "provider = \"Twilio\"") == "sms.provider");
  CHECK(FieldWith("sms", "provider = \"\"") == "sms.provider");
  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    CHECK(FieldWith("log", std::string("level = \"") + level + "\"") == "ok");
  }
  CHECK(FieldWith("log", "level = \"warning\"") == "log.level");
  CHECK(FieldWith("log", "level = \"INFO\"") == "log.level");
}

TEST_CASE("ParseConfig reads the escalation time scale (tests and demos)", "[config]") {
  CHECK(FieldWith("escalation", "time_scale = 60") == "ok");
  // TOCSIN_TIME_SCALE wins over the file, and is checked the same way.
  auto with_env = ParseConfig(Minimal(), Env({{"TOCSIN_TIME_SCALE", "60"}}));
  REQUIRE(with_env.ok());
  CHECK(with_env.value().escalation_time_scale == 60);
  CHECK(FieldOf(Minimal(), Env({{"TOCSIN_TIME_SCALE", "fast"}})) == "escalation.time_scale");
  CHECK(FieldOf(Minimal(), Env({{"TOCSIN_TIME_SCALE", "9000"}})) == "escalation.time_scale");
  CHECK(FieldWith("escalation", "time_scale = 1.5") == "ok");
  CHECK(FieldWith("escalation", "time_scale = 0.5") == "escalation.time_scale");
  CHECK(FieldWith("escalation", "time_scale = 5000") == "escalation.time_scale");
  CHECK(FieldWith("escalation", "time_scale = \"fast\"") == "escalation.time_scale");
  CHECK(FieldWith("escalation", "speed = 2") == "escalation.speed");
}

TEST_CASE("ParseConfig requires Twilio credentials for the twilio provider", "[config]") {
  std::map<std::string, std::string> tables = BaseTables();
  tables["sms"] = "provider = \"twilio\"\n";
  SECTION("both missing") { CHECK(FieldOf(Toml(tables)) == "twilio.account_sid"); }
  SECTION("token missing") {
    tables["twilio"] = "account_sid = \"" + std::string(kSid) + "\"\n";
    CHECK(FieldOf(Toml(tables)) == "twilio.auth_token");
  }
  SECTION("sid missing") {
    tables["twilio"] = "auth_token = \"tok\"\n";
    CHECK(FieldOf(Toml(tables)) == "twilio.account_sid");
  }
  SECTION("malformed sid, not echoed") {
    for (const std::string sid : {"AC0123456789ABCDEF0123456789ABCDEF",   // upper case
                                  "AC0123456789abcdef0123456789abcde",    // 31 hex
                                  "AC0123456789abcdef0123456789abcdef0",  // 33 hex
                                  "SK0123456789abcdef0123456789abcdef"}) {
      tables["twilio"] = "account_sid = \"" + sid + "\"\nauth_token = \"tok\"\n";
      Result<Config> config = ParseConfig(Toml(tables), Env());
      REQUIRE_FALSE(config.ok());
      CHECK(config.error().field == "twilio.account_sid");
      CHECK(config.error().message.find(sid) == std::string::npos);
    }
  }
  SECTION("complete") {
    tables["twilio"] = "account_sid = \"" + std::string(kSid) + "\"\nauth_token = \"tok\"\n";
    CHECK(FieldOf(Toml(tables)) == "ok");
  }
  SECTION("not required for the sandbox") {
    tables["sms"] = "provider = \"sandbox\"\n";
    CHECK(FieldOf(Toml(tables)) == "ok");
  }
}

TEST_CASE("ParseConfig reads the email relay", "[config]") {
  const Config off = ParseConfig(Minimal(), Env()).value();
  CHECK_FALSE(off.email.enabled());
  CHECK(off.email.starttls == "required");
  CHECK(off.email.max_in_flight == 4);
  CHECK(off.email.timeout_ms == 30000);

  std::map<std::string, std::string> tables = BaseTables();
  tables["email"] =
      "smtp_url = \"smtps://mail.example.org:465\"\nusername = \"alerts@example.org\"\n"
      "password = \"file-secret\"\nfrom = \"alerts@example.org\"\nmax_in_flight = 8\n"
      "timeout_ms = 5000\n";
  Result<Config> config = ParseConfig(Toml(tables), Env());
  if (!config.ok()) FAIL(config.error().message);
  const EmailConfig& e = config->email;
  CHECK(e.enabled());
  CHECK(e.smtp_url == "smtps://mail.example.org:465");
  CHECK(e.username == "alerts@example.org");
  CHECK(e.password == "file-secret");
  const SmtpSettings s = e.Settings();
  CHECK(s.url == "smtps://mail.example.org:465");
  CHECK(s.starttls);
  CHECK(s.from == "alerts@example.org");
  CHECK(s.max_connections == 8);
  CHECK(s.timeout == std::chrono::milliseconds(5000));

  // TOCSIN_SMTP_PASSWORD wins over the file.
  config = ParseConfig(Toml(tables), Env({{"TOCSIN_SMTP_PASSWORD", "env-secret"}}));
  REQUIRE(config.ok());
  CHECK(config->email.password == "env-secret");
}

TEST_CASE("ParseConfig checks the email settings", "[config]") {
  const std::string relay = "smtp_url = \"smtp://mail.example.org:587\"\nfrom = \"a@example.org\"";
  CHECK(FieldWith("email", relay) == "ok");
  CHECK(FieldWith("email", relay + "\nstarttls = \"off\"") == "email.starttls");
  CHECK(FieldWith("email", "smtp_url = \"smtp://127.0.0.1:2525\"\nfrom = \"a@example.org\"\n"
                           "starttls = \"off\"") == "ok");
  CHECK(FieldWith("email", "smtp_url = \"smtp://localhost:2525\"\nfrom = \"a@example.org\"\n"
                           "starttls = \"off\"") == "ok");
  CHECK(FieldWith("email", relay + "\nstarttls = \"optional\"") == "email.starttls");
  CHECK(FieldWith("email", "smtp_url = \"smtp://mail.example.org:587\"") == "email.from");
  CHECK(FieldWith("email", "smtp_url = \"http://mail.example.org\"\nfrom = \"a@example.org\"") ==
        "email.smtp_url");
  CHECK(FieldWith("email", "smtp_url = \"smtp://mail.example.org:587\"\nfrom = \"nobody\"") ==
        "email.from");
  CHECK(FieldWith("email", relay + "\nusername = \"u\"") == "email.password");
  CHECK(FieldWith("email", relay + "\nusername = \"u\"",
                  Env({{"TOCSIN_SMTP_PASSWORD", "env-secret"}})) == "ok");
  CHECK(FieldWith("email", relay + "\nmax_in_flight = 0") == "email.max_in_flight");
  CHECK(FieldWith("email", relay + "\ntimeout_ms = 10") == "email.timeout_ms");
  CHECK(FieldWith("email", relay + "\nport = 25") == "email.port");
  // Without smtp_url email is off, and the other keys are only type-checked.
  CHECK(FieldWith("email", "from = \"a@example.org\"\nstarttls = \"off\"") == "ok");
  // A malformed password line is reported without its content.
  Result<Config> bad = ParseConfig(Minimal("[email]\npassword = \"hunter2\n"), Env());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("hunter2") == std::string::npos);
}

TEST_CASE("LoadConfig reads a file and reports an unreadable one", "[config]") {
  Result<Config> missing = LoadConfig("/nonexistent/tocsin.toml", Env());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().field == "--config");
  CHECK(missing.error().message.find("/nonexistent/tocsin.toml") != std::string::npos);

  Result<Config> directory = LoadConfig("/", Env());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().field == "--config");

  char path[] = "/tmp/tocsin_config_test_XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  {
    std::ofstream out(path);
    out << Minimal();
  }
  Result<Config> loaded = LoadConfig(path, Env());
  std::remove(path);
  if (!loaded.ok()) FAIL(loaded.error().message);
  CHECK(loaded->server.public_url == "https://alerts.example.org");
}

TEST_CASE("The example config parses", "[config]") {
  const std::string path = tocsin::test::SourceDir() + "/config/tocsin.example.toml";
  SECTION("with the data key from the environment") {
    Result<Config> config = LoadConfig(path, Env({{"TOCSIN_DATA_KEY", std::string(kDataKey)}}));
    if (!config.ok()) FAIL(config.error().message);
    CHECK(config->server.listen_host == "127.0.0.1");
    CHECK(config->server.listen_port == 8080);
    CHECK(config->server.public_url == "https://alerts.example.org");
    CHECK(config->database.url == "postgresql://tocsin@127.0.0.1:5432/tocsin");
    CHECK(config->sms.provider == "sandbox");
    CHECK(config->log_level == "info");
  }
  SECTION("and asks for the data key without it") {
    Result<Config> config = LoadConfig(path, Env());
    REQUIRE_FALSE(config.ok());
    CHECK(config.error().field == "security.data_key");
  }
}

}  // namespace
}  // namespace tocsin
