// Retention: what every network keeps, and for how long. An alert that ended more than its
// network's retention_days ago is purged down to its kind, areas, code, times, warnings and the
// counts it ended with (store/retention_store.h deletes the rest); then the tombstones of deleted
// members that nothing names any more, audit rows older than `audit_days`, and the inbound
// message ids kept against repeated webhooks. Run hourly by the Housekeeper and on demand by
// `tocsind purge`.
#pragma once

#include <cstdint>

#include <pqxx/pqxx>

#include "dispatch/store/alert_store.h"

namespace tocsin {

struct PurgeReport {
  std::int64_t alerts = 0;      // alerts purged
  std::int64_t rows = 0;        // their deliveries, responses, messages, tree and escalation rows
  std::int64_t tombstones = 0;  // deleted members' rows gone for good
  std::int64_t audit = 0;
  std::int64_t inbound = 0;
};

// Purges what is past retention at `now_ms` (ms since the epoch by the engine's clock), a batch
// of alerts per transaction, so a long backlog never holds locks for long. Idempotent.
PurgeReport PurgeExpired(pqxx::connection& c, const AlertStore& alerts, std::int64_t now_ms, int audit_days);

}  // namespace tocsin
