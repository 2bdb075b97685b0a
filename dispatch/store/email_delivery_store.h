// Email deliveries on their way: queuing an alert email for an organisation's email contact
// points, and claims for the email sender. Rows live in `deliveries` (channel 'email';
// schema/0020 says how they differ from a member's or a webhook's); their outcomes go through
// the delivery writer like SMS and webhooks (delivery_store.h's Transition).
//
// Time: as webhook deliveries, next_attempt_at is on the engine's clock (`now_ms`).
//
// Every function runs inside the caller's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/store/webhook_health_store.h"  // EndpointFailureNotice

namespace tocsin {

// One alert email for one organisation, rendered in its language and sealed (places::EmailBody
// with `message_id`): every contact point of the organisation gets the same body.
struct EmailEvent {
  std::int64_t network_id = 0;
  std::int64_t alert_id = 0;
  std::int64_t organisation_id = 0;
  std::string type;        // alert.raised, case.ask
  std::string language;    // the organisation's
  std::string message_id;  // eml_...
  std::string body_sealed;
  std::int64_t now_ms = 0;  // due at once
};

// Queues `e` for every email contact point of its organisation. Returns how many.
std::int64_t QueueEmailEvent(pqxx::work& tx, const EmailEvent& e);
// Of `organisations`, those with at least one email contact point, sorted.
std::vector<std::int64_t> OrganisationsWithEmail(pqxx::transaction_base& tx, const std::vector<std::int64_t>& organisations);
// Whether the organisation has an unrevoked integration token answering for it.
bool OrganisationCanAnswer(pqxx::transaction_base& tx, std::int64_t organisation_id);

// An email delivery claimed for sending (queued -> sending).
struct ClaimedEmail {
  std::int64_t id = 0, network_id = 0, email_id = 0;
  int attempts = 0;  // including this one
  std::string message_id, body_enc, address_enc;
};

// Claims up to `limit` due email deliveries (by the engine clock `now_ms`), oldest first (FOR
// UPDATE SKIP LOCKED).
std::vector<ClaimedEmail> ClaimEmailDeliveries(pqxx::work& tx, std::int64_t now_ms, long long limit);

// When email delivery `delivery_id` has failed: the network, alert and organisation to name to
// its coordinators, or nullopt when it has not failed or coordinators are told already (the
// alert's email to that organisation failed at another contact point first: one notice per
// alert and organisation).
std::optional<EndpointFailureNotice> EmailFailureNotice(pqxx::transaction_base& tx, std::int64_t delivery_id);

// The rendered email as sealed in body_enc: the subject, a line feed, the body.
std::string JoinEmailText(const std::string& subject, const std::string& body);
// The subject and body of JoinEmailText's text.
std::pair<std::string, std::string> SplitEmailText(const std::string& text);

}  // namespace tocsin
