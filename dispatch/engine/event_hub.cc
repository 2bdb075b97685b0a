#include "dispatch/engine/event_hub.h"

#include <algorithm>

#include <boost/json.hpp>

namespace tocsin {

bool EventHub::Subscription::Take(std::vector<AlertEvent>& out) {
  std::lock_guard lock(mu_);
  for (auto& e : queue_) out.push_back(std::move(e));
  queue_.clear();
  return !overflowed_;
}

std::shared_ptr<EventHub::Subscription> EventHub::Subscribe(std::int64_t alert_id) {
  auto* raw = new Subscription;
  {
    std::lock_guard lock(mu_);
    by_alert_[alert_id].push_back(raw);
  }
  ++watchers_;
  // The hub must outlive its subscriptions (both live as long as the server).
  return std::shared_ptr<Subscription>(raw, [this, alert_id](Subscription* s) {
    Unsubscribe(alert_id, s);
    delete s;
  });
}

void EventHub::Unsubscribe(std::int64_t alert_id, Subscription* s) {
  std::lock_guard lock(mu_);
  auto it = by_alert_.find(alert_id);
  if (it == by_alert_.end()) return;
  std::erase(it->second, s);
  if (it->second.empty()) by_alert_.erase(it);
  --watchers_;
}

bool EventHub::Watched(std::int64_t alert_id) const {
  if (watchers_.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard lock(mu_);
  return by_alert_.count(alert_id) > 0;
}

void EventHub::Publish(std::int64_t alert_id, const std::string& type, const std::string& json) {
  if (watchers_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mu_);
  auto it = by_alert_.find(alert_id);
  if (it == by_alert_.end()) return;
  AlertEvent event{next_id_++, type, json};
  for (auto* s : it->second) {
    std::lock_guard sub(s->mu_);
    if (s->queue_.size() >= kMaxQueued) {
      s->overflowed_ = true;
      continue;
    }
    s->queue_.push_back(event);
  }
}

std::string DeliveryEventJson(std::int64_t delivery_id, std::int64_t member_id, const std::string& state,
                              const std::optional<std::string>& error_code) {
  boost::json::object o{{"delivery_id", delivery_id}, {"member_id", member_id}, {"state", state}};
  if (error_code) o["error_code"] = *error_code;
  return boost::json::serialize(o);
}

std::string AnswerEventJson(std::int64_t member_id, const std::string& answer) {
  return boost::json::serialize(boost::json::object{{"member_id", member_id}, {"answer", answer}});
}

std::string EscalationEventJson(const std::string& what) {
  return boost::json::serialize(boost::json::object{{"what", what}});
}

}  // namespace tocsin
