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
#include <unordered_set>
#include <vector>

#include <pqxx/pqxx>

namespace tocsin {

// One event about an alert, rendered once and sealed: every endpoint gets the same body.
struct WebhookEvent {
  std::int64_t network_id = 0;
  std::int64_t alert_id = 0;
  std::string type;                     // alert.raised, ...
  std::string message_id;               // webhook-id: msg_...
  std::string body_sealed;
  std::int64_t now_ms = 0;  // due at once
};

// Organisations a policy step reaches: every one of the network whose kinds and areas match the
// alert (`all`), or those of `slugs` (whatever their filters).
struct OrganisationReach {
  std::int64_t network_id = 0;
  std::int64_t alert_id = 0;
  int step = 0;
  bool all = false;
  std::vector<std::string> slugs;
  std::string alert_kind;
  std::vector<std::string> alert_areas;
};

// Records the organisations `r` reaches in the alert's audience (alert_organisations) and returns
// the ids of those not in it before, sorted.
std::vector<std::int64_t> ReachOrganisations(pqxx::work& tx, const OrganisationReach& r);

// Queues `e` for every active endpoint subscribed to its type of the organisations `only`, or,
// without it, of every organisation in the alert's audience. Returns how many were queued.
std::int64_t QueueWebhookEvent(pqxx::work& tx, const WebhookEvent& e,
                               const std::optional<std::vector<std::int64_t>>& only = std::nullopt);
// Deletes the queued (never sent) alert.raised deliveries of the alert to organisation `org`'s
// endpoints and email contact points; how many of each there were.
struct DeletedRaised {
  std::int64_t webhooks = 0;
  std::int64_t emails = 0;
};
DeletedRaised DeleteQueuedRaised(pqxx::work& tx, std::int64_t alert_id, std::int64_t org);
// Whether QueueWebhookEvent would queue anything (rendering is skipped when not).
bool WebhookWanted(pqxx::transaction_base& tx, std::int64_t alert_id, const std::string& type,
                   const std::optional<std::vector<std::int64_t>>& only = std::nullopt);
// Of `alert_ids`, those for which some endpoint of their audience wants events of `type` (one
// statement for a batch of answers).
std::unordered_set<std::int64_t> AlertsWantingWebhook(pqxx::transaction_base& tx,
                                                      const std::vector<std::int64_t>& alert_ids,
                                                      const std::string& type);

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
