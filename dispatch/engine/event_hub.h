// EventHub: what happens to an alert, as it happens, for whoever watches it (the dashboards'
// Server-Sent Events stream). Publishers — the delivery writer once a transition or answer is
// committed, status callbacks, the escalator — call Publish; each watcher holds a Subscription
// to one alert and takes the events queued for it.
//
// Events are a type ("delivery", "answer", "escalation") and a JSON object. Nothing secret goes
// in: ids, states and answers, never a phone number or a text. Delivery is best effort and live
// only: a watcher sees what happens after it subscribed; a watcher that falls kMaxQueued events
// behind is cut off (Overflowed) and should reconnect and read the alert's state afresh.
//
// Thread safety: every member is safe to call from any thread. Publish costs one atomic load
// when nobody watches anything.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tocsin {

struct AlertEvent {
  std::uint64_t id = 0;  // increasing across the hub (an SSE `id:`)
  std::string type;
  std::string json;
};

class EventHub {
 public:
  static constexpr std::size_t kMaxQueued = 10000;

  class Subscription {
   public:
    // Moves the queued events into `out` (appending). False once the watcher overflowed.
    bool Take(std::vector<AlertEvent>& out);

   private:
    friend class EventHub;
    std::mutex mu_;
    std::deque<AlertEvent> queue_;
    bool overflowed_ = false;
  };

  // Watches `alert_id` until the returned handle is released.
  std::shared_ptr<Subscription> Subscribe(std::int64_t alert_id);
  void Publish(std::int64_t alert_id, const std::string& type, const std::string& json);
  // Whether anyone watches the alert (to skip building an event nobody reads).
  bool Watched(std::int64_t alert_id) const;

 private:
  void Unsubscribe(std::int64_t alert_id, Subscription* s);

  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, std::vector<Subscription*>> by_alert_;
  std::atomic<int> watchers_{0};
  std::uint64_t next_id_ = 1;  // under mu_
};

// The JSON of the events this code base publishes.
std::string DeliveryEventJson(std::int64_t delivery_id, std::int64_t member_id, const std::string& state,
                              const std::optional<std::string>& error_code);
std::string AnswerEventJson(std::int64_t member_id, const std::string& answer);
std::string EscalationEventJson(const std::string& what);

}  // namespace tocsin
