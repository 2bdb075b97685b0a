// CaseScheduleFire: one deadline of a case's removal schedule (issue 13; model/case_schedule.h,
// store/case_schedule_store.h), fired in the escalator's transaction.
//
//  1. Not a pending schedule deadline (fired with an earlier one, replaced, or the alert ended):
//     "stale", nothing done.
//  2. The alert waits for approval: "held", the deadline stays pending (nothing sent before a
//     second coordinator approves; AlertUseCases' approval then tracks it again and it fires at
//     once).
//  3. The alert has ended: the deadline is marked fired, nothing sent.
//  4. Else every entry of the alert due now is taken (this one with those before it that are
//     also due: entries past when the directions were recorded all fire at once, in order) and
//     each is sent as the alert's next message (CaseFanout::QueueAsk: members by SMS or call,
//     organisation contacts by case.ask webhook and email), the schedule of the policy as
//     raised, the deadline as last recorded.
//
// Deadlines due together are fired in batches, several in one transaction (the Escalator's
// batch fire, escalator.h): each Fire locks only its own timer and alert.
//
// Thread safety: holds const references only; Fire runs in the caller's transaction.
#pragma once

#include <cstdint>

#include <pqxx/pqxx>

#include "dispatch/engine/escalation_runner.h"
#include "dispatch/fanout/case_fanout.h"
#include "dispatch/store/case_store.h"

namespace tocsin {

class CaseScheduleFire {
 public:
  // `webhooks`: the engine's (organisation contacts are asked through it); must outlive this.
  CaseScheduleFire(const DataCipher& cipher, const TemplateSet& templates, const WebhookFanout& webhooks)
      : cases_(cipher), texts_(cipher, templates, &webhooks), alerts_(cipher) {}

  EscalationOutcome Fire(pqxx::work& tx, std::int64_t timer_id, std::int64_t now_ms) const;

 private:
  const CaseStore cases_;
  const CaseFanout texts_;
  const AlertStore alerts_;
};

}  // namespace tocsin
