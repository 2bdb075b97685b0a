#include "dispatch/model/escalation_rules.h"

#include <algorithm>
#include <array>
#include <utility>

namespace tocsin {
namespace {

constexpr std::array<std::pair<EscalationState, std::string_view>, 4> kStates = {{
    {EscalationState::kRunning, "running"},
    {EscalationState::kGoalMet, "goal_met"},
    {EscalationState::kExhausted, "exhausted"},
    {EscalationState::kStopped, "stopped"},
}};
constexpr std::array<std::pair<DeadlineKind, std::string_view>, 5> kKinds = {{
    {DeadlineKind::kStep, "step"},
    {DeadlineKind::kReminder, "reminder"},
    {DeadlineKind::kBackup, "backup"},
    {DeadlineKind::kTree, "tree"},
    {DeadlineKind::kCall, "call"},
}};

template <typename E, std::size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
  for (const auto& [value, name] : table) {
    if (value == v) return name;
  }
  return table[0].second;
}

template <typename E, std::size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [value, name] : table) {
    if (name == s) return value;
  }
  return std::nullopt;
}

// A step waits only if another step follows it (rule 1).
std::optional<Deadline> StepDeadline(const Policy& p, int step, std::int64_t now_ms) {
  const auto& s = p.steps[static_cast<std::size_t>(step)];
  if (!s.wait_ms || static_cast<std::size_t>(step) + 1 >= p.steps.size()) return std::nullopt;
  return Deadline{DeadlineKind::kStep, step, now_ms + *s.wait_ms};
}

void GoalMet(const Escalation& e, EscalationActions& out) {
  out.new_state = EscalationState::kGoalMet;
  out.cancel_deadlines = true;
  out.stand_down = e.policy.stand_down;
  out.what = "goal_met";
}

// A step's call deadline (rule 8), when it has a ladder.
std::optional<Deadline> CallDeadline(const Policy& p, int step, std::int64_t now_ms) {
  const auto& s = p.steps[static_cast<std::size_t>(step)];
  if (!s.call_after_ms) return std::nullopt;
  return Deadline{DeadlineKind::kCall, 0, now_ms + *s.call_after_ms};
}

// Rules 5, 6 and 8 for one kind of recipient deadline. A call's delay is each recipient's own.
void DueRecipients(DeadlineKind kind, std::int64_t delay_ms, const EscalationFacts& f, std::int64_t now_ms,
                   std::vector<std::int64_t>& due, EscalationActions& out) {
  std::optional<std::int64_t> next;
  for (const auto& r : f.recipients) {
    if (kind == DeadlineKind::kBackup ? !r.has_backup : !r.active) continue;
    if (kind == DeadlineKind::kCall) delay_ms = r.call_after_ms;
    std::optional<std::int64_t> at;
    if (IsReached(r.state)) {
      at = r.reached_ms + delay_ms;
    } else if (IsFailed(r.state)) {
      at = kind == DeadlineKind::kBackup ? std::optional<std::int64_t>(now_ms) : std::nullopt;
    } else if (IsUnsent(r.state)) {
      next = std::min(next.value_or(now_ms + delay_ms), now_ms + delay_ms);
      continue;
    }
    if (!at) continue;
    if (*at <= now_ms) {
      due.push_back(r.delivery_id);
    } else {
      next = std::min(next.value_or(*at), *at);
    }
  }
  if (next) out.deadlines.push_back({kind, 0, std::max(*next, now_ms + kMinRearmMs)});
}

}  // namespace

std::string_view EscalationStateName(EscalationState s) { return NameOf(kStates, s); }
std::optional<EscalationState> ParseEscalationState(std::string_view s) { return Parse<EscalationState>(kStates, s); }
std::string_view DeadlineKindName(DeadlineKind k) { return NameOf(kKinds, k); }
std::optional<DeadlineKind> ParseDeadlineKind(std::string_view s) { return Parse<DeadlineKind>(kKinds, s); }

bool Escalation::UsesTrees() const {
  return std::any_of(policy.steps.begin(), policy.steps.end(),
                     [](const PolicyStep& s) { return s.audience.scope == AreaScope::kTree; });
}

EscalationState StartState(const Policy& p) {
  return p.steps.size() > 1 ? EscalationState::kRunning : EscalationState::kExhausted;
}

