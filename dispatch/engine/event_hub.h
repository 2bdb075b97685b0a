// EventHub: what happens to an alert, as it happens, for whoever watches it (the dashboards'
// Server-Sent Events stream). Publishers — the delivery writer once a transition or answer is
// committed, status callbacks, the escalator, the end of an alert — call Publish; each watcher
// holds a Subscription to one alert and takes the events queued for it.
//
// Events are a type ("delivery", "answer", "escalation", "warning", "alert") and a JSON object. Nothing
// secret goes in: ids, states and answers, never a phone number, a name or a text.
//
// A network's own stream (GET /v1/networks/{slug}/events: its reports and the start and end of
// its alerts) is kept the same way under NetworkKey(network_id), which no alert id can be.
//
// Resuming: once an alert has been watched, the hub keeps its last kBacklog events (even while
// nobody watches) until kKeepEnded after the alert's final "alert" event, or kKeepIdle after its
// last watcher left. A watcher that reconnects with the id of the last event it saw (SSE
// `Last-Event-ID`) gets every later event once, in order. When the hub cannot promise that (the
// events after that id were dropped, or were never kept: another process, an alert nobody
// watched), the subscription starts with `gap` set and the watcher should read the alert's state
// afresh. Ids increase across the hub and start from the wall clock in microseconds, so an id
// from an earlier process is never mistaken for a current one.
//
// A watcher that falls kMaxQueued events behind is cut off (overflowed).
//
// Thread safety: every member is safe to call from any thread. Publish costs one atomic load
// while no alert is watched or kept.
#pragma once

#include <atomic>
#include <chrono>
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
  std::int64_t at_ms = 0;  // wall clock, Unix ms, when published
};

// The key of network `network_id`'s stream (alert ids are positive).
inline std::int64_t NetworkKey(std::int64_t network_id) { return -network_id; }

// An event of a network's stream, for publishing later (after its transaction commits).
struct NetworkEvent {
  std::int64_t network_id = 0;
  std::string type;
  std::string json;
};

class EventHub {
 public:
  static constexpr std::size_t kMaxQueued = 10000;
  static constexpr std::size_t kBacklog = 2000;
  static constexpr std::size_t kMaxKept = 1000;  // alerts with a backlog
  static constexpr std::chrono::minutes kKeepEnded{10};
  static constexpr std::chrono::minutes kKeepIdle{60};

  EventHub();

  class Subscription {
   public:
    // Moves the queued events into `out` (appending). False once the watcher overflowed.
    bool Take(std::vector<AlertEvent>& out);
    // True when the events from the requested resume point could not all be replayed.
    bool gap() const { return gap_; }

   private:
    friend class EventHub;
    std::mutex mu_;
    std::deque<AlertEvent> queue_;
    bool overflowed_ = false;
    bool gap_ = false;
  };

  // Watches `alert_id` until the returned handle is released. With `last_event_id`, first
  // queues the kept events after it (see Resuming).
  std::shared_ptr<Subscription> Subscribe(std::int64_t alert_id,
                                          std::optional<std::uint64_t> last_event_id = std::nullopt);
  void Publish(std::int64_t alert_id, const std::string& type, const std::string& json);
  // Publishes `e` on its network's stream.
  void Publish(const NetworkEvent& e) { Publish(NetworkKey(e.network_id), e.type, e.json); }
  // Whether anyone watches the alert or its events are kept (to skip building an event nobody
  // reads).
  bool Watched(std::int64_t alert_id) const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Kept {
    std::vector<Subscription*> watchers;
    std::deque<AlertEvent> backlog;
    std::uint64_t complete_after = 0;  // every event of the alert with a larger id is in backlog
    std::optional<SteadyTime> ended, idle_since;
  };

  void Unsubscribe(std::int64_t alert_id, Subscription* s);
  // Drops backlogs past their keeping time, and the stalest idle ones beyond kMaxKept. Under mu_.
  void Prune(SteadyTime now);

  mutable std::mutex mu_;
  std::unordered_map<std::int64_t, Kept> kept_;
  std::atomic<std::size_t> kept_count_{0};
  std::uint64_t next_id_;  // under mu_
};

// The JSON of the events this code base publishes.
std::string DeliveryEventJson(std::int64_t delivery_id, std::int64_t member_id, const std::string& state,
                              const std::optional<std::string>& error_code);
std::string AnswerEventJson(std::int64_t member_id, const std::string& answer);
std::string EscalationEventJson(const std::string& what);
// Why a step of the alert reached nobody (no person named: areas, roles, tree names).
std::string WarningEventJson(const std::string& warning);
// The final event of an alert: its status (resolved, cancelled).
std::string AlertEndedEventJson(const std::string& status);

// report_received (at receipt: no areas yet when the reporter is asked for them),
// report_located (the asked-back area arrived), report_verified, report_dismissed,
// report_merged: the report's id, code, kind and areas (never its text, never who made it), `extra` (the alert it raised, the report or
// alert it merged into, "unconfirmed") merged in.
NetworkEvent ReportNetworkEvent(std::int64_t network_id, const std::string& type, std::int64_t report_id, const std::string& code,
                                const std::string& kind, const std::vector<std::string>& areas,
                                const std::string& extra_key = "", std::int64_t extra_value = 0);
// alert_raised (`status` open) and alert_ended (resolved, cancelled): the alert's id, code,
// kind, areas and status.
NetworkEvent AlertNetworkEvent(std::int64_t network_id, const std::string& type, std::int64_t alert_id, const std::string& code,
                               const std::string& kind, const std::vector<std::string>& areas,
                               const std::string& status);

}  // namespace tocsin
