// CaseAlerts: a case's event (issue 13) and the alert it raises or ends, in one transaction.
//
//  - `detained` records the event and, unless the case has an open alert already, raises a
//    `detention` alert through the normal raise (AlertUseCases::Raise: the network's detention
//    policy, its escalation, counts, approval rule): created_by `case:<id>`, areas the case's
//    (the network's when it has none; neither: Invalid "areas", nothing recorded), requested_by
//    the actor who recorded the event (so a held alert's approval needs a second person),
//    location the case's pseudonym (never where the person is held: that is sealed in the
//    event), no details. Step 0's audience is the case's contacts, each by its channel: member
//    contacts by SMS, the campaign tree as a tree, organisations by their webhooks and emails
//    (named by slug). CaseFanout then gives each contact the text its role and the case's
//    consent allow (model/case_texts.h). The alert is linked to the case (case_alerts).
//  - `removal_directions` records the event and, unless the case has an open `removal` alert,
//    raises one the same way (the network's removal policy; its deadline the event's, which
//    must be in the future: Invalid "deadline", nothing recorded), its texts the removal's
//    (RemovalTextFor: the deadline, never where the person is held) carrying the asks of the
//    schedule's {"at": "recorded"} entries: the alert itself is those entries. Every other entry
//    of the policy's schedule (EffectiveSchedule) becomes a durable deadline counted from the
//    deadline (engine/case_schedule_fire.h fires it; those already past fire at once, in
//    order). With a `removal` alert open, the new deadline replaces the alert's and the
//    schedule: the pending entries are cancelled and every entry is set again from the new
//    deadline, the {"at": "recorded"} ones due now. A removal alert held for approval gets its
//    schedule when approved (StartHeldSchedule).
//  - `released`, `removal_cancelled` and `removed` record the event and resolve every open alert
//    of the case (AlertUseCases::End: its escalation and schedule stop, those it reached get the
//    resolve message).
//  - Every other event is only recorded.
//
// Runs inside the caller's transaction. Thread safety: holds const references only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "dispatch/engine/alert_use_cases.h"
#include "dispatch/fanout/case_fanout.h"
#include "dispatch/store/case_event_store.h"
#include "dispatch/store/case_store.h"

namespace tocsin {

struct CaseEventDone {
  CaseEvent event;
  std::optional<Raised> raised;          // the detention or removal alert raised
  std::vector<Alert> ended;              // the case's alerts resolved, newest first
  std::vector<PendingTimer> schedule;    // a removal schedule's new deadlines (to track)
  std::optional<std::int64_t> rescheduled;  // the open removal alert whose schedule was replaced
};

class CaseAlerts {
 public:
  // `webhooks`: the engine's (organisation contacts are told their role's text through it).
  CaseAlerts(const DataCipher& cipher, const TemplateSet& templates, const AlertUseCases& alerts,
             const WebhookFanout& webhooks)
      : cases_(cipher), events_(cipher), texts_(cipher, templates, &webhooks), alerts_(alerts), alert_store_(cipher) {}

  // `in` checked (CheckCaseEvent). NotFound when the case is not the network's.
  Result<CaseEventDone> Record(pqxx::work& tx, const Network& net, std::int64_t case_id, const CaseEventInput& in,
                               const std::string& actor, std::int64_t now_ms) const;

  // Whether an event of `type` ends the case's alert.
  static bool Ends(const std::string& type);

  // A case's alert held for approval starts, once approved, as its raise would have: ContactStep
  // is the step to approve it with (the case's contacts; nullopt: not a case's alert), and
  // Approved, after AlertUseCases::Approve, gives each member contact their role's text (the
  // coordinators were told of missing consent at the raise) and starts a removal's schedule,
  // counted from its deadline, the {"at": "recorded"} entries included (approving is when the
  // alert goes out). Approved returns the schedule's deadlines to track.
  std::optional<std::vector<PolicyAudience>> ContactStep(pqxx::transaction_base& tx, const Network& net,
                                                         std::int64_t alert_id) const;
  std::vector<PendingTimer> Approved(pqxx::work& tx, const Network& net, const Alert& alert,
                                     std::int64_t now_ms) const;

 private:
  // Raises the case's alert of `kind` (detention, removal) to its contacts.
  Result<Raised> RaiseForCase(pqxx::work& tx, const Network& net, const CaseRecord& c, const CaseEvent& event,
                              const std::string& kind, const std::optional<std::string>& deadline,
                              const std::string& actor, std::int64_t now_ms) const;
  // The texts of the case's alert for its contacts (CaseFanout::WriteCaseTexts); `where`: the
  // detained event's text.
  void WriteTexts(pqxx::work& tx, const Network& net, const Alert& alert, const CaseRecord& c,
                  const std::string& where, const std::vector<CaseContact>& contacts, bool tell_coordinators,
                  std::int64_t now_ms) const;
  Status RecordRemoval(pqxx::work& tx, const Network& net, std::int64_t case_id, const CaseEventInput& in,
                       const std::string& actor, std::int64_t now_ms, CaseEventDone& done) const;
  // The schedule of the alert's policy as raised, set from its deadline.
  std::vector<PendingTimer> StartSchedule(pqxx::work& tx, std::int64_t alert_id, std::int64_t deadline_ms,
                                          std::int64_t now_ms, bool at_recorded) const;

  const CaseStore cases_;
  const CaseEventStore events_;
  const CaseFanout texts_;
  const AlertUseCases& alerts_;
  const AlertStore alert_store_;
};

}  // namespace tocsin
