#include "dispatch/store/audit_log.h"

#include "dispatch/store/pq_types.h"

namespace tocsin {
namespace {

constexpr const char* kInsertAudit =
    "INSERT INTO audit_log (network_id, actor, action, target, detail)"
    " VALUES ($1, $2, $3, $4, $5::jsonb)";

}  // namespace

void RecordAudit(pqxx::work& tx, std::optional<std::int64_t> network_id, const std::string& actor,
                 const std::string& action, const std::string& target,
                 const std::string& detail_json) {
  tx.exec_params(kInsertAudit, network_id, actor, action, target, detail_json);
}

}  // namespace tocsin
