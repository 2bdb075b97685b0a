// WebhookFanout: an alert's events -> webhook delivery rows, one per endpoint that wants the
// event (subscribed to its type, its organisation's kinds and areas matching the alert). The
// body is rendered once per event and sealed; every endpoint gets the same body and the same
// webhook-id ("msg_..."), which stays the same across retries.
//
// Body (README "Webhook events"; schema/webhooks/*.json):
//   {"type": "alert.raised", "timestamp": "<RFC 3339, engine clock>",
//    "data": {"network": "<slug>", "alert": <the alert as the API shows it: model/alert.h's
//             AlertJson>, ...event fields}}
// Event fields: alert.updated, alert.resolved, alert.cancelled: "message" (the coordinator's
// text, may be empty); answer.recorded: "answer" (going or cannot; never who answered);
// escalation.step: "step" (the index of the policy step that started: 1 or more; step 0 starts
// with the raise).
//
// Every function runs inside a caller's transaction, so an event is queued exactly when what it
// reports commits. Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include "dispatch/model/alert.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

class WebhookFanout {
 public:
  explicit WebhookFanout(const DataCipher& cipher) : cipher_(cipher), alerts_(cipher) {}

  // Queues event `type` about `alert` (as stored now) with `fields` added to its data. Returns
  // how many deliveries were queued (none when no endpoint wants it: nothing is rendered).
  std::int64_t Queue(pqxx::work& tx, const Network& net, const Alert& alert, const std::string& type,
                     boost::json::object fields, std::int64_t now_ms) const;
  // The same for an alert known by id (loaded only when an endpoint wants the event).
  std::int64_t Queue(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& type,
                     boost::json::object fields, std::int64_t now_ms) const;
  // The same when only the network's id is at hand (answers).
  std::int64_t Queue(pqxx::work& tx, std::int64_t network_id, std::int64_t alert_id, const std::string& type,
                     boost::json::object fields, std::int64_t now_ms) const;

 private:
  const DataCipher& cipher_;
  const AlertStore alerts_;
};

}  // namespace tocsin
