// Alerts: raising one (validate, give it a code, render its text once per language, resolve the
// audience and queue one delivery per member, all in one transaction), follow-ups, ending it,
// and reading it back with live counts. Functions run inside a caller's transaction; the
// dispatcher picks queued deliveries up after commit.
//
// Audience: active members of the network whose channels include sms, in the alert's areas (and
// their neighbours when asked), holding at least one of the roles asked (default: responder).
// Each member once. Language: the member's if a template exists for it, else the network's
// default if one exists, else English.
//
// Thread safety: an AlertService holds const references only and may be shared.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/escalation/policy.h"
#include "dispatch/message/templates.h"
#include "dispatch/registry/network_registry.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct AlertInput {
  std::string kind;  // raid, detention, removal, other
  std::vector<std::string> areas;
  std::string location;
  std::string details;
  std::vector<std::string> roles = {"responder"};
  bool include_neighbours = false;
  std::optional<std::string> deadline;  // RFC 3339; required for removal
  // The request named an audience: it replaces the first step of the escalation policy.
  bool audience_given = false;
};

struct Alert {
  std::int64_t id = 0;
  std::string code;
  std::string kind;
  std::string status;  // open, resolved, cancelled
  std::vector<std::string> areas;
  std::vector<std::string> roles;
  bool include_neighbours = false;
  std::string location;
  std::string details;
  std::optional<std::string> deadline;
  std::int64_t recipients = 0;
  std::string created_at;
  std::optional<std::string> ended_at;
  std::map<std::string, std::int64_t> counts;  // deliveries of the alert message by state, and
                                               // going / cannot / no_answer (latest answer per
                                               // recipient)
};

struct ResponseView {
  std::int64_t id = 0;
  std::int64_t member_id = 0;
  std::string answer;  // going, cannot, text
  std::optional<std::string> text;
  std::string received_at;
};

struct ResponsePage {
  std::vector<ResponseView> responses;
  std::optional<std::int64_t> next_cursor;
};

struct DeliveryView {
  std::int64_t id = 0;
  std::int64_t member_id = 0;
  int seq = 0;
  std::string kind;  // alert, update, resolve, cancel
  std::string channel;
  std::string state;
  std::string language;
  int segments = 0;
  int attempts = 0;
  std::optional<std::string> sender, provider_id, error_code, error_message, sent_at;
  std::string created_at, updated_at;
};

struct DeliveryPage {
  std::vector<DeliveryView> deliveries;
  std::optional<std::int64_t> next_cursor;
};

// How long a provider may hold a message of this kind before dropping it (Twilio's
// ValidityPeriod): a raid alert an hour late is worse than none.
int ValiditySeconds(const std::string& kind);

// Whether the network has the alert (a cheap check before reading what hangs off it).
bool AlertInNetwork(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t alert_id);

class AlertService {
 public:
  AlertService(const DataCipher& cipher, const TemplateSet& templates)
      : cipher_(cipher), templates_(templates) {}

  // Validates `in` (errors name the field) and, in `tx`, inserts the alert, its texts and one
  // queued delivery per recipient.
  Result<Alert> Raise(pqxx::work& tx, const Network& net, const AlertInput& in,
                      const std::string& actor);
  // Queues `message` for every member the alert has reached (sent or delivered).
  // Returns how many deliveries were queued. Conflict if the alert has ended.
  Result<std::int64_t> Update(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                              const std::string& message);
  // Ends the alert (`status`: resolved or cancelled), cancels every delivery not yet handed to
  // the provider (queued, or claimed by a dispatcher: call Dispatcher::ForgetAlert after commit)
  // and queues the closing message for those already reached. Conflict if already ended.
  Result<Alert> End(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                    const std::string& status, const std::string& message);

  // Queues the alert message for every member of `audience` not yet sent it; returns how many.
  std::int64_t QueueAudience(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                             const PolicyAudience& audience);
  // Queues the stand-down for those reached who have not answered, and cancels what of the alert
  // is still queued. Returns how many stand-downs were queued.
  std::int64_t StandDown(pqxx::work& tx, const Network& net, std::int64_t alert_id);

  // Queues one reminder for each member reached at least `after_ms` ago who has not answered
  // and was not reminded yet; sets `next_in_ms` to when the next one could be due (nullopt:
  // nobody is left to remind). Returns how many reminders were queued.
  std::int64_t Remind(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                      std::int64_t after_ms, std::optional<double>* next_in_ms);

  // Queues the alert for the backup of each member who has not answered and whose delivery
  // failed or (given `silent_after_ms`) who was reached at least that long ago; each member's
  // backup is called once (a backup already sent the alert is not sent it again). With
  // `silent_after_ms`, sets `*next_in_ms` as Remind does. Returns how many were queued.
  std::int64_t CallBackups(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                           std::optional<std::int64_t> silent_after_ms, std::optional<double>* next_in_ms);
  // Queues the alert message for the members `ids` not yet sent it, whatever their roles or
  // areas (a tree's nodes, backups). Returns how many were queued.
  std::int64_t QueueMembers(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                            std::vector<std::int64_t> ids);

  Result<Alert> Get(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id) const;
  // Newest first; `status` empty for all.
  std::vector<Alert> List(pqxx::transaction_base& tx, std::int64_t network_id,
                          const std::string& status, int limit) const;
  Result<ResponsePage> Responses(pqxx::transaction_base& tx, std::int64_t network_id,
                                 std::int64_t alert_id, std::int64_t after_id, int limit) const;
  Result<DeliveryPage> Deliveries(pqxx::transaction_base& tx, std::int64_t network_id,
                                  std::int64_t alert_id, std::int64_t after_id, int limit) const;

 private:
  // Renders `kind`.`key` for every template language and stores it as message `seq`.
  Status StoreMessages(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq,
                       const std::string& message_kind, const std::string& alert_kind,
                       const std::map<std::string, std::string>& vars);
  // Queues message `seq` for the members the alert message reached.
  std::int64_t QueueForReached(pqxx::work& tx, const Network& net, std::int64_t alert_id, int seq);
  std::map<std::string, std::string> Vars(const Network& net, const Alert& a,
                                          const std::string& message) const;
  // The alert's own columns (no counts: those take queries, see FillCounts).
  Alert Read(const pqxx::row& r) const;
  // Live counts for every alert of `alerts`, in two round trips.
  void FillCounts(pqxx::transaction_base& tx, std::vector<Alert>& alerts) const;
  std::string EffectiveDefaultLanguage(const Network& net) const;

  const DataCipher& cipher_;
  const TemplateSet& templates_;
};

}  // namespace tocsin
