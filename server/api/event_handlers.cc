// GET /v1/networks/{slug}/alerts/{id}/events: Server-Sent Events of one alert as it happens —
// `delivery` (a delivery changed state), `answer` (a member answered), `escalation` (a step, a
// reminder round, a goal met, the trees moved) and, last, `alert` (resolved or cancelled), after
// which the stream ends. A new stream starts with a `warning` for each step that reached nobody
// so far; later ones come as they happen. Each event's data is a JSON object of ids, states, the
// member's name (for a coordinator's screen) and `at` (when it happened); never a phone number
// or a text.
//
// A dropped stream resumes with `Last-Event-ID`: the events after that id follow, once each
// (EventHub's backlog). When they cannot all be replayed, the stream starts with `reset` and the
// watcher should read the alert's state afresh (the alert, deliveries and responses endpoints).
// A stream ends with `revoked` when its token is revoked (at once when revoked through this
// server, within kRecheckEvery otherwise), and, opened with the console's cookie, when its
// session ends (at once on a logout through this server, within kRecheckEvery on expiry). A comment line every kKeepAlive keeps proxies from
// closing an idle stream; a watcher too slow to keep up gets `overflow` and the stream ends.
// A token holds at most StreamLimits::kPerToken streams, a network kPerNetwork (429 beyond).
//
// GET /v1/networks/{slug}/events: the network's own stream, by the same rules (Last-Event-ID,
// reset, revoked, keep-alive, overflow, the same caps): its reports as they are received (once
// they have an area), verified (report_verified; report_unconfirmed when raised on a timeout
// without confirmation), dismissed and merged, and its alerts as they are raised (alert_raised:
// open, not while held for approval or verification) and ended (alert_ended). Each event's data
// names the report or alert by id and code, with its kind and areas (and the alert a report
// raised or what it merged into); never a text, a name or a number.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "dispatch/store/session_store.h"
#include "dispatch/store/token_registry.h"
#include "dispatch/util/clock.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/path_ids.h"
#include "server/api/routes.h"

namespace tocsin {

namespace asio = boost::asio;
namespace json = boost::json;
using http::bhttp::status;
using http::bhttp::verb;

namespace {

constexpr std::chrono::milliseconds kPollEvery{100};
constexpr std::chrono::seconds kKeepAlive{15};
constexpr std::chrono::seconds kRecheckEvery{30};

// One open stream: whom it is for and the names it has looked up.
class EventStream {
 public:
  EventStream(App& app, Scope scope, std::shared_ptr<EventHub::Subscription> sub, std::string opening,
              bool ended_at_start, std::string end_status)
      : app_(app), scope_(std::move(scope)), sub_(std::move(sub)), opening_(std::move(opening)),
        ended_at_start_(ended_at_start), end_status_(std::move(end_status)) {}

  asio::awaitable<void> Run(http::StreamWriter& out) {
    std::string head = ": watching\n\n" + opening_;
    if (sub_->gap()) head += "event: reset\ndata: {}\n\n";
    if (!co_await out.Write(std::move(head))) co_return;
    asio::steady_timer tick(co_await asio::this_coro::executor);
    auto quiet_since = std::chrono::steady_clock::now();
    auto checked_at = quiet_since;
    std::vector<AlertEvent> events;
    for (;;) {
      events.clear();
      bool keeping_up = sub_->Take(events);
      if (!events.empty()) {
        auto parsed = Parse(events);
        co_await LookUpNames(parsed);
        std::string text;
        bool last = false;
        for (auto& e : parsed) {
          text += Frame(e);
          if (e.event->type == "alert") {
            last = true;
            break;
          }
        }
        if (!co_await out.Write(std::move(text)) || last) co_return;
        quiet_since = std::chrono::steady_clock::now();
      }
      if (ended_at_start_) {  // ended before the stream opened: its final event, then the end
        co_await out.Write("event: alert\ndata: " + AlertEndedEventJson(end_status_) + "\n\n");
        co_return;
      }
      if (!keeping_up) {
        co_await out.Write("event: overflow\ndata: {}\n\n");
        co_return;
      }
      if (out.Gone()) co_return;  // its place (StreamLimits) is free at once
      auto now = std::chrono::steady_clock::now();
      bool recheck = now - checked_at > kRecheckEvery;
      if (recheck) checked_at = now;
      if (co_await Revoked(recheck)) {
        co_await out.Write("event: revoked\ndata: {}\n\n");
        co_return;
      }
      if (now - quiet_since > kKeepAlive) {
        if (!co_await out.Write(": keep-alive\n\n")) co_return;
        quiet_since = now;
      }
      tick.expires_after(kPollEvery);
      co_await tick.async_wait(asio::use_awaitable);
    }
  }

