// ReportVerification: a report's life after intake (issue 12), one transaction per step.
//
//  1. Begin (a report just became pending; many in one transaction when SMS reports are taken
//     in a batch, each merged as if the earlier ones had committed: engine/report_context.h): a report of the same kind in its area or a
//     neighbouring one, within the network's reports.merge_window, while a report is pending or
//     an alert is open (model/report_rules.h MergeTarget), is merged: status merged, one more
//     reporter on the report it joins (event reporter_added), never a second verification or
//     alert; merged into an open alert, the network's coordinators get one SMS offering an update
//     ([reports].merged_update). Else, when its kind's policy requires verification
//     (model/verification.h), its alert is stored `verifying` (AlertUseCases::HoldForVerification:
//     nothing sent to its audience, no open alert to lists, counts, CHECK or replies) under the
//     report's code, the verifiers of its areas are sent [reports].verify (what and where, the
//     code, never who reported) and a deadline is set for half the wait. A report whose kind
//     needs no verification stays pending for the coordinators.
//  2. Answer (an SMS): a member's 1/2 (any language's words), bare and matched to their latest
//     delivery, or naming the code ("1 R7K2"), about a verifying alert they were sent a message
//     of, is the report's, never an alert response: recorded in the report's timeline (seen /
//     not_seen with the member's id; a verifier's latest answer counts once) and answered with
//     [reports].thanks (thanks_many, saying how many reported it, once more than one did). A
//     coordinator's answer decides at once; verifiers' answers decide by
//     DecideVerification: `confirmations` 1s confirm, as many 2s dismiss.
//  3. Fire (a deadline): half the wait asks the verifiers of the neighbouring areas not asked
//     yet ([reports].verify, or verify_many saying how many reported it once reports merged);
//     the end of the wait does on_timeout: `coordinators` are sent [reports].verify_timeout
//     and decide (answer 1/2 with the code, or the API), `send` raises it unverified (the
//     alert's text carries [reports].unconfirmed, in each recipient's language), `drop`
//     dismisses.
//  4. Decide (a coordinator's API confirm or dismiss of a report being verified).
//
// Confirming starts the alert exactly as an approval starts a held one (AlertUseCases::
// StartVerified: policy step 1, audience, escalation), created_by "report:<id>"; its reporters
// (of the report and of those merged into it) are sent [reports].confirmed. Dismissing ends the
// alert `cancelled` (nothing was ever sent to its audience) and its reporters are sent
// [reports].dismissed as its closing message. A reporter who is a member gets it as any member
// does; one who is not gets it at the number sealed on their report (deliveries.report_id,
// schema/0042), in the report's language, through the same dispatcher and SMS channel; the
// number is shown to nobody.
//
// Thread safety: holds const references only; every function runs in the caller's transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/engine/alert_use_cases.h"
#include "dispatch/engine/report_context.h"
#include "dispatch/fanout/report_fanout.h"
#include "dispatch/model/reply_decision.h"
#include "dispatch/store/report_batch_store.h"
#include "dispatch/store/report_store.h"

namespace tocsin {

struct VerificationOutcome {
  // alert_id, queued, webhooks, timers (verification deadlines, or the started escalation's),
  // what (for logs), ended (the alert was dismissed: forget its deadlines).
  EscalationOutcome escalation;
  std::int64_t network_id = 0;
  int verifying_delta = 0;               // +1 an alert began verifying, -1 one stopped
  std::vector<std::string> reply_texts;  // Answer: to the member who answered
};

class ReportVerification {
 public:
  ReportVerification(const DataCipher& cipher, const TemplateSet& templates, const AlertUseCases& alerts)
      : reports_(cipher), fanout_(cipher, templates), alerts_(alerts), alert_store_(cipher), templates_(templates) {}

  // `ctx`: this transaction's (engine/report_context.h); reports taken in one batch share it.
  Result<VerificationOutcome> Begin(pqxx::work& tx, std::int64_t report_id, std::int64_t now_ms,
                                    ReportContext& ctx) const;
  // Begin for a report this very transaction inserted pending at `now_ms` (SMS intake):
  // nothing to read back or lock but the network's reports. A merge into a pending report is
  // not applied but added to `merges`, for the caller to apply with the batch's others
  // (store/report_batch_store.h MergeReports) before anything else reads those reports.
  Result<VerificationOutcome> BeginNew(pqxx::work& tx, const Network& net, const Report& report, std::int64_t now_ms,
                                       ReportContext& ctx, std::vector<ReportMerge>& merges) const;
  // A report context for a transaction of its own.
  ReportContext Context() const { return ReportContext(); }
  // nullopt: `sms` is no answer about a report (the reply path takes it).
  std::optional<VerificationOutcome> Answer(pqxx::work& tx, const InboundSms& sms, std::int64_t now_ms) const;
  EscalationOutcome Fire(pqxx::work& tx, std::int64_t timer_id, std::int64_t now_ms) const;
  // Conflict (field "status") when the report is not pending; NotFound when it is not being
  // verified (no verifying alert: the caller raises it the plain way).
  Result<VerificationOutcome> Decide(pqxx::work& tx, const Network& net, std::int64_t report_id, bool confirm,
                                     const std::string& actor, std::int64_t now_ms) const;

 private:
  // The report confirmed: its verifying alert starts. `marker` (per language, empty when it was
  // confirmed): see StartVerified.
  Result<VerificationOutcome> Confirm(pqxx::work& tx, const Network& net, const Report& report,
                                      const std::string& actor, const std::map<std::string, std::string>& marker,
                                      std::int64_t now_ms) const;
  VerificationOutcome Dismiss(pqxx::work& tx, const Network& net, const Report& report, const std::string& actor,
                              std::int64_t now_ms) const;
  // Begin's work once the report is known pending and the network's reports locked.
  // A merge into a pending report is not applied but added to `merges`, for the caller to apply
  // (store/report_batch_store.h MergeReports) before anything else reads those reports.
  Result<VerificationOutcome> Start(pqxx::work& tx, const Network& net, const Report& report, std::int64_t received_ms,
                                    std::int64_t now_ms, ReportContext& ctx, std::vector<ReportMerge>& merges) const;
  // Merges the report into what MergeTarget finds among ctx's candidates; false when nothing.
  bool Merge(pqxx::work& tx, const Network& net, const Report& report, std::int64_t now_ms, ReportContext& ctx,
             VerificationOutcome& out, std::vector<ReportMerge>& merges) const;
  // Tells the report's reporters [reports].`key` as a message of kind `message_kind`.
  std::int64_t TellReporter(pqxx::work& tx, const Network& net, const Report& report, const std::string& message_kind,
                            const std::string& key, const std::string& alert_code) const;

  const ReportStore reports_;
  const ReportFanout fanout_;
  const AlertUseCases& alerts_;
  const AlertStore alert_store_;
  const TemplateSet& templates_;
};

}  // namespace tocsin
