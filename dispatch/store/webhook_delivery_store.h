// Webhook deliveries on their way: queuing an event for the endpoints that want it, and claims
// for the webhook sender. Rows live in `deliveries` (channel 'webhook'; schema/0013 says how they
// differ from a member's), and their outcomes go through the delivery writer like SMS
// (delivery_store.h's Transition, with the webhook fields).
//
// Time: a webhook delivery's next_attempt_at is on the engine's clock (`now_ms`), so a test's
// manual clock moves the retry schedule.
//
// Every function runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

// One event about an alert, rendered once and sealed: every endpoint gets the same body.
struct WebhookEvent {
  std::int64_t network_id = 0;
  std::int64_t alert_id = 0;
  std::string alert_kind;               // the organisation's kinds filter
  std::vector<std::string> alert_areas;  // the organisation's areas filter
  std::string type;                     // alert.raised, ...
  std::string message_id;               // webhook-id: msg_...
  std::string body_sealed;
  std::int64_t now_ms = 0;  // due at once
};

// Queues `e` for every active endpoint of the network subscribed to its type whose
// organisation's kinds and areas match the alert. Returns how many were queued.
std::int64_t QueueWebhookEvent(pqxx::work& tx, const WebhookEvent& e);
// Whether any active endpoint of the network wants `type` (rendering is skipped when none does).
bool WebhookWanted(pqxx::transaction_base& tx, std::int64_t network_id, const std::string& type);

// A webhook delivery claimed for sending (queued -> sending).
struct ClaimedWebhook {
  std::int64_t id = 0, network_id = 0, endpoint_id = 0;
  int attempts = 0;  // including this one
  std::string message_id, event_type, body_enc, url_enc, secret_enc;
  std::optional<std::string> previous_secret_enc;  // a rotation's old secret, still signing
};

// Claims up to `limit` due deliveries (by the engine clock `now_ms`) of active endpoints, at
// most `per_endpoint` of each and none of `skip_endpoints` (whose queues are full), oldest
// first (FOR UPDATE SKIP LOCKED).
std::vector<ClaimedWebhook> ClaimWebhookDeliveries(pqxx::work& tx, std::int64_t now_ms, long long limit,
                                                   int per_endpoint, const std::vector<std::int64_t>& skip_endpoints);
// The earliest due time (engine clock, ms) of a queued delivery of an active endpoint, if any.
std::optional<std::int64_t> NextWebhookDue(pqxx::transaction_base& tx);

}  // namespace tocsin
