#include "dispatch/engine/event_hub.h"

#include <algorithm>

#include <boost/json.hpp>

#include "dispatch/util/clock.h"

namespace tocsin {

EventHub::EventHub()
    : next_id_(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count())) {}

bool EventHub::Subscription::Take(std::vector<AlertEvent>& out) {
  std::lock_guard lock(mu_);
  for (auto& e : queue_) out.push_back(std::move(e));
  queue_.clear();
  return !overflowed_;
}

std::shared_ptr<EventHub::Subscription> EventHub::Subscribe(std::int64_t alert_id,
                                                            std::optional<std::uint64_t> last_event_id) {
  auto* raw = new Subscription;
  {
    std::lock_guard lock(mu_);
    Prune(std::chrono::steady_clock::now());
    auto [it, fresh] = kept_.try_emplace(alert_id);
    auto& k = it->second;
    if (fresh) {
      k.complete_after = next_id_ - 1;  // nothing before this moment was kept
      kept_count_.store(kept_.size(), std::memory_order_relaxed);
    }
    k.watchers.push_back(raw);
    k.idle_since.reset();
    if (last_event_id) {
      raw->gap_ = *last_event_id < k.complete_after;
      for (const auto& e : k.backlog) {
        if (e.id > *last_event_id) raw->queue_.push_back(e);
      }
    }
  }
  // The hub must outlive its subscriptions (both live as long as the server).
  return std::shared_ptr<Subscription>(raw, [this, alert_id](Subscription* s) {
    Unsubscribe(alert_id, s);
    delete s;
  });
}

void EventHub::Unsubscribe(std::int64_t alert_id, Subscription* s) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (auto it = kept_.find(alert_id); it != kept_.end()) {
    std::erase(it->second.watchers, s);
    if (it->second.watchers.empty()) it->second.idle_since = now;
  }
  Prune(now);
}

void EventHub::Prune(SteadyTime now) {
  auto expired = [now](const Kept& k) {
    if (!k.watchers.empty()) return false;
    return (k.ended && now - *k.ended > kKeepEnded) || (k.idle_since && now - *k.idle_since > kKeepIdle);
  };
  std::erase_if(kept_, [&](const auto& kv) { return expired(kv.second); });
  while (kept_.size() > kMaxKept) {
    auto stalest = kept_.end();
    for (auto it = kept_.begin(); it != kept_.end(); ++it) {
      if (!it->second.watchers.empty()) continue;
      if (stalest == kept_.end() || it->second.idle_since < stalest->second.idle_since) stalest = it;
    }
    if (stalest == kept_.end()) break;  // every kept alert is watched
    kept_.erase(stalest);
  }
  kept_count_.store(kept_.size(), std::memory_order_relaxed);
}

bool EventHub::Watched(std::int64_t alert_id) const {
  if (kept_count_.load(std::memory_order_relaxed) == 0) return false;
  std::lock_guard lock(mu_);
  return kept_.count(alert_id) > 0;
}

void EventHub::Publish(std::int64_t alert_id, const std::string& type, const std::string& json) {
  if (kept_count_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock(mu_);
  auto it = kept_.find(alert_id);
  if (it == kept_.end()) return;
  auto& k = it->second;
  AlertEvent event{next_id_++, type, json, WallClockMs()};
  if (type == "alert") k.ended = std::chrono::steady_clock::now();
  for (auto* s : k.watchers) {
    std::lock_guard sub(s->mu_);
    if (s->queue_.size() >= kMaxQueued) {
      s->overflowed_ = true;
      continue;
    }
    s->queue_.push_back(event);
  }
  k.backlog.push_back(std::move(event));
  if (k.backlog.size() > kBacklog) {
    k.complete_after = k.backlog.front().id;
    k.backlog.pop_front();
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

std::string WarningEventJson(const std::string& warning) {
  return boost::json::serialize(boost::json::object{{"warning", warning}});
}

std::string AlertEndedEventJson(const std::string& status) {
  return boost::json::serialize(boost::json::object{{"status", status}});
}

namespace {
boost::json::array Array(const std::vector<std::string>& items) {
  boost::json::array out;
  for (const auto& i : items) out.emplace_back(i);
  return out;
}
}  // namespace

NetworkEvent ReportNetworkEvent(std::int64_t network_id, const std::string& type, std::int64_t report_id, const std::string& code,
                                const std::string& kind, const std::vector<std::string>& areas,
                                const std::string& extra_key, std::int64_t extra_value) {
  boost::json::object o{{"report_id", report_id}, {"code", code}, {"kind", kind}, {"areas", Array(areas)}};
  if (!extra_key.empty()) o[extra_key] = extra_value;
  return {network_id, type, boost::json::serialize(o)};
}

NetworkEvent AlertNetworkEvent(std::int64_t network_id, const std::string& type, std::int64_t alert_id, const std::string& code,
                               const std::string& kind, const std::vector<std::string>& areas,
                               const std::string& status) {
  return {network_id, type, boost::json::serialize(boost::json::object{
                    {"alert_id", alert_id}, {"code", code}, {"kind", kind}, {"areas", Array(areas)}, {"status", status}})};
}

}  // namespace tocsin
