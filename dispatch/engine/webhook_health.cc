#include "dispatch/engine/webhook_health.h"

#include "dispatch/store/email_delivery_store.h"
#include "dispatch/store/network_registry.h"
#include "dispatch/store/webhook_health_store.h"

namespace tocsin {

std::int64_t WebhookHealth::Record(pqxx::work& tx, const std::vector<Transition>& batch, std::int64_t now_ms) const {
  std::int64_t queued = 0;
  auto tell = [&](const EndpointFailureNotice& notice, const char* message_kind) {
    auto net = FindNetworkById(tx, notice.network_id);
    if (!net) return;
    auto alert = alerts_.Get(tx, net->id, notice.alert_id);
    if (!alert.ok()) return;
    queued += fanout_.TellCoordinators(tx, *net, alert.value(), message_kind, notice.organisation_name);
  };
  for (const auto& t : batch) {
    if (t.email_failed) {
      if (auto notice = EmailFailureNotice(tx, t.delivery_id)) tell(*notice, "email_failed");
      continue;
    }
    if (!t.attempt_endpoint) continue;
    RecordEndpointAttempt(tx, *t.attempt_endpoint, t.state == "delivered", now_ms);
    if (!t.exhausted) continue;
    if (auto notice = ClaimFailureNotice(tx, *t.attempt_endpoint, t.delivery_id)) tell(*notice, "webhook_failed");
  }
  return queued;
}

}  // namespace tocsin
