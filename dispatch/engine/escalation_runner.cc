#include "dispatch/engine/escalation_runner.h"

#include "dispatch/store/network_registry.h"
#include "dispatch/store/tree_run_store.h"

namespace tocsin {

EscalationFacts EscalationRunner::GoalFacts(pqxx::transaction_base& tx, std::int64_t alert_id,
                                            const Escalation& e) const {
  EscalationFacts f;
  f.going = GoingCount(tx, alert_id);
  if (e.step >= 0 && static_cast<std::size_t>(e.step) < e.policy.steps.size()) {
    const auto& tree = e.policy.steps[static_cast<std::size_t>(e.step)].audience.tree;
    if (tree) f.tree_confirmed = TreeConfirmed(tx, alert_id, *tree);
  }
  return f;
}

void EscalationRunner::MoveTrees(pqxx::work& tx, const Network& net, std::int64_t alert_id, const Escalation& e,
                                 std::int64_t now_ms, EscalationOutcome& out) const {
  if (!e.UsesTrees()) return;
  auto moved = mover_.Move(tx, net, alert_id, now_ms);
  out.queued += moved.queued;
  if (moved.queued > 0) out.queued += fanout_.TextBesideCalls(tx, net, alert_id);
  if (moved.timer) out.timers.push_back(*moved.timer);
}

void EscalationRunner::Warn(pqxx::work& tx, std::int64_t alert_id, std::size_t step,
                            const std::vector<PolicyAudience>& audiences, EscalationOutcome& out) const {
  auto areas = alerts_.Areas(tx, alert_id);
  std::vector<std::string> warnings;
  for (const auto& a : audiences) {
    warnings.push_back((step == 0 ? "" : "step " + std::to_string(step + 1) + ": ") + NobodyReached(a, areas));
  }
  alerts_.AddWarnings(tx, alert_id, warnings);
  out.warnings.insert(out.warnings.end(), warnings.begin(), warnings.end());
}

void EscalationRunner::Apply(pqxx::work& tx, const Network& net, std::int64_t alert_id, const Escalation& e,
                             const EscalationActions& a,
                             const std::optional<std::vector<PolicyAudience>>& first_step, std::int64_t now_ms,
                             EscalationOutcome& out) const {
  const auto queued_before = out.queued;
  out.what = a.what;
  if (a.new_state) SetEscalationState(tx, alert_id, *a.new_state);
  if (a.cancel_deadlines) CancelDeadlines(tx, alert_id);
  for (const auto& d : a.deadlines) out.timers.push_back(InsertDeadline(tx, alert_id, d));
  if (a.start_step) {
    auto step = static_cast<std::size_t>(*a.start_step);
    if (step > 0) SetEscalationStep(tx, alert_id, *a.start_step, now_ms);
    auto audiences = step == 0 && first_step ? *first_step
                                             : std::vector<PolicyAudience>{e.policy.steps[step].audience};
    std::int64_t reached = 0;
    for (const auto& audience : audiences) {
      if (audience.scope == AreaScope::kTree) {
        auto started = mover_.Start(tx, net, alert_id, audience.tree.value_or(""), e.policy.steps[step].channel, now_ms);
        reached += started.queued;
        if (started.timer) out.timers.push_back(*started.timer);
      } else {
        reached += fanout_.QueueAudience(tx, net, alert_id, audience, e.policy.steps[step].channel,
                                         e.policy.steps[step].call_after_ms);
      }
    }
    out.queued += reached;
    // Organisations after members: alert.raised carries the alert's recipients so far.
    for (const auto& audience : audiences) {
      reached += webhooks_.Reach(tx, net, alert_id, *a.start_step, audience, now_ms);
    }
    out.webhooks = reached > out.queued;
    if (reached == 0) Warn(tx, alert_id, step, audiences, out);
    // After Reach, so an organisation this step reached hears of the alert before the step.
    if (step > 0) {
      out.webhooks = webhooks_.Queue(tx, net, alert_id, "escalation.step", {{"step", *a.start_step}}, now_ms) > 0 ||
                     out.webhooks;
    }
  }
  if (!a.remind.empty() || !a.call.empty() || a.stand_down) {
    auto alert = alerts_.Get(tx, net.id, alert_id);
    if (alert.ok()) {
      out.queued += fanout_.Remind(tx, net, alert.value(), a.remind);
      out.queued += fanout_.CallTexted(tx, net, alert.value(), a.call);
      if (a.stand_down) out.queued += fanout_.StandDown(tx, net, alert.value());
    }
  }
  out.queued += fanout_.CallBackups(tx, net, alert_id, a.call_backups);
  if (out.queued > queued_before) out.queued += fanout_.TextBesideCalls(tx, net, alert_id);
  if (a.new_state == EscalationState::kGoalMet) out.ended = true;
}

EscalationOutcome EscalationRunner::Start(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                          const Policy& policy,
                                          const std::optional<std::vector<PolicyAudience>>& first_step,
                                          std::int64_t now_ms) const {
  EscalationOutcome out;
  out.alert_id = alert_id;
  InsertEscalation(tx, alert_id, policy, now_ms);
  Escalation e{policy, 0, StartState(policy), true};
  auto start = Decide(e, Trigger::kStart, 0, {}, now_ms);
  start.new_state.reset();  // inserted with it just now
  Apply(tx, net, alert_id, e, start, first_step, now_ms, out);
  return out;
}

EscalationOutcome EscalationRunner::Fire(pqxx::work& tx, std::int64_t timer_id, std::int64_t now_ms) const {
  EscalationOutcome out;
  out.what = "stale";  // fired already, cancelled, or its escalation is over: nothing fires twice
  auto fired = LockDeadline(tx, timer_id);
  if (!fired) return out;
  out.alert_id = fired->alert_id;
  const auto& e = fired->locked.escalation;
  if (!e.Live()) return out;
  auto net = FindNetworkById(tx, fired->locked.network_id);
  if (!net) return out;
  if (fired->kind == DeadlineKind::kTree) {
    MoveTrees(tx, *net, fired->alert_id, e, now_ms, out);
    out.what = "trees moved";
    return out;
  }
  Trigger t = fired->kind == DeadlineKind::kStep       ? Trigger::kStepDeadline
              : fired->kind == DeadlineKind::kReminder ? Trigger::kReminderDeadline
              : fired->kind == DeadlineKind::kCall     ? Trigger::kCallDeadline
                                                       : Trigger::kBackupDeadline;
  EscalationFacts facts;
  if (t == Trigger::kStepDeadline) {
    facts = GoalFacts(tx, fired->alert_id, e);
    facts.reminder_pending = EarliestDeadline(tx, fired->alert_id, DeadlineKind::kReminder).has_value();
    facts.backup_pending = EarliestDeadline(tx, fired->alert_id, DeadlineKind::kBackup).has_value();
    facts.call_pending = EarliestDeadline(tx, fired->alert_id, DeadlineKind::kCall).has_value();
  } else {
    facts.recipients = PendingRecipients(tx, fired->alert_id, t);
  }
  Apply(tx, *net, fired->alert_id, e, Decide(e, t, fired->step, facts, now_ms), std::nullopt, now_ms, out);
  return out;
}

EscalationOutcome EscalationRunner::Check(pqxx::work& tx, std::int64_t alert_id, bool failures,
                                          std::int64_t now_ms) const {
  EscalationOutcome out;
  out.alert_id = alert_id;
  out.what = "stale";
  auto locked = LockEscalation(tx, alert_id);
  if (!locked || !locked->escalation.Live()) return out;
  const auto& e = locked->escalation;
  auto net = FindNetworkById(tx, locked->network_id);
  if (!net) return out;
  if (failures) {
    EscalationFacts f;
    f.recipients = PendingRecipients(tx, alert_id, Trigger::kFailures);
    Apply(tx, *net, alert_id, e, Decide(e, Trigger::kFailures, 0, f, now_ms), std::nullopt, now_ms, out);
  }
  MoveTrees(tx, *net, alert_id, e, now_ms, out);
  auto decided = Decide(e, Trigger::kAnswers, 0, GoalFacts(tx, alert_id, e), now_ms);
  auto what = out.what;
  Apply(tx, *net, alert_id, e, decided, std::nullopt, now_ms, out);
  if (failures && decided.what == "checked") out.what = what;
  return out;
}

}  // namespace tocsin
