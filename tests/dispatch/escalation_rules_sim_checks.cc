// The checks of the escalation rules' generated scenarios (escalation_rules_sim.h): Sim applies
// Decide's actions to its model, checking each against the rules (rules 5 and 6 computed apart
// from Decide), and checks the invariants over a finished run (steps, goals, the bound on
// deadline fires, every reminder and backup owed given), adding it to the totals.
#include "tests/dispatch/escalation_rules_sim.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace tocsin::test::escalation_sim {

void Sim::CheckRecipientRule(Trigger t, const EscalationFacts& f, const EscalationActions& a) {
  auto kind = t == Trigger::kReminderDeadline ? DeadlineKind::kReminder : DeadlineKind::kBackup;
  const auto& acted = kind == DeadlineKind::kReminder ? a.remind : a.call_backups;
  const auto& other = kind == DeadlineKind::kReminder ? a.call_backups : a.remind;
  Expect(other.empty(), "a reminder deadline called backups or the reverse");
  auto delay = Delay(kind);
  Expect(delay.has_value(), "a deadline of a kind the policy does not have");
  if (!delay) return;
  Ids due;
  std::optional<std::int64_t> earliest;
  bool unsent = false;
  for (const auto& r : f.recipients) {
    if (kind == DeadlineKind::kReminder ? !r.active : !r.has_backup) continue;
    std::optional<std::int64_t> at;
    if (IsReached(r.state)) at = r.reached_ms + *delay;
    if (IsFailed(r.state) && kind == DeadlineKind::kBackup) at = now_;
    if (IsUnsent(r.state)) {
      unsent = true;
      earliest = std::min(earliest.value_or(kNever), now_ + *delay);
    }
    if (!at) continue;
    if (*at <= now_) {
      due.push_back(r.delivery_id);
    } else {
      earliest = std::min(earliest.value_or(kNever), *at);
    }
  }
  Expect(Sorted(acted) == Sorted(due), "the recipients acted on are not those due");
  if (!earliest) {
    Expect(a.deadlines.empty(), "a deadline re-armed for nobody");
    return;
  }
  auto want = Deadline{kind, 0, std::max(*earliest, now_ + kMinRearmMs)};
  Expect(a.deadlines == Deadlines{want}, "the next deadline is not the earliest pending one");
  if (*earliest < now_ + kMinRearmMs) ++clamped_;
  if (unsent && want.due_ms == now_ + *delay) ++unsent_rearms_;
}

