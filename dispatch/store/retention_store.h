// Retention in the database: which ended alerts are past their network's retention_days, and
// deleting what tied members to them (schema/0014_retention.sql says what an alert keeps), the
// tombstones of deleted members nothing refers to any more, old audit rows and old inbound ids.
// engine/retention.h decides the order and the counts an alert keeps. Functions run inside a
// caller's transaction.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

// (alert id, network id) of alerts ended more than their network's retention_days before
// `now_ms` and not purged yet, oldest first, at most `limit`; locked until the transaction ends.
std::vector<std::pair<std::int64_t, std::int64_t>> ExpiredAlerts(pqxx::work& tx, std::int64_t now_ms, int limit);
// Deletes the alert's deliveries, responses, messages, tree runs, escalation row and timers;
// empties its sealed location and details; keeps `final_counts_json` (a JSON object) and marks
// it purged at `now_ms`. Returns the rows deleted.
std::int64_t PurgeAlert(pqxx::work& tx, std::int64_t alert_id, const std::string& final_counts_json,
                        std::int64_t now_ms);
// Deletes member tombstones (status 'deleted') no delivery, response or tree run names.
std::int64_t PurgeTombstones(pqxx::work& tx);
// Deletes audit rows older than `days` before `now_ms`.
std::int64_t PurgeAudit(pqxx::work& tx, std::int64_t now_ms, int days);
// Forgets inbound ids kept against repeated webhooks (Twilio's MessageSids, partners'
// webhook-ids and the answers they got) older than a week.
std::int64_t PruneInboundIds(pqxx::work& tx, std::int64_t now_ms);
// Deletes reports from the street (and their timelines) received more than their network's
// retention_days before `now_ms`, whatever their status. Returns the reports deleted.
std::int64_t PurgeReports(pqxx::work& tx, std::int64_t now_ms);

}  // namespace tocsin