 private:
  // Whether the stream's token was revoked: through this server (known at once), or, with
  // `ask_database`, anywhere. A database that cannot answer keeps the stream open.
  asio::awaitable<bool> Revoked(bool ask_database) {
    if (!scope_.caller.token) co_return false;
    auto id = scope_.caller.token->id;
    if (app_.revoked.Has(id)) co_return true;
    if (scope_.caller.by_session && app_.ended_sessions.Has(scope_.caller.session_row)) co_return true;
    if (!ask_database) co_return false;
    try {
      co_return !co_await app_.db.Run([this, id](pqxx::connection& c) {
        if (scope_.caller.by_session) {
          pqxx::work tx(c);  // the session's check records the token's use, as a request does
          bool open = SessionOpen(tx, app_.cipher, scope_.caller.session_id);
          tx.commit();
          return open;
        }
        pqxx::read_transaction tx(c);
        return TokenActive(tx, id);
      });
    } catch (const std::exception&) {
      co_return false;
    }
  }

  // An event with its data read once, and the member it names, if any.
  struct ParsedEvent {
    const AlertEvent* event;
    json::object data;
    std::optional<std::int64_t> member;
  };

  static std::vector<ParsedEvent> Parse(const std::vector<AlertEvent>& events) {
    std::vector<ParsedEvent> out;
    for (const auto& e : events) {
      ParsedEvent p{&e, json::parse(e.json).as_object(), std::nullopt};
      if (e.type == "delivery" || e.type == "answer") {
        if (const auto* id = p.data.if_contains("member_id"); id && id->is_int64()) p.member = id->as_int64();
      }
      out.push_back(std::move(p));
    }
    return out;
  }

  // Fills names_ for the members the events name that it does not know yet.
  asio::awaitable<void> LookUpNames(const std::vector<ParsedEvent>& events) {
    std::vector<std::int64_t> missing;
    for (const auto& e : events) {
      if (e.member && !names_.count(*e.member)) missing.push_back(*e.member);
    }
    if (missing.empty()) co_return;
    auto network_id = scope_.network.id;
    std::unordered_map<std::int64_t, std::optional<std::string>> found;
    try {
      found = co_await app_.db.Run([&](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        return app_.members.Names(tx, network_id, missing);
      });
    } catch (const std::exception&) {
      co_return;  // names are a courtesy: the events go out without them
    }
    for (auto id : missing) names_[id] = found.count(id) ? found[id] : std::nullopt;
  }

  std::string Frame(ParsedEvent& e) const {
    e.data["at"] = Rfc3339Utc(e.event->at_ms);
    if (e.member) {
      auto it = names_.find(*e.member);
      e.data["name"] = it != names_.end() && it->second ? json::value(*it->second) : json::value(nullptr);
    }
    return "id: " + std::to_string(e.event->id) + "\nevent: " + e.event->type + "\ndata: " + json::serialize(e.data) +
           "\n\n";
  }

