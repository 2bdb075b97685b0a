// Queued deliveries and the texts they carry, in the database: the SQL behind fanout/fanout.h
// (which decides whom, in which language, and renders). Functions run inside a caller's
// transaction; each queues a member at most once per message of an alert.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

// Stores message `seq` of the alert in `language`: sealed text (hex) and its segments.
void InsertAlertMessage(pqxx::work& tx, std::int64_t alert_id, int seq, const std::string& kind,
                        const std::string& language, const std::string& sealed_hex, int segments);
// Queues the alert message for every active sms or voice member of the network matching the
// filters (each as a PostgreSQL array literal; nullopt: not narrowed by it) who was not sent it
// yet, in their language if one of `languages`, else `fallback_language`; adds them to the
// alert's recipients. Returns how many. A member is called (channel voice) when `channel` is
// "voice" or they have voice and not sms, else texted; a texted one carries `call_after_ms`
// (the step's call ladder, model/policy.h) when given.
std::int64_t QueueAlertMessage(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id,
                               const std::optional<std::string>& areas, const std::optional<std::string>& roles,
                               const std::optional<std::string>& members, const std::string& languages,
                               const std::string& fallback_language, const std::string& channel,
                               std::optional<std::int64_t> call_after_ms = std::nullopt);
// Queues message `seq` for every active sms member of the network holding `role`, in their
// language if one of `languages` (a PostgreSQL array literal), else `fallback_language`.
std::int64_t QueueForRole(pqxx::work& tx, std::int64_t alert_id, std::int64_t network_id, int seq,
                          const std::string& role, const std::string& languages, const std::string& fallback_language);
// Queues message `seq` for every active member the alert message reached.
std::int64_t QueueForReached(pqxx::work& tx, std::int64_t alert_id, int seq);
// Cancels the alert message where it is still queued (what a dispatcher holds goes out).
void CancelQueuedAlertMessage(pqxx::work& tx, std::int64_t alert_id);
// Queues message `seq` (the stand-down) for those reached who have not answered.
std::int64_t QueueStandDown(pqxx::work& tx, std::int64_t alert_id, int seq);
// Marks `deliveries` reminded and queues message `seq` (the reminder) for each whose member is
// active and has still not answered.
std::int64_t QueueReminders(pqxx::work& tx, std::int64_t alert_id, int seq, const std::vector<std::int64_t>& deliveries);
// Marks `deliveries` (texts of a step with a call ladder) called and queues message `seq` (the
// alert stored as kind 'call') on channel voice for each whose member is active and has still not
// answered.
std::int64_t QueueCalls(pqxx::work& tx, std::int64_t alert_id, int seq, const std::vector<std::int64_t>& deliveries);
// Whether the alert message was queued as a call in one of `languages` (an array literal).
bool HasVoicelessCalls(pqxx::transaction_base& tx, std::int64_t alert_id, const std::string& languages);
// Queues message `seq` (the alert, kind 'call_text') by SMS for every active sms member called
// the alert message in one of `languages` who was not queued it yet.
std::int64_t QueueTextBeside(pqxx::work& tx, std::int64_t alert_id, int seq, const std::string& languages);
// Marks `deliveries` backed up; returns the backups of those whose member has not answered.
std::vector<std::int64_t> MarkBackedUp(pqxx::work& tx, std::int64_t alert_id, const std::vector<std::int64_t>& deliveries);

}  // namespace tocsin