bool StepGoalMet(const Policy& p, int step, const EscalationFacts& f) {
  if (step < 0 || static_cast<std::size_t>(step) >= p.steps.size()) return false;
  const auto& s = p.steps[static_cast<std::size_t>(step)];
  if (s.until_going && f.going >= *s.until_going) return true;
  return s.until_confirmed && s.audience.tree && f.tree_confirmed;
}

EscalationActions Decide(const Escalation& e, Trigger t, int timer_step, const EscalationFacts& f,
                         std::int64_t now_ms) {
  EscalationActions out;
  const auto& p = e.policy;
  if (t == Trigger::kStart) {
    out.start_step = 0;
    out.new_state = StartState(p);
    if (auto d = StepDeadline(p, 0, now_ms)) out.deadlines.push_back(*d);
    if (p.reminder_after_ms) out.deadlines.push_back({DeadlineKind::kReminder, 0, now_ms + *p.reminder_after_ms});
    if (auto b = EffectiveBackupAfterMs(p)) out.deadlines.push_back({DeadlineKind::kBackup, 0, now_ms + *b});
    if (auto c = CallDeadline(p, 0, now_ms)) out.deadlines.push_back(*c);
    out.what = "step 0";
    return out;
  }
  out.what = "stale";
  if (!e.Live()) return out;
  switch (t) {
    case Trigger::kStart:
      break;
    case Trigger::kStepDeadline: {
      if (e.state != EscalationState::kRunning || e.step != timer_step ||
          static_cast<std::size_t>(e.step) + 1 >= p.steps.size()) {
        return out;
      }
      int next = e.step + 1;
      // The ending step's goal, or the next one's already (no need to contact its audience). A
      // tree that has not started cannot be confirmed: only the next step's `going` counts.
      const auto& upcoming = p.steps[static_cast<std::size_t>(next)];
      if (StepGoalMet(p, e.step, f) || (upcoming.until_going && f.going >= *upcoming.until_going)) {
        GoalMet(e, out);
        return out;
      }
      out.start_step = next;
      if (auto d = StepDeadline(p, next, now_ms)) out.deadlines.push_back(*d);
      // The new audience is owed reminders and backups too. A pending deadline of the kind will
      // find them when it fires (rule 6 looks at everyone pending); one that ran dry is started
      // again.
      if (p.reminder_after_ms && !f.reminder_pending) {
        out.deadlines.push_back({DeadlineKind::kReminder, 0, now_ms + *p.reminder_after_ms});
      }
      if (auto b = EffectiveBackupAfterMs(p); b && !f.backup_pending) {
        out.deadlines.push_back({DeadlineKind::kBackup, 0, now_ms + *b});
      }
      if (auto c = CallDeadline(p, next, now_ms); c && !f.call_pending) out.deadlines.push_back(*c);
      if (static_cast<std::size_t>(next) + 1 >= p.steps.size()) out.new_state = EscalationState::kExhausted;
      out.what = "step " + std::to_string(next);
      return out;
    }
    case Trigger::kAnswers:
      if (StepGoalMet(p, e.step, f)) {
        GoalMet(e, out);
      } else {
        out.what = "checked";
      }
      return out;
    case Trigger::kReminderDeadline:
      if (!p.reminder_after_ms) return out;
      DueRecipients(DeadlineKind::kReminder, *p.reminder_after_ms, f, now_ms, out.remind, out);
      out.what = "reminded " + std::to_string(out.remind.size());
      return out;
    case Trigger::kCallDeadline:
      DueRecipients(DeadlineKind::kCall, 0, f, now_ms, out.call, out);
      out.what = "called " + std::to_string(out.call.size());
      return out;
    case Trigger::kBackupDeadline:
    case Trigger::kFailures: {
      auto after = EffectiveBackupAfterMs(p);
      if (!after) return out;
      if (t == Trigger::kBackupDeadline) {
        DueRecipients(DeadlineKind::kBackup, *after, f, now_ms, out.call_backups, out);
      } else {
        for (const auto& r : f.recipients) {
          if (r.has_backup && IsFailed(r.state)) out.call_backups.push_back(r.delivery_id);
        }
      }
      out.what = "backups called " + std::to_string(out.call_backups.size());
      return out;
    }
  }
  return out;
}

}  // namespace tocsin
