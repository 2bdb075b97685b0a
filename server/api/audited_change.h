// One change and its audit row, together or not at all: the shape of every handler that changes
// something. CommitAudited runs `change(tx)` in a transaction of `c`; when it succeeds, it
// records `describe(result)` for the caller's network and actor (store/audit_log.h) in the same
// transaction and commits. It returns `change`'s Result or Status as it came, for ValueOrThrow.
#pragma once

#include <string>

#include <pqxx/pqxx>

#include "dispatch/store/audit_log.h"
#include "server/api/auth.h"

namespace tocsin {

// What the audit log says of a change: ids only, never a phone number or a name.
struct AuditedAs {
  std::string action;
  std::string target;
  std::string detail_json = "{}";
};

template <typename Change, typename Describe>
auto CommitAudited(pqxx::connection& c, const Scope& scope, Change&& change, Describe&& describe) {
  pqxx::work tx(c);
  auto result = change(tx);
  if (!result.ok()) return result;
  AuditedAs as = describe(result);
  RecordAudit(tx, scope.network.id, scope.caller.Actor(), as.action, as.target, as.detail_json);
  tx.commit();
  return result;
}

}  // namespace tocsin
