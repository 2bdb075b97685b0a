#include "dispatch/fanout/webhook_fanout.h"

#include <boost/json/serialize.hpp>

#include "dispatch/store/webhook_delivery_store.h"
#include "dispatch/util/clock.h"
#include "dispatch/util/sealed_places.h"

namespace tocsin {

namespace json = boost::json;

std::int64_t WebhookFanout::Reach(pqxx::work& tx, const Network& net, std::int64_t alert_id, int step,
                                  const PolicyAudience& audience, std::int64_t now_ms) const {
  if (!audience.ReachesOrganisations()) return 0;
  auto alert = alerts_.Get(tx, net.id, alert_id);
  if (!alert.ok()) return 0;
  OrganisationReach r;
  r.network_id = net.id;
  r.alert_id = alert_id;
  r.step = step;
  r.all = audience.organisation_scope == OrganisationScope::kAll;
  r.slugs = audience.organisations;
  r.alert_kind = alert->kind;
  r.alert_areas = alert->areas;
  auto reached = ReachOrganisations(tx, r);
  if (reached.empty()) return 0;
  std::int64_t queued = 0;
  if (WebhookWanted(tx, alert_id, "alert.raised", reached)) {
    queued = QueueFor(tx, net, alert.value(), "alert.raised", {}, now_ms, reached);
  }
  if (emails_) queued += emails_->Queue(tx, net, alert.value(), reached, now_ms);
  return queued;
}

std::int64_t WebhookFanout::ReplaceRaised(pqxx::work& tx, const Network& net, const Alert& alert, std::int64_t org,
                                          json::object fields, const EmailFanout::CaseText& email,
                                          std::int64_t now_ms) const {
  const auto removed = DeleteQueuedRaised(tx, alert.id, org);
  std::int64_t queued = 0;
  const std::vector<std::int64_t> only = {org};
  if (removed.webhooks > 0) queued += QueueFor(tx, net, alert, "alert.raised", std::move(fields), now_ms, only);
  if (removed.emails > 0 && emails_) queued += emails_->Queue(tx, net, alert, only, now_ms, &email);
  return queued;
}

std::int64_t WebhookFanout::QueueAsk(pqxx::work& tx, const Network& net, const Alert& alert, std::int64_t org,
                                     json::object fields, const EmailFanout::CaseText& email,
                                     std::int64_t now_ms) const {
  std::int64_t queued = 0;
  const std::vector<std::int64_t> only = {org};
  if (WebhookWanted(tx, alert.id, "case.ask", only)) {
    queued += QueueFor(tx, net, alert, "case.ask", std::move(fields), now_ms, only);
  }
  if (emails_) queued += emails_->Queue(tx, net, alert, only, now_ms, &email, "case.ask");
  return queued;
}

std::int64_t WebhookFanout::Queue(pqxx::work& tx, const Network& net, const Alert& alert, const std::string& type,
                                  json::object fields, std::int64_t now_ms) const {
  if (!WebhookWanted(tx, alert.id, type)) return 0;
  return QueueFor(tx, net, alert, type, std::move(fields), now_ms, std::nullopt);
}

std::int64_t WebhookFanout::Queue(pqxx::work& tx, const Network& net, std::int64_t alert_id, const std::string& type,
                                  json::object fields, std::int64_t now_ms) const {
  if (!WebhookWanted(tx, alert_id, type)) return 0;
  return QueueWanted(tx, net, alert_id, type, std::move(fields), now_ms);
}

std::int64_t WebhookFanout::QueueWanted(pqxx::work& tx, const Network& net, std::int64_t alert_id,
                                        const std::string& type, json::object fields, std::int64_t now_ms) const {
  auto alert = alerts_.Get(tx, net.id, alert_id);
  if (!alert.ok()) return 0;
  return QueueFor(tx, net, alert.value(), type, std::move(fields), now_ms, std::nullopt);
}

std::unordered_set<std::int64_t> WebhookFanout::Wanting(pqxx::work& tx, const std::vector<std::int64_t>& alert_ids,
                                                        const std::string& type) const {
  return AlertsWantingWebhook(tx, alert_ids, type);
}

std::int64_t WebhookFanout::QueueWanted(pqxx::work& tx, std::int64_t network_id, std::int64_t alert_id,
                                        const std::string& type, json::object fields, std::int64_t now_ms) const {
  auto net = FindNetworkById(tx, network_id);
  if (!net) return 0;
  return QueueWanted(tx, *net, alert_id, type, std::move(fields), now_ms);
}

std::int64_t WebhookFanout::QueueFor(pqxx::work& tx, const Network& net, const Alert& alert, const std::string& type,
                                     json::object fields, std::int64_t now_ms,
                                     const std::optional<std::vector<std::int64_t>>& only) const {
  json::object data{{"network", net.slug}, {"alert", AlertJson(alert)}};
  for (auto& kv : fields) data[kv.key()] = std::move(kv.value());
  json::object body{{"type", type}, {"timestamp", Rfc3339Utc(now_ms)}, {"data", std::move(data)}};
  WebhookEvent e;
  e.network_id = net.id;
  e.alert_id = alert.id;
  e.type = type;
  e.message_id = NewToken("msg_");
  e.body_sealed = cipher_.Seal(json::serialize(body), places::WebhookBody(net.id, e.message_id));
  e.now_ms = now_ms;
  return QueueWebhookEvent(tx, e, only);
}

}  // namespace tocsin
