// WebhookFanout: an alert's events -> webhook delivery rows, one per endpoint that wants the
// event: subscribed to its type, of an organisation in the alert's audience. An organisation
// joins the audience when a policy step naming it starts (Reach: it is sent alert.raised then);
// every later event of the alert goes to the audience so far. The body is rendered once per
// event and sealed; every endpoint gets the same body and the same webhook-id ("msg_..."),
// which stays the same across retries.
//
// Body (README "Webhook events"; schema/webhooks/*.json):
//   {"type": "alert.raised", "timestamp": "<RFC 3339, engine clock>",
//    "data": {"network": "<slug>", "alert": <the alert as the API shows it: model/alert.h's
//             AlertJson>, ...event fields}}
// Event fields: alert.updated, alert.resolved, alert.cancelled: "message" (the coordinator's
// text, may be empty); answer.recorded: "answer" (going or cannot; never which member
// answered) and, for an organisation's answer, "organisation" ({"slug", "name"});
// escalation.step: "step" (the index of the policy step that started: 1 or more; step 0 starts
// with the raise); case.ask: "case" ({"role", "text"}: the organisation's role in the case and
// what it is asked, as its consent allows) and "ask" ({"entry", "action", and "ask" (its words)
// when consent allows: the removal schedule's entry), sent to a case's organisation contact only (QueueAsk).
//
// Every function runs inside a caller's transaction, so an event is queued exactly when what it
// reports commits. Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/json/object.hpp>
#include <pqxx/pqxx>

#include "dispatch/fanout/email_fanout.h"
#include "dispatch/model/alert.h"
#include "dispatch/model/policy.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

class WebhookFanout {
 public:
  // `emails` (may be null: no email is queued) must outlive this.
  explicit WebhookFanout(const DataCipher& cipher, const EmailFanout* emails = nullptr)
      : cipher_(cipher), alerts_(cipher), emails_(emails) {}

  // Step `step` of the alert's escalation starts with `audience`: the organisations it reaches
  // that are not in the alert's audience yet join it and are sent alert.raised, by webhook and
  // by email (EmailFanout). Returns how many deliveries were queued.
  std::int64_t Reach(pqxx::work& tx, const Network& net, std::int64_t alert_id, int step,
                     const PolicyAudience& audience, std::int64_t now_ms) const;

  // Queues event `type` about `alert` (as stored now) with `fields` added to its data. Returns
  // how many deliveries were queued (none when no endpoint wants it: nothing is rendered).
  std::int64_t Queue(pqxx::work& tx, const Network& net, const Alert& alert, const std::string& type,
                     boost::json::object fields, std::int64_t now_ms) const;
  // The same for an alert known by id (loaded only when an endpoint wants the event).
  std::int64_t Queue(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& type,
                     boost::json::object fields, std::int64_t now_ms) const;

  // A case's organisation contact is told its role's text (engine/case_alerts.h): the
  // alert.raised webhooks and emails just queued for organisation `org` about the alert (not
  // sent: same transaction) are replaced by ones whose data carries `fields` ("case": {"role",
  // "text"}) and whose email says `email`. Returns how many deliveries were queued.
  std::int64_t ReplaceRaised(pqxx::work& tx, const Network& net, const Alert& alert, std::int64_t org,
                             boost::json::object fields, const EmailFanout::CaseText& email,
                             std::int64_t now_ms) const;

  // An entry of a case's removal schedule asks organisation `org` (a contact of the role the
  // entry names, engine/case_schedule_fire.h): case.ask to its endpoints subscribed to it, with
  // `fields` in its data, and an email (type case.ask) saying `email` to its contact points.
  // Returns how many deliveries were queued.
  std::int64_t QueueAsk(pqxx::work& tx, const Network& net, const Alert& alert, std::int64_t org,
                        boost::json::object fields, const EmailFanout::CaseText& email, std::int64_t now_ms) const;

  // For a batch (answers): which of `alert_ids` have an endpoint wanting `type`, in one
  // statement; then QueueWanted for each event about one of them (no check of its own).
  std::unordered_set<std::int64_t> Wanting(pqxx::work& tx, const std::vector<std::int64_t>& alert_ids,
                                           const std::string& type) const;
  std::int64_t QueueWanted(pqxx::work& tx, std::int64_t network_id, std::int64_t alert_id, const std::string& type,
                           boost::json::object fields, std::int64_t now_ms) const;

 private:
  std::int64_t QueueWanted(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& type,
                           boost::json::object fields, std::int64_t now_ms) const;
  // Renders and queues for the organisations `only`, or the alert's audience (wanted: checked
  // by the caller).
  std::int64_t QueueFor(pqxx::work& tx, const Network& net, const Alert& alert, const std::string& type,
                        boost::json::object fields, std::int64_t now_ms,
                        const std::optional<std::vector<std::int64_t>>& only) const;

  const DataCipher& cipher_;
  const AlertStore alerts_;
  const EmailFanout* const emails_;
};

}  // namespace tocsin
