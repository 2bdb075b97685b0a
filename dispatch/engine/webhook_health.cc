#include "dispatch/engine/webhook_health.h"

#include "dispatch/store/network_registry.h"
#include "dispatch/store/webhook_health_store.h"

namespace tocsin {

std::int64_t WebhookHealth::Record(pqxx::work& tx, const std::vector<Transition>& batch, std::int64_t now_ms) const {
  std::int64_t queued = 0;
  for (const auto& t : batch) {
    if (!t.attempt_endpoint) continue;
    RecordEndpointAttempt(tx, *t.attempt_endpoint, t.state == "delivered", now_ms);
    if (!t.exhausted) continue;
    auto notice = ClaimFailureNotice(tx, *t.attempt_endpoint, t.delivery_id);
    if (!notice) continue;
    auto net = FindNetworkById(tx, notice->network_id);
    if (!net) continue;
    auto alert = alerts_.Get(tx, net->id, notice->alert_id);
    if (!alert.ok()) continue;
    queued += fanout_.TellCoordinators(tx, *net, alert.value(), "webhook_failed", notice->organisation_name);
  }
  return queued;
}

}  // namespace tocsin