void Sim::Apply(Trigger t, const EscalationActions& a) {
  if (a.new_state) {
    auto ns = *a.new_state;
    if (t == Trigger::kStart) {
      Expect(ns == StartState(p_), "start: not StartState");
    } else if (ns == EscalationState::kGoalMet) {
      Expect(t == Trigger::kStepDeadline || t == Trigger::kAnswers,
             "goal met on another trigger");
      Expect(t == Trigger::kStepDeadline ? StepDeadlineMeetsGoal(e_.step) : GoalMetNow(e_.step),
             "goal met but neither the step's goal is nor (on its deadline) the next one's");
      Expect(a.cancel_deadlines, "goal met without cancelling the deadlines");
      Expect(a.stand_down == p_.stand_down, "the stand-down is not the policy's");
      Expect(!a.start_step && a.deadlines.empty() && a.remind.empty() && a.call_backups.empty(),
             "goal met and more");
      goal_met_at_ = now_;
    } else if (ns == EscalationState::kExhausted) {
      Expect(t == Trigger::kStepDeadline && a.start_step == Last(),
             "exhausted before the last step");
    } else {
      Expect(false, "a state Decide never sets: " + std::string(EscalationStateName(ns)));
    }
    e_.state = ns;
  } else {
    Expect(!a.cancel_deadlines && !a.stand_down, "cancelled or stood down without the goal met");
  }
  if (a.cancel_deadlines) deadlines_.clear();
  for (const auto& d : a.deadlines) {
    Expect(d.due_ms > now_, "a new deadline is not later than now");
    if (d.kind == DeadlineKind::kStep) {
      Expect(t == Trigger::kStart || t == Trigger::kStepDeadline,
             "a step deadline from elsewhere");
      Expect(a.start_step == d.step && d.step < Last() && d.due_ms == now_ + Wait(d.step),
             "a step deadline not for the step started, or not its wait");
    } else if (d.kind == DeadlineKind::kReminder || d.kind == DeadlineKind::kBackup) {
      auto own = d.kind == DeadlineKind::kReminder ? Trigger::kReminderDeadline
                                                   : Trigger::kBackupDeadline;
      if (t == own) {
        Expect(d.due_ms >= now_ + kMinRearmMs, "re-armed sooner than kMinRearmMs");
      } else {
        ++chains_[static_cast<int>(d.kind)];  // a chain of such deadlines starts
        Expect(a.start_step.has_value() && d.step == 0,
               "a reminder or backup chain started with no step, or not as step 0");
        Expect(d.due_ms == now_ + Delay(d.kind).value_or(0), "a first deadline not at its delay");
      }
    } else {
      Expect(false, "a tree deadline from a policy without trees");
    }
    deadlines_.emplace(d.due_ms, Pending{d, false});
  }
  // One chain of a kind at a time: a chain starts only when none of its kind is pending, and a
  // fire re-arms at most one deadline of its kind (after it left the pending set).
  for (auto kind : {DeadlineKind::kReminder, DeadlineKind::kBackup}) {
    Expect(PendingOf(kind) <= 1, std::to_string(PendingOf(kind)) + " " +
                                     std::string(DeadlineKindName(kind)) +
                                     " deadlines pending at once");
  }
  if (a.start_step) {
    int k = *a.start_step;
    if (t == Trigger::kStart) {
      Expect(k == 0, "start: not step 0");
    } else {
      Expect(t == Trigger::kStepDeadline && k == e_.step + 1 && k <= Last(),
             "a step started out of order");
      Expect(now_ == started_at_[static_cast<std::size_t>(k - 1)] + Wait(k - 1),
             "a step started other than its predecessor's wait after it");
    }
    e_.step = k;
    started_at_.resize(static_cast<std::size_t>(k) + 1, kNever);
    started_at_[static_cast<std::size_t>(k)] = now_;
    for (std::size_t i = 0; i < people_.size(); ++i) {
      auto& m = people_[i];
      if (m.step != k) continue;
      m.created = true;
      m.created_at = now_;
      m.state = m.sending ? DeliveryState::kSending : DeliveryState::kQueued;
      events_.emplace(now_ + m.latency, Ext{Ext::kSend, i});
    }
  }
  for (auto id : a.remind) {
    auto* m = Find(id);
    Expect(m && t == Trigger::kReminderDeadline, "a reminder to whom, or when?");
    if (!m) continue;
    Expect(m->created && !m->reminded_at && m->active && !m->answered_at,
           "a reminder to one already reminded, opted out or answered");
    Expect(IsReached(m->state) && now_ >= m->reached_ms + p_.reminder_after_ms.value_or(kNever),
           "a reminder before reminder.after");
    m->reminded_at = now_;
    ++reminded_;
  }
  for (auto id : a.call_backups) {
    auto* m = Find(id);
    Expect(m && (t == Trigger::kBackupDeadline || t == Trigger::kFailures), "a backup for whom?");
    if (!m) continue;
    Expect(m->created && m->has_backup && !m->backed_up_at && !m->answered_at,
           "a backup called twice, without one, or for one who answered");
    auto after = EffectiveBackupAfterMs(p_).value_or(kNever);
    Expect(IsFailed(m->state) || (IsReached(m->state) && now_ >= m->reached_ms + after),
           "a backup called before the backup delay");
    m->backed_up_at = now_;
    ++(t == Trigger::kFailures ? backups_on_failure_ : backups_on_deadline_);
  }
}

