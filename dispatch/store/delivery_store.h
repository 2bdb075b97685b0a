// Deliveries on their way: claims for the dispatcher, and the delivery writer's SQL. One group commit writes a batch of delivery transitions and the
// answers of a batch of replies as a few statements over unnest()ed arrays. Functions run inside
// the writer's transaction.
//
// A delivery only moves forward (delivery_rank), except sending -> queued (a retry) and
// sending -> cancelled, so batches in flight at once cannot undo each other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/response_record.h"
#include "dispatch/util/sender_config.h"

namespace tocsin {

struct Transition {
  std::int64_t delivery_id = 0;
  std::string state;  // sent, delivered, failed, queued (retry), cancelled
  std::optional<std::string> sender;
  std::optional<std::string> provider_id;
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
  double retry_in_seconds = 0;                // for state "queued"
  std::optional<std::int64_t> opt_out_member;  // mark this member opted_out
  std::int64_t alert_id = 0;   // for watchers' events (0: not announced)
  std::int64_t member_id = 0;
  bool closing = false;  // the alert's closing message (resolve, cancel): it may go after the end
  // Webhooks: a retry's due time on the engine clock (instead of retry_in_seconds of real
  // time), the attempt's HTTP status (none: no answer) and latency, and the endpoint to disable
  // (it answered 410 Gone).
  std::optional<std::int64_t> retry_at_ms;
  std::optional<int> http_status;
  std::optional<int> latency_ms;
  std::optional<std::int64_t> disable_endpoint;
  // A webhook attempt's endpoint (its health is recorded: webhook_health_store.h), and whether
  // this attempt exhausted the retry schedule (coordinators are told).
  std::optional<std::int64_t> attempt_endpoint;
  bool exhausted = false;
  // An email delivery that failed for good (a permanent SMTP reply or its retries exhausted):
  // coordinators are told (engine/webhook_health.h).
  bool email_failed = false;
};

// Writes `batch` (an alert message that was on the wire when its alert ended and turns out sent
// also queues that member the closing message, and one that would be retried is cancelled: the
// batch's alerts are locked first, so an end committing meanwhile and this batch see each other); `now_ms` (the engine clock) is when a delivery was reached, which its
// reminder and backup deadlines count from. Retries wait on the database's real time, as rate
// limits do: they pace a provider, not people. Also applies status callbacks that arrived before the provider ids they name, and opts out
// the members a provider said replied STOP.
void WriteTransitions(pqxx::work& tx, const std::vector<Transition>& batch, std::int64_t now_ms);
// Inserts the answers; a repeated provider id (the same webhook again) is stored once. Returns
// the provider ids stored now (a repeat's is not among them).
std::vector<std::string> InsertResponses(pqxx::work& tx, const std::vector<ResponseRecord>& records);

// A delivery claimed for sending (queued -> sending), with what sending it needs.
struct ClaimedDelivery {
  std::int64_t id = 0, member_id = 0;
  int segments = 1, attempts = 0;
  std::string phone_enc, member_status, body_enc, alert_kind;
  std::int64_t alert_id = 0;
  std::string message_kind;  // alert, update, reminder, stand_down, resolve, cancel
  std::string channel;       // sms, voice
  // Where body_enc was sealed (sealed_places.h): the delivery's own text (a relay node's call
  // list) or its language's alert message.
  bool own_body = false;
  int seq = 0;
  std::string language;
  std::string alert_code;  // a call's key press is recorded as a reply naming it
  // A call in another language than English: the English message (sealed as its language's
  // is, for "en"), read when no voice speaks the language; else empty.
  std::string english_body_enc;
  // A call of a tiered alert (model/disclosure.h): its location and details, sealed
  // (places::AlertLocation, AlertDetails), said once the member presses 1; else empty.
  std::string location_enc, details_enc;
  std::vector<std::string> recorded;  // a call: the network's recordings in its language
  // A non-member reporter told their report's outcome (schema/0042): the report, its number
  // sealed there (places::ReportReporter); member_id is 0. Else 0.
  std::int64_t report_id = 0;
  // A call to a relay tree's node whose own text lists whom they must phone (they are asked to
  // press 1 once they have called them).
  bool relay = false;
};

// At start: deliveries left 'sending' by the last process are queued again (their requests may
// have been in flight), except an ended alert's (cancelled: only a closing message may still
// go); early status callbacks older than a day are dropped. Returns how many were queued.
long long RecoverSending(pqxx::work& tx);
// Networks with members' deliveries due now (webhooks have their own sender). A call's retry
// is due on the engine's clock (`now_ms`, model/call_outcome.h); everything else waits on the
// database's real time (rates and backoff pace a provider).
std::vector<std::int64_t> NetworksWithWork(pqxx::transaction_base& tx, std::int64_t now_ms);
// The network's sender numbers in order, with their rates.
std::vector<SenderConfig> SendersOf(pqxx::transaction_base& tx, std::int64_t network_id);
// A call Tocsin placed, still being placed or in progress (Engine::RestoreCall, after a
// restart): what its claim read, with its attempt.
struct CallInProgress {
  ClaimedDelivery delivery;
  bool alert_open = false;
  std::string sid;   // the provider's CallSid ("" while being placed)
  std::string from;  // the network number that placed it
};
// Delivery `delivery_id` of the network on channel voice at attempt `attempt`, sending or sent.
std::optional<CallInProgress> FindCallInProgress(pqxx::transaction_base& tx, std::int64_t network_id,
                                                 std::int64_t delivery_id, int attempt);
// Claims up to `limit` of the network's oldest due deliveries to members (and to non-member
// reporters, schema/0042) (FOR UPDATE SKIP LOCKED),
// due as NetworksWithWork says.
std::vector<ClaimedDelivery> ClaimDeliveries(pqxx::work& tx, std::int64_t network_id, long long limit,
                                             std::int64_t now_ms);


}  // namespace tocsin
