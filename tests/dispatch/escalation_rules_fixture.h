// Helpers shared by the escalation rules tests (escalation_rules_*_test.cc) and their generated
// scenarios (escalation_rules_sim.h): times, a one-step policy, the escalation, recipients and
// facts to ask Decide (dispatch/model/escalation_rules.h) about, and what its actions do.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dispatch/model/escalation_rules.h"

using namespace tocsin;

namespace {

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kNow = 1'700'000'000'000;  // an engine clock reading (ms since the epoch)

using Ids = std::vector<std::int64_t>;
using Deadlines = std::vector<Deadline>;

// One step, no wait needed; its `wait` bounds nothing Decide sets (rule 1: a wait is a step
// deadline only when another step follows). Backup only: nobody is reminded.
constexpr std::string_view kOneStep = R"({"steps": [
   {"audience": {"roles": ["responder"]}, "wait": "5m", "until": {"going": 2}}],
 "backup": {"after": "3m"}})";

inline Policy MustParse(std::string_view text) {
  auto p = ParsePolicyText(text);
  INFO(std::string(text));
  REQUIRE(p.ok());
  return p.value();
}

inline Escalation At(const Policy& p, int step, EscalationState s = EscalationState::kRunning,
                     bool alert_open = true) {
  return Escalation{p, step, s, alert_open};
}

inline PendingRecipient Reached(std::int64_t id, std::int64_t reached_ms, bool active = true,
                                bool has_backup = true) {
  return {id, DeliveryState::kDelivered, reached_ms, active, has_backup};
}

inline PendingRecipient InState(std::int64_t id, DeliveryState s, bool has_backup = true) {
  return {id, s, 0, true, has_backup};
}

inline EscalationFacts Going(std::int64_t n) {
  EscalationFacts f;
  f.going = n;
  return f;
}

inline EscalationFacts With(std::vector<PendingRecipient> recipients) {
  EscalationFacts f;
  f.recipients = std::move(recipients);
  return f;
}

// Whether `a` does nothing at all (what it says for the log aside).
inline bool Nothing(const EscalationActions& a) {
  return !a.start_step && !a.new_state && !a.cancel_deadlines && !a.stand_down &&
         a.remind.empty() && a.call_backups.empty() && a.call.empty() && a.deadlines.empty();
}

inline Ids Sorted(Ids ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace
