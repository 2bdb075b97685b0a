// GET /v1/networks/{slug}/alerts/{id}/events: Server-Sent Events of one alert as it happens —
// `delivery` (a delivery changed state), `answer` (a member answered), `escalation` (a step, a
// reminder round, a goal met, the trees moved) and `alert` (resolved or cancelled). Each event's
// data is a JSON object of ids and states, never a phone number or a text. Live only: events from
// before the connection are read through the alert, deliveries and responses endpoints. A
// comment line every kKeepAlive keeps proxies from closing an idle stream; a watcher too slow to
// keep up gets `overflow` and the stream ends.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/path_ids.h"
#include "server/api/routes.h"

namespace tocsin {

namespace asio = boost::asio;
using http::bhttp::status;
using http::bhttp::verb;

namespace {

constexpr std::chrono::milliseconds kPollEvery{100};
constexpr std::chrono::seconds kKeepAlive{15};

std::string Frame(const AlertEvent& e) {
  return "id: " + std::to_string(e.id) + "\nevent: " + e.type + "\ndata: " + e.json + "\n\n";
}

asio::awaitable<void> StreamEvents(std::shared_ptr<EventHub::Subscription> sub, http::StreamWriter& out) {
  if (!co_await out.Write(": watching\n\n")) co_return;
  asio::steady_timer tick(co_await asio::this_coro::executor);
  auto quiet_since = std::chrono::steady_clock::now();
  std::vector<AlertEvent> events;
  for (;;) {
    events.clear();
    bool keeping_up = sub->Take(events);
    if (!events.empty()) {
      std::string text;
      for (const auto& e : events) text += Frame(e);
      if (!co_await out.Write(std::move(text))) co_return;
      quiet_since = std::chrono::steady_clock::now();
    }
    if (!keeping_up) {
      co_await out.Write("event: overflow\ndata: {}\n\n");
      co_return;
    }
    if (std::chrono::steady_clock::now() - quiet_since > kKeepAlive) {
      if (!co_await out.Write(": keep-alive\n\n")) co_return;
      quiet_since = std::chrono::steady_clock::now();
    }
    tick.expires_after(kPollEvery);
    co_await tick.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<http::Response> AlertEventsHandler(App& app, http::RequestContext& ctx) {
  auto scope = co_await Authorize(app, ctx, Permission::kReadAlerts);
  auto alert_id = PathId(ctx, "id");
  auto found = co_await app.db.Run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return AlertInNetwork(tx, scope.network.id, alert_id);
  });
  if (!found) throw ApiError(Error::NotFound("no such alert"));
  auto sub = app.events.Subscribe(alert_id);  // before the head goes out: nothing after is missed
  ctx.stream = [sub](http::StreamWriter& out) { return StreamEvents(sub, out); };
  http::Response res{status::ok, ctx.req.version()};
  res.set(http::bhttp::field::content_type, "text/event-stream");
  res.set(http::bhttp::field::cache_control, "no-store");
  res.set("X-Accel-Buffering", "no");  // nginx: pass events through as they come
  co_return res;
}

}  // namespace

void AddEventRoutes(http::Router& router, App& app) {
  router.Add(verb::get, "/v1/networks/{slug}/alerts/{id}/events",
             [&app](http::RequestContext& c) { return AlertEventsHandler(app, c); });
}

}  // namespace tocsin
