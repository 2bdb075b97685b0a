// CaseFanout: the texts of a case's alerts (issue 13), each contact given what
// model/case_texts.h lets them see, in their language. For a detention alert (CaseTextFor) and a
// removal alert (RemovalTextFor: the deadline and the opening asks instead of where the person
// is held), WriteCaseTexts writes:
//  - the alert message itself (seq 0, what the campaign tree and any later step of the policy
//    are sent) becomes the campaign text: the reference only when the case is public, never
//    where the person is held;
//  - each member contact of another role (legal, mp, bail, family) whose alert message is
//    queued gets its role's text as its own (sealed per delivery, as a relay node's call list);
//  - each organisation contact (a law centre, an MP's office...) has the alert.raised webhooks
//    and email the raise queued for it replaced by ones carrying its role's text (webhooks:
//    data.case {"role", "text"}, and the alert without its pseudonym or deadline when the text
//    is withheld; email: the text as its details), in the organisation's language;
//  - when an mp or legal contact lacks consent, the network's coordinators are sent one
//    case_consent SMS naming the case's pseudonym and the roles.
// Each message that asks a contact something (the alert itself, an ask to contacts) is recorded
// with the action a DONE to it counts as (store/case_action_store.h).
// QueueAsk sends one entry of a removal's schedule (model/case_schedule.h) as the alert's next
// message (kind case_ask): to the case's contacts of the entry's roles that are members or phone
// trees (each member once, by SMS, or by a call when voice is their only channel, with their
// role's removal text carrying the ask), or to the network's members holding the entry's member
// roles (the coordinator's text). The case's organisation contacts of the entry's roles are
// asked by their own channels (WebhookFanout::QueueAsk: the case.ask webhook to endpoints
// subscribed to it, and an email to their contact points), with their role's removal text in
// the organisation's language under the same consent rules as the alert itself.
// Runs inside the caller's transaction, after the raise queued step 0. Thread safety: holds
// const references only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/fanout/webhook_fanout.h"
#include "dispatch/message/templates.h"
#include "dispatch/model/alert.h"
#include "dispatch/model/case_schedule.h"
#include "dispatch/store/alert_store.h"
#include "dispatch/store/case_store.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/util/crypto.h"

namespace tocsin {

class CaseFanout {
 public:
  // `webhooks` (may be null: organisations keep the generic alert) must outlive this.
  CaseFanout(const DataCipher& cipher, const TemplateSet& templates, const WebhookFanout* webhooks = nullptr)
      : cipher_(cipher), templates_(templates), alerts_(cipher), webhooks_(webhooks) {}

  // What a removal alert's texts carry besides the case's: the deadline as it is shown and the
  // message (the opening asks, or an entry's ask).
  struct Removal {
    std::string deadline;
    std::string message;
    std::string action;  // what a DONE to the alert itself counts as (empty: kDefaultAction)
  };

  // `where`: where the person is held (the detained event's text); `removal`: null for a
  // detention alert; `tell_coordinators`: false once they were told (an approved alert).
  // Returns how many coordinators were told consent is missing.
  std::int64_t WriteCaseTexts(pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c,
                              const std::string& where, const std::vector<CaseContact>& contacts,
                              std::int64_t now_ms, const Removal* removal = nullptr,
                              bool tell_coordinators = true) const;
  // How many deliveries an ask queued: to members (SMS, calls) and to organisations (webhooks,
  // emails).
  struct AskQueued {
    std::int64_t members = 0;
    std::int64_t organisations = 0;
  };
  // `entry_index`: the entry's index in the alert's schedule; `now_ms`: the engine clock's.
  AskQueued QueueAsk(pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c, int entry_index,
                     const ScheduleEntry& entry, const std::string& deadline,
                     const std::vector<CaseContact>& contacts, std::int64_t now_ms) const;

 private:
  std::string DefaultLanguage(const Network& net) const;
  // The text of a contact of `role` in `language`.
  Result<std::string> Render(const Network& net, const Alert& alert, const CaseRecord& c, const std::string& where,
                             const Removal* removal, const std::string& role, const std::string& language) const;
  // What an organisation contact of `role` is told: the webhook's data fields ("alert" as its
  // role's consent lets it see it, "case": {"role", "text"}) and the email's texts. nullopt
  // when the organisation is gone or the text cannot be rendered.
  struct OrganisationText {
    boost::json::object fields;
    EmailFanout::CaseText email;
  };
  std::optional<OrganisationText> TextForOrganisation(pqxx::work& tx, const Network& net, const Alert& alert,
                                                      const CaseRecord& c, const std::string& where,
                                                      const Removal* removal, std::int64_t org,
                                                      const std::string& role) const;
  // The organisation contacts (of `roles` when given), each with the role of the first contact
  // row naming it.
  static std::map<std::int64_t, std::string> OrganisationRoles(const std::vector<CaseContact>& contacts,
                                                               const std::vector<std::string>* roles);
  // The ask of schedule entry `entry_index` to the organisation contacts of its roles.
  std::int64_t AskOrganisations(pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c,
                                int entry_index, const ScheduleEntry& entry, const Removal& removal,
                                const std::vector<CaseContact>& contacts, std::int64_t now_ms) const;
  // Each organisation contact's alert.raised, replaced by its role's text.
  void TellOrganisations(pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c,
                         const std::string& where, const std::vector<CaseContact>& contacts, const Removal* removal,
                         std::int64_t now_ms) const;
  // Seals `text` as the delivery's own.
  void SetOwnText(pqxx::work& tx, const Network& net, std::int64_t delivery_id, const std::string& text) const;

  const DataCipher& cipher_;
  const TemplateSet& templates_;
  const AlertStore alerts_;
  const WebhookFanout* const webhooks_;
};

}  // namespace tocsin
