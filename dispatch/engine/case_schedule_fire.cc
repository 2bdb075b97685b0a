#include "dispatch/engine/case_schedule_fire.h"

#include "dispatch/store/case_schedule_store.h"
#include "dispatch/store/network_registry.h"

namespace tocsin {

EscalationOutcome CaseScheduleFire::Fire(pqxx::work& tx, std::int64_t timer_id, std::int64_t now_ms) const {
  EscalationOutcome out;
  auto locked = LockScheduleTimer(tx, timer_id);
  if (!locked) {
    out.what = "stale";
    return out;
  }
  out.alert_id = locked->alert_id;
  if (locked->status == "pending_approval") {
    out.what = "held";
    return out;
  }
  const auto due = TakeDueEntries(tx, locked->alert_id, now_ms);
  if (locked->status != "open") {
    out.what = "ended";
    return out;
  }
  auto net = FindNetworkById(tx, locked->network_id);
  auto c = cases_.Get(tx, locked->network_id, locked->case_id);
  auto contacts = cases_.Contacts(tx, locked->network_id, locked->case_id);
  auto alert = alerts_.Get(tx, locked->network_id, locked->alert_id);
  if (!net || !c.ok() || !contacts.ok() || !alert.ok()) {
    out.what = "ended";  // the case or network is gone: nothing to ask of anyone
    return out;
  }
  const auto schedule = EffectiveSchedule(locked->policy);
  const auto deadline = locked->deadline.empty() ? "" : alerts_.DeadlineText(tx, locked->deadline);
  out.what = "schedule";
  for (int step : due) {
    if (step < 0 || static_cast<std::size_t>(step) >= schedule.size()) continue;
    const auto asked =
        texts_.QueueAsk(tx, *net, alert.value(), c.value(), step, schedule[step], deadline, contacts.value(), now_ms);
    out.queued += asked.members + asked.organisations;
    if (asked.organisations > 0) out.webhooks = true;
    out.what += " " + std::to_string(step);
  }
  return out;
}

}  // namespace tocsin
