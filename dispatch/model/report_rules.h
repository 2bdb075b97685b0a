// The decisions of a report's life (issue 12), pure: where verification stands at a moment
// (ask the neighbouring areas, confirm, dismiss, time out), and whether a new report merges
// into one already pending or an alert already open. The engine (engine/report_verification.h)
// loads the facts, asks here, and applies the answer.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dispatch/model/verification.h"

namespace tocsin {

struct VerificationFacts {
  std::int64_t received_ms = 0;
  Verification rule;
  int confirmations = 0;   // verifiers who answered 1
  int dismissals = 0;      // verifiers who answered 2
  bool neighbours_asked = false;
};

enum class VerificationStep {
  kWait,           // nothing to do before `due_ms`
  kAskNeighbours,  // half the wait has passed: ask the verifiers of the neighbouring areas
  kConfirm,        // enough confirmations: raise the alert
  kDismiss,        // as many dismissals: dismiss, tell the reporter kindly
  kTimeout,        // the wait is over: do what rule.on_timeout says
};

struct VerificationDecision {
  VerificationStep step = VerificationStep::kWait;
  std::optional<std::int64_t> due_ms;  // when to decide again (kWait, kAskNeighbours)
};

// In order: confirmations reaching rule.confirmations confirm; dismissals reaching it dismiss
// (a confirmation wins a tie: a raid seen by one is a raid); the end of the wait times out;
// half of it asks the neighbours once; else wait until the next of those instants.
VerificationDecision DecideVerification(const VerificationFacts& f, std::int64_t now_ms);

// What a new report may merge into.
struct MergeCandidate {
  std::int64_t id = 0;
  bool is_alert = false;           // an open alert (else a pending report)
  std::string kind;
  std::vector<std::string> areas;
  std::int64_t at_ms = 0;          // received (report) or raised (alert)
};

// The candidate a report of `kind` in `areas` received at `now_ms` merges into: one of the same
// kind whose areas meet `areas` or `neighbours` (the areas around the report's), no older than
// `window_ms`; a pending report before an open alert, then the newest. nullopt: none.
std::optional<MergeCandidate> MergeTarget(const std::string& kind, const std::vector<std::string>& areas,
                                          const std::vector<std::string>& neighbours,
                                          const std::vector<MergeCandidate>& candidates, std::int64_t now_ms,
                                          std::int64_t window_ms);

}  // namespace tocsin
