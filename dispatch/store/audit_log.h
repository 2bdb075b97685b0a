// The audit log: every coordinator and operator action that changes something, and every read
// of the member list, in the same transaction as the change or read. Details never hold phone
// numbers or names (ids only). Entries are read back newest first, in keyset pages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

// `actor` is "admin", "token:<id>" or "cli"; `detail_json` a JSON object text.
void RecordAudit(pqxx::work& tx, std::optional<std::int64_t> network_id, const std::string& actor,
                 const std::string& action, const std::string& target,
                 const std::string& detail_json = "{}");

struct AuditEntry {
  std::int64_t id = 0;
  std::string at;                       // RFC 3339 UTC
  std::optional<std::string> network;   // the network's slug; nullopt for server-level entries
  std::string actor;
  std::string action;
  std::string target;
  std::string detail_json;              // a JSON object text
};

struct AuditQuery {
  std::optional<std::int64_t> network_id;  // nullopt: every network and the server-level entries
  std::optional<std::string> since;        // RFC 3339 (checked by the caller): entries at or after
  std::optional<std::int64_t> before_id;   // keyset cursor: entries with a smaller id
  int limit = 100;                         // rows to fetch (see keyset_page.h's FetchCount)
};

// Newest first.
std::vector<AuditEntry> ListAudit(pqxx::transaction_base& tx, const AuditQuery& q);

}  // namespace tocsin