  App& app_;
  Scope scope_;
  std::shared_ptr<EventHub::Subscription> sub_;
  std::string opening_;  // frames to send before the first event
  bool ended_at_start_;
  std::string end_status_;
  std::unordered_map<std::int64_t, std::optional<std::string>> names_;
};

// The id in a Last-Event-ID header, if it is one of ours (digits).
std::optional<std::uint64_t> LastEventId(const http::Request& req) {
  auto header = req["Last-Event-ID"];
  if (header.empty() || header.size() > 20) return std::nullopt;
  std::uint64_t id = 0;
  for (char ch : header) {
    if (ch < '0' || ch > '9') return std::nullopt;
    id = id * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  return id;
}

// The caller's place among the network's streams (StreamLimits); 429 when there is none.
StreamLimits::Slot TakeSlot(App& app, const Scope& scope) {
  auto slot = app.streams.Take(scope.caller.token ? scope.caller.token->id : 0, scope.network.id);
  if (!slot) {
    throw ApiError(Error{ErrorCode::kTooMany,
                         "too many live streams: at most " + std::to_string(StreamLimits::kPerToken) +
                             " per token and " + std::to_string(StreamLimits::kPerNetwork) + " per network",
                         ""});
  }
  return slot;
}

// Answers `ctx` with `stream`, which runs for as long as the client reads it, holding `slot`.
http::Response Streaming(http::RequestContext& ctx, std::shared_ptr<EventStream> stream, StreamLimits::Slot slot) {
  // The slot is held as long as the stream (the session keeps this function while it runs).
  ctx.stream = [stream, slot](http::StreamWriter& out) { return stream->Run(out); };
  http::Response res{status::ok, ctx.req.version()};
  res.set(http::bhttp::field::content_type, "text/event-stream");
  res.set(http::bhttp::field::cache_control, "no-store");
  res.set("X-Accel-Buffering", "no");  // nginx: pass events through as they come
  return res;
}

asio::awaitable<http::Response> AlertEventsHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto alert_id = PathId(ctx, "id");
  auto network_id = scope.network.id;
  if (!co_await app.db.Run([&](pqxx::connection& c) {
        pqxx::read_transaction tx(c);
        return AlertInNetwork(tx, network_id, alert_id);
      })) {
    throw ApiError(Error::NotFound("no such alert"));
  }
  auto slot = TakeSlot(app, scope);
  // Subscribed before the status is read: an end after the read is an event of the stream.
  auto sub = app.events.Subscribe(alert_id, LastEventId(ctx.req));
  auto now = ValueOrThrow(co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return app.alerts.Get(tx, network_id, alert_id);
  }));
  // A fresh watcher learns first why steps reached nobody (a resuming one saw it already).
  std::string opening;
  if (!ctx.req.count("Last-Event-ID")) {
    for (const auto& w : now.warnings) opening += "event: warning\ndata: " + WarningEventJson(w) + "\n\n";
  }
  auto stream = std::make_shared<EventStream>(app, std::move(scope), std::move(sub), std::move(opening),
                                              now.status == "resolved" || now.status == "cancelled", now.status);
  co_return Streaming(ctx, std::move(stream), std::move(slot));
}

// The network's stream: never ends by itself (no event of it is an `alert`).
asio::awaitable<http::Response> NetworkEventsHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto slot = TakeSlot(app, scope);
  auto sub = app.events.Subscribe(NetworkKey(scope.network.id), LastEventId(ctx.req));
  auto stream = std::make_shared<EventStream>(app, std::move(scope), std::move(sub), "", false, "");
  co_return Streaming(ctx, std::move(stream), std::move(slot));
}

}  // namespace

void AddEventRoutes(http::Router& router, App& app) {
  router.Add(verb::get, "/v1/networks/{slug}/alerts/{id}/events",
             [&app](http::RequestContext& c) { return AlertEventsHandler(app, c); });
  router.Add(verb::get, "/v1/networks/{slug}/events",
             [&app](http::RequestContext& c) { return NetworkEventsHandler(app, c); });
}

}  // namespace tocsin
