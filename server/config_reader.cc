#include "server/config_reader.h"

namespace tocsin {
namespace {

// The schema: every table and the keys it may hold. Anything else is an error.
struct TableSchema {
  std::string_view name;
  std::vector<std::string_view> keys;
};

const std::vector<TableSchema>& Schema() {
  static const std::vector<TableSchema> schema = {
      {"server", {"listen", "public_url", "threads", "max_body_bytes", "max_import_bytes"}},
      {"http", {"max_connections", "max_connections_per_address"}},
      {"database", {"url", "pool_size", "api_pool_size", "api_statement_timeout_ms"}},
      {"twilio",
       {"account_sid", "auth_token", "api_base", "default_segments_per_second", "max_in_flight",
        "request_timeout_ms", "redact_after_send", "calls_per_second", "max_calls_in_flight"}},
      {"voice", {"timeout"}},
      {"security", {"data_key", "admin_token"}},
      {"sms", {"provider", "templates_dir"}},
      {"email",
       {"smtp_url", "starttls", "username", "password", "from", "max_in_flight", "timeout_ms"}},
      {"log", {"level"}},
      {"escalation", {"time_scale"}},
      {"retention", {"audit_days"}},
      {"testing", {"manual_clock", "report_code_seed"}},
      {"webhooks", {"retry_schedule", "allow_private_targets", "allow_http"}},
  };
  return schema;
}

const TableSchema* FindTable(std::string_view name) {
  for (const TableSchema& table : Schema()) {
    if (table.name == name) return &table;
  }
  return nullptr;
}

bool HasKey(const TableSchema& table, std::string_view key) {
  for (std::string_view known : table.keys) {
    if (known == key) return true;
  }
  return false;
}

}  // namespace

Status CheckKnownKeys(const toml::table& root) {
  for (const auto& [key, node] : root) {
    const std::string name(key.str());
    const TableSchema* schema = FindTable(name);
    if (schema == nullptr) return Error::Invalid(name, "unknown key '" + name + "'");
    const toml::table* table = node.as_table();
    if (table == nullptr) return Error::Invalid(name, "'" + name + "' must be a table");
    for (const auto& [sub_key, sub_node] : *table) {
      const std::string dotted = name + "." + std::string(sub_key.str());
      if (!HasKey(*schema, sub_key.str())) {
        return Error::Invalid(dotted, "unknown key '" + dotted + "'");
      }
    }
  }
  return Ok{};
}

}  // namespace tocsin
