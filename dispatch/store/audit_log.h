// The audit log: every coordinator and operator action that changes something, in the same
// transaction as the change. Details never hold phone numbers or names (ids only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace tocsin {

// `actor` is "admin", "token:<id>" or "cli"; `detail_json` a JSON object text.
void RecordAudit(pqxx::work& tx, std::optional<std::int64_t> network_id, const std::string& actor,
                 const std::string& action, const std::string& target,
                 const std::string& detail_json = "{}");

}  // namespace tocsin
