#include "dispatch/engine/retention.h"

#include <boost/json.hpp>

#include "dispatch/store/retention_store.h"

namespace tocsin {
namespace {

constexpr int kAlertsPerTransaction = 100;

}  // namespace

PurgeReport PurgeExpired(pqxx::connection& c, const AlertStore& alerts, std::int64_t now_ms, int audit_days) {
  PurgeReport report;
  for (bool more = true; more;) {
    pqxx::work tx(c);
    auto expired = ExpiredAlerts(tx, now_ms, kAlertsPerTransaction);
    for (const auto& [alert_id, network_id] : expired) {
      auto alert = alerts.Get(tx, network_id, alert_id);
      boost::json::object counts;
      if (alert.ok()) {
        for (const auto& [name, n] : alert->counts) counts[name] = n;
      }
      report.rows += PurgeAlert(tx, alert_id, boost::json::serialize(counts), now_ms);
      ++report.alerts;
    }
    tx.commit();
    more = static_cast<int>(expired.size()) == kAlertsPerTransaction;
  }
  pqxx::work tx(c);
  report.tombstones = PurgeTombstones(tx);
  report.audit = PurgeAudit(tx, now_ms, audit_days);
  report.inbound = PruneInboundIds(tx, now_ms);
  PurgeReports(tx, now_ms);  // reports from the street go with the alerts' retention
  tx.commit();
  return report;
}

}  // namespace tocsin
