// Fanout: turns an audience into delivery rows. Each alert's texts are rendered once per
// language when they are first needed (alert_messages, sealed); a delivery is one queued row per
// member and message, in the member's language (else the network's default, else English). The
// dispatcher picks queued rows up after the caller commits.
//
// Audience of the alert message (seq 0): active members of the network whose channels include
// sms or voice, matching the audience (areas, roles, named members), each member once per alert
// whatever reached them first (a step, a tree, a backup). Each is called (channel voice) when
// the step's channel is voice or the member has voice but not sms, else texted. Follow-ups (updates, the closing message,
// reminders, the stand-down) go to members the alert message reached. A relay tree's node is
// sent the alert with their call list, a text of their own (AddCallLists).
//
// Every function runs inside a caller's transaction. Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/alert.h"
#include "dispatch/model/call_list.h"
#include "dispatch/model/policy.h"
#include "dispatch/message/templates.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

class Fanout {
 public:
  // `voiceless`: the template languages no text-to-speech voice speaks (message/call_lines.h):
  // a member called in one of them is also texted the alert (TextBesideCalls).
  Fanout(const DataCipher& cipher, const TemplateSet& templates, std::vector<std::string> voiceless = {})
      : cipher_(cipher), templates_(templates), alerts_(cipher), voiceless_(std::move(voiceless)) {}

  // Renders `message_kind` (alert, update, resolve, cancel, reminder, stand_down,
  // webhook_failed) of `alert` in every template language and stores it as message `seq`.
  // `message`: the coordinator's text of an update or closing message; for webhook_failed the
  // organisation's name. `marker`: per language, a text put before the details (a report's alert
  // raised without confirmation: "unconfirmed report"); a language it lacks takes the network's
  // default language's, else English's.
  Status StoreMessages(pqxx::work& tx, const Network& net, const Alert& alert, int seq,
                       const std::string& message_kind, const std::string& message = "",
                       const std::map<std::string, std::string>& marker = {}) const;

  // Queues the alert message for every member of `audience` (not a tree: trees are walked by
  // engine/tree_mover.h) not yet sent it; returns how many, and adds them to the alert's recipients.
  // `channel`: the step's ("sms" or "voice"); `call_after_ms`: the step's call ladder, kept on
  // each texted delivery.
  std::int64_t QueueAudience(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                             const PolicyAudience& audience, const std::string& channel = "sms",
                             std::optional<std::int64_t> call_after_ms = std::nullopt) const;
  // Queues the alert message for the members `ids` not yet sent it, whatever their roles or
  // areas (a tree's nodes, backups), by `channel` as QueueAudience. Returns how many were queued.
  std::int64_t QueueMembers(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                            std::vector<std::int64_t> ids, const std::string& channel = "sms") const;
  // Gives each relayer of `owed` (model/call_list.h) whose alert message is still queued a text
  // of their own: the alert in their language, then the people they must call, names and
  // numbers (a relayer who is called: names only, model/call_list.h 3b). Returns how many
  // deliveries were given one.
  std::int64_t AddCallLists(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                            const std::vector<CallListOwed>& owed) const;
  // Queues message `seq` for every active member the alert message reached (sent or delivered).
  std::int64_t QueueForReached(pqxx::work& tx, std::int64_t alert_id, int seq) const;
  // Stores `message_kind` (a top-level template: webhook_failed) as the alert's next message and
  // queues it for every active sms coordinator of the network. Returns how many.
  std::int64_t TellCoordinators(pqxx::work& tx, const Network& net, const Alert& alert,
                                const std::string& message_kind, const std::string& message) const;
  // Cancels what of the alert message is still queued (what the dispatcher has claimed goes
  // out) and queues the stand-down for those reached who have not answered. Returns how many stand-downs were queued.
  std::int64_t StandDown(pqxx::work& tx, const Network& net, const Alert& alert) const;
  // Marks `deliveries` reminded and queues each active member among them who has still not
  // answered (an answer may have landed since the decision) one reminder.
  std::int64_t Remind(pqxx::work& tx, const Network& net, const Alert& alert,
                      const std::vector<std::int64_t>& deliveries) const;
  // The call ladder: marks `deliveries` (texted by a step with `call_after`) called and queues a
  // call of the alert message (stored once as message kind 'call') for each active member among
  // them who has still not answered. Returns how many calls were queued.
  std::int64_t CallTexted(pqxx::work& tx, const Network& net, const Alert& alert,
                          const std::vector<std::int64_t>& deliveries) const;
  // Members called the alert message in a language no voice speaks hear it in English (or the
  // network's recordings): each of them who also has the sms channel is texted the alert in
  // their language too (message kind 'call_text'), once. Returns how many were queued.
  std::int64_t TextBesideCalls(pqxx::work& tx, const Network& net, std::int64_t alert_id) const;
  // Marks `deliveries` backed up and queues the alert for each one's member's backup, unless the
  // member has answered since the decision (a backup already sent the alert is not sent it
  // again). Returns how many were queued.
  std::int64_t CallBackups(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                           const std::vector<std::int64_t>& deliveries) const;

 private:
  std::string DefaultLanguage(const Network& net) const;
  // The seq of the alert's message of `message_kind` (reminder, call), stored on first use.
  std::optional<int> StoredOnce(pqxx::work& tx, const Network& net, const Alert& alert,
                                const std::string& message_kind) const;

  const DataCipher& cipher_;
  const TemplateSet& templates_;
  const AlertStore alerts_;
  const std::vector<std::string> voiceless_;
};

}  // namespace tocsin
