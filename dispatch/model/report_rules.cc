#include "dispatch/model/report_rules.h"

#include <algorithm>

namespace tocsin {
namespace {

bool Meets(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(), [&](const std::string& x) { return std::find(b.begin(), b.end(), x) != b.end(); });
}

}  // namespace

VerificationDecision DecideVerification(const VerificationFacts& f, std::int64_t now_ms) {
  const int needed = std::max(1, f.rule.confirmations);
  if (f.confirmations >= needed) return {VerificationStep::kConfirm, std::nullopt};
  if (f.dismissals >= needed) return {VerificationStep::kDismiss, std::nullopt};
  const std::int64_t end = f.received_ms + f.rule.wait_ms;
  if (now_ms >= end) return {VerificationStep::kTimeout, std::nullopt};
  const std::int64_t half = f.received_ms + f.rule.wait_ms / 2;
  if (!f.neighbours_asked) {
    if (now_ms >= half) return {VerificationStep::kAskNeighbours, end};
    return {VerificationStep::kWait, half};
  }
  return {VerificationStep::kWait, end};
}

std::optional<MergeCandidate> MergeTarget(const std::string& kind, const std::vector<std::string>& areas,
                                          const std::vector<std::string>& neighbours,
                                          const std::vector<MergeCandidate>& candidates, std::int64_t now_ms,
                                          std::int64_t window_ms) {
  std::optional<MergeCandidate> best;
  for (const auto& c : candidates) {
    if (c.kind != kind || c.at_ms < now_ms - window_ms || c.at_ms > now_ms) continue;
    if (!Meets(c.areas, areas) && !Meets(c.areas, neighbours)) continue;
    const bool better = !best || (best->is_alert && !c.is_alert) ||
                        (best->is_alert == c.is_alert && c.at_ms > best->at_ms);
    if (better) best = c;
  }
  return best;
}

}  // namespace tocsin