void Sim::Finish(SimTotals& totals) {
  Expect(deadlines_.empty(), "deadlines left");
  auto stopped_at = std::min(goal_met_at_, ended_at_);  // nothing moves from then on

  // Steps: step k starts exactly at the sum of the earlier waits, unless the goal was met or
  // the alert ended by then (at that very time, step k's own goal met already stops it, rule
  // 2); an escalation left alone ends exhausted on its last step.
  std::int64_t at = s_.start_ms;
  for (int k = 1; k <= Last(); ++k) {
    at += Wait(k - 1);
    bool started = e_.step >= k;
    Expect(started == (at < stopped_at),
           "step " + std::to_string(k) + " started: " + std::to_string(started));
  }
  if (goal_met_at_ != kNever) {
    Expect(e_.state == EscalationState::kGoalMet, "goal met but not the state");
  } else if (ended_at_ == kNever) {
    Expect(e_.state == EscalationState::kExhausted && e_.step == Last(),
           "left alone, not exhausted on the last step");
  }
  // The goal of the current step is watched until the end (rules 2 and 3), also when it was
  // met before the step started.
  if (e_.Live() && GoalMetNow(e_.step)) {
    unnoticed_goals.push_back("step " + std::to_string(e_.step) + "'s goal met (" +
                              std::to_string(going_) + " going) but the escalation is " +
                              std::string(EscalationStateName(e_.state)));
    Expect(false, unnoticed_goals.back());
  }

  // The bound on fires. By rule 6 a live reminder (or backup) deadline is re-armed only for
  // the earliest recipient p still pending, at max(p's due time, now + kMinRearmMs); a
  // reached p's due time is reached + delay, an unsent p's is now + delay. Such deadlines form
  // chains (each fire sets at most one more of its kind); a chain starts at each deadline of
  // the kind that a fire of that kind did not set: the one at the start (rule 1) and one per
  // step started after step 0 while no deadline of the kind was pending (rule 2), so
  // chains = 1 + (such step starts) <= 1 + e_.step for a kind the policy has (counted by Call
  // from the model, checked against the chains Apply saw start). So a chain starts only once
  // the previous one of its kind ran dry: at most one is pending at a time (checked in Apply),
  // and a pending one takes on the audience of a step started meanwhile. Each fire of one
  // chain was armed either
  //  - for nobody in particular (the chain's first): 1;
  //  - for a reached p: by then p is due (the time is >= p's due time), so the fire acts on p,
  //    unless p stopped being pending in between (answered, opted out, failed, backed up on a
  //    failure, or acted on by a fire of another chain). Either way p is pending no more after
  //    it, and pending never comes back, so one chain arms at most one such fire per
  //    recipient: at most n (the recipients of the alert);
  //  - for an unsent u at t (due t + delay): the chain's next one for u is armed at or after
  //    this fire, so they are >= delay apart while u is unsent: at most ceil(unsent_u / delay)
  //    for u, where unsent_u is how long u waited to be sent.
  // So live fires <= chains * (1 + n + sum_u ceil(unsent_u / delay)); with every send quicker
  // than the delay that is 2n + 1 per chain. A deadline re-armed for nobody, or sooner than
  // kMinRearmMs over and over, breaks it (or the loop bound) at once.
  std::int64_t n = 0;
  for (const auto& m : people_) n += m.created ? 1 : 0;
  for (auto kind : {DeadlineKind::kReminder, DeadlineKind::kBackup}) {
    auto k = static_cast<int>(kind);
    auto delay = Delay(kind);
    if (!delay) {
      Expect(fires_[k] == 0, "fires of a kind the policy does not have");
      continue;
    }
    std::int64_t unsent = 0;
    for (const auto& m : people_) {
      if (m.created) unsent += (m.left_unsent_at - m.created_at + *delay - 1) / *delay;
    }
    std::int64_t chains = want_chains_[k];
    Expect(chains_[k] == chains && chains >= 1 && chains <= 1 + e_.step,
           std::to_string(chains_[k]) + " " + std::string(DeadlineKindName(kind)) +
               " chains started, " + std::to_string(chains) + " expected (the start and " +
               "steps started with none of the kind pending), " + std::to_string(1 + e_.step) +
               " steps started");
    auto bound = chains * (1 + n + unsent);
    Expect(live_fires_[k] <= bound, std::string(DeadlineKindName(kind)) + " deadlines fired " +
                                        std::to_string(live_fires_[k]) + " times, bound " +
                                        std::to_string(bound));
  }
  Expect(live_fires_[static_cast<int>(DeadlineKind::kStep)] <= Last(),
         "more step fires than steps");

  // Liveness: a recipient owed a reminder (or a backup) gets it within kMinRearmMs of its due
  // time, if they stayed owed it and the escalation stayed live until then, whatever step's
  // audience they are in.
  for (std::size_t i = 0; i < people_.size(); ++i) {
    const auto& m = people_[i];
    if (!m.created) continue;
    auto answered = m.answered_at.value_or(kNever);
    auto report = [&](const std::string& what) {
      auto line = Name(i) + " (step " + std::to_string(m.step) + ") " + what;
      Expect(false, line);
      if (m.step > 0) later_step_misses.push_back(line);
    };
    if (IsReached(m.state) || (m.late_fail && m.reached_ms)) {
      if (auto d = p_.reminder_after_ms) {
        auto owed_until = std::min({answered, m.stop_at, m.failed_at, stopped_at});
        auto due = m.reached_ms + *d;
        if (owed_until > due + kMinRearmMs &&
            !(m.reminded_at && *m.reminded_at < due + kMinRearmMs)) {
          report("was never reminded, due at +" + std::to_string(due - s_.start_ms));
        }
      }
      if (auto b = EffectiveBackupAfterMs(p_); b && m.has_backup) {
        auto owed_until = std::min(answered, stopped_at);
        auto due =
            m.silent_failure ? m.reached_ms + *b : std::min(m.reached_ms + *b, m.failed_at);
        if (owed_until > due + kMinRearmMs &&
            !(m.backed_up_at && *m.backed_up_at < due + kMinRearmMs)) {
          report("never had their backup called, due at +" + std::to_string(due - s_.start_ms));
        }
      }
    } else if (auto b = EffectiveBackupAfterMs(p_); b && IsFailed(m.state) && m.has_backup) {
      // On the failure; else (nobody checked) by the next backup deadline, which was armed
      // while the delivery was unsent, so at most the backup delay after the failure.
      if (!m.silent_failure && m.failed_at < stopped_at) {
        Expect(m.backed_up_at == m.failed_at,
               Name(i) + " failed but its backup was not called at once");
      } else if (m.silent_failure && m.failed_at + *b < stopped_at &&
                 !(m.backed_up_at && *m.backed_up_at <= m.failed_at + *b)) {
        report("failed unnoticed and never had their backup called");
      }
    }
  }

  ++totals.runs;
  totals.goal_met += goal_met_at_ != kNever;
  totals.exhausted += e_.state == EscalationState::kExhausted;
  totals.ended += ended_at_ != kNever;
  totals.reminded += reminded_;
  totals.backups_on_failure += backups_on_failure_;
  totals.backups_on_deadline += backups_on_deadline_;
  totals.empty_fires += empty_fires_;
  totals.clamped += clamped_;
  totals.unsent_rearms += unsent_rearms_;
  totals.stale_calls += stale_calls_;
  auto fires = fires_[0] + fires_[1] + fires_[2] + fires_[3];
  totals.fires += fires;
  totals.max_fires = std::max(totals.max_fires, fires);
  totals.later_step_misses += later_step_misses.empty() ? 0 : 1;
  totals.unnoticed_goals += unnoticed_goals.empty() ? 0 : 1;
  totals.next_goal_met += next_goal_met_;
  totals.later_chains += chains_[static_cast<int>(DeadlineKind::kReminder)] +
                         chains_[static_cast<int>(DeadlineKind::kBackup)] -
                         (p_.reminder_after_ms ? 1 : 0) - (EffectiveBackupAfterMs(p_) ? 1 : 0);
  totals.joined_chains += joined_chains_;
}

}  // namespace tocsin::test::escalation_sim
