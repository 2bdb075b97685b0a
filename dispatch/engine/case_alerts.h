// CaseAlerts: a case's event (issue 13) and the alert it raises or ends, in one transaction.
//
//  - `detained` records the event and, unless the case has an open alert already, raises a
//    `detention` alert through the normal raise (AlertUseCases::Raise: the network's detention
//    policy, its escalation, counts, approval rule): created_by `case:<id>`, areas the case's
//    (the network's when it has none; neither: Invalid "areas", nothing recorded),
//    location the case's pseudonym (never where the person is held: that is sealed in the
//    event), no details. Step 0's audience is the case's contacts, each by its channel: member
//    contacts by SMS, the campaign tree as a tree, organisations by their webhooks and emails
//    (named by slug). CaseFanout then gives each contact the text its role and the case's
//    consent allow (model/case_texts.h). The alert is linked to the case (case_alerts).
//  - `released`, `removal_cancelled` and `removed` record the event and resolve the case's open
//    alert (AlertUseCases::End: its escalation stops, those it reached get the resolve message).
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
  std::optional<Raised> raised;       // the detention alert raised
  std::optional<Alert> ended;         // the case's alert resolved
};

class CaseAlerts {
 public:
  CaseAlerts(const DataCipher& cipher, const TemplateSet& templates, const AlertUseCases& alerts)
      : cases_(cipher), events_(cipher), texts_(cipher, templates), alerts_(alerts) {}

  // `in` checked (CheckCaseEvent). NotFound when the case is not the network's.
  Result<CaseEventDone> Record(pqxx::work& tx, const Network& net, std::int64_t case_id, const CaseEventInput& in,
                               const std::string& actor, std::int64_t now_ms) const;

  // Whether an event of `type` ends the case's alert.
  static bool Ends(const std::string& type);

 private:
  Result<Raised> RaiseDetention(pqxx::work& tx, const Network& net, const CaseRecord& c, const CaseEvent& event,
                                std::int64_t now_ms) const;

  const CaseStore cases_;
  const CaseEventStore events_;
  const CaseFanout texts_;
  const AlertUseCases& alerts_;
};

}  // namespace tocsin
