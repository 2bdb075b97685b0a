// EmailFanout: an alert email to the organisations that just joined an alert's audience (a
// policy step naming them started; WebhookFanout::Reach calls Queue with them), one durable
// delivery per email contact point, channel 'email'. The email is rendered once per
// organisation, in its language (message/email_text.h: subject "[Tocsin] Detention — E8 —
// K7Q4", the details, the deadline of a removal, what is asked, how to answer) and sealed
// (places::EmailBody, message_id "eml_..."); its contact points share it.
//
// How to answer: when the organisation has an integration token answering for it, the answer
// endpoint (`<public_url>/v1/networks/<slug>/alerts/<id>/responses`, POSTed with that token);
// else "contact the coordinators" (replies to the email are not read).
//
// Only alert.raised is emailed, and a case's asks (case.ask: a removal schedule's entry naming
// the organisation's role, engine/case_schedule_fire.h): caseworkers are told once per alert and
// once per thing asked of them; later events go to webhooks (an email per update would bury the
// one that matters).
//
// Runs inside the caller's transaction, so an email is queued exactly when the step that
// reached the organisation commits. Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/message/templates.h"
#include "dispatch/model/alert.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

class EmailFanout {
 public:
  // `public_url`: server.public_url, no trailing '/' (empty: no answer link is ever given).
  EmailFanout(const DataCipher& cipher, const TemplateSet& templates, std::string public_url)
      : cipher_(cipher), templates_(templates), public_url_(std::move(public_url)) {}

  // What a case's contact is told instead of the alert's own location, details and deadline
  // (engine/case_alerts.h: their role's text, consent rules kept).
  struct CaseText {
    std::string location;
    std::string details;
    std::string deadline;
  };

  // Queues event `type` (alert.raised, case.ask) by email to the contact points of
  // `organisations` (ids of the network's), saying `case_text` when given. Returns how many
  // deliveries were queued.
  std::int64_t Queue(pqxx::work& tx, const Network& net, const Alert& alert,
                     const std::vector<std::int64_t>& organisations, std::int64_t now_ms,
                     const CaseText* case_text = nullptr, const char* type = "alert.raised") const;

 private:
  const DataCipher& cipher_;
  const TemplateSet& templates_;
  const std::string public_url_;
};

}  // namespace tocsin
