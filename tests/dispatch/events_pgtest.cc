// The alert's Server-Sent Events stream through the real binary: a watcher connected before
// the alert's answers and escalation sees them as they happen, as `event:`/`data:` frames.
#include <catch2/catch.hpp>

#include <csignal>
#include <memory>
#include <vector>

#include "tests/support/alert_network.h"
#include "tests/support/eventually.h"
#include "tests/support/sse_watcher.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

using Watcher = SseWatcher;

std::string EventsPath(std::int64_t alert) {
  return "/v1/networks/demo/alerts/" + std::to_string(alert) + "/events";
}

}  // namespace

TEST_CASE("events: deliveries, answers, escalation and the end stream as they happen", "[pg][events]") {
  AlertNetwork f;
  auto member = f.AddMember(R"({"phone":"+447700900601","name":"Amal","areas":["SE15"]})");
  REQUIRE(f.c.Put("/v1/networks/demo/policies/raid", R"({"steps":[
      {"audience":{"areas":"alert"},"channel":"sms","until":{"going":1}}], "stand_down": true})").status == 200);
  auto token = f.c.bearer();
  // An alert raised, then watched: what happens next is streamed.
  auto alert = f.Raise();
  Watcher w(f.server->port(), EventsPath(alert), token);
  Eventually([&] { return w.Saw(": watching"); }, "the stream opens");
  CHECK(w.Saw("HTTP/1.1 200"));
  CHECK(w.Saw("text/event-stream"));
  f.Reply("+447700900601", "1");
  // Each event names the member (for a coordinator's screen) and when it happened.
  Eventually([&] { return w.Saw("event: answer\ndata: {\"member_id\":" + std::to_string(member) +
                                ",\"answer\":\"going\",\"at\":\"20"); },
             "the answer");
  Eventually([&] { return w.Saw("\"name\":\"Amal\""); }, "the member's name");
  Eventually([&] { return w.Saw("event: escalation\ndata: {\"what\":\"goal_met\""); }, "the goal");
  REQUIRE(f.c.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/resolve", "{}").status == 200);
  // The alert's end is the stream's last event: the stream closes after it (issue 9, defect 3).
  Eventually([&] { return w.Closed(); }, "the stream ends with the alert");
  auto text = w.Text();
  auto end = text.find("event: alert\ndata: {\"status\":\"resolved\"");
  REQUIRE(end != std::string::npos);
  CHECK(text.find("event:", end + 1) == std::string::npos);
  CHECK_FALSE(w.Saw("+44"));  // no phone number in the stream

  // Watched once it has ended: the final event at once, and the end.
  Watcher late(f.server->port(), EventsPath(alert), token);
  Eventually([&] { return late.Closed(); }, "a stream of an ended alert ends");
  CHECK(late.Saw("event: alert\ndata: {\"status\":\"resolved\"}"));

  // An alert that reached nobody: a new stream says so first (issue 9, defect 2).
  auto nobody = f.Raise(R"({"kind":"other","areas":["N1"],"location":"Nowhere"})");
  Watcher told(f.server->port(), EventsPath(nobody), token);
  Eventually([&] { return told.Saw("event: warning\ndata: {\"warning\":\"nobody was reached"); }, "the warning");

  // Another network's token, or no such alert: no stream.
  CHECK(f.c.Get("/v1/networks/demo/alerts/999999/events").status == 404);
  CHECK(f.server->Client("").Get(EventsPath(alert)).status == 401);
}

TEST_CASE("events: a revoked token's stream ends at once (issue 9, defect 3)", "[pg][events]") {
  AlertNetwork f;
  f.AddMember(R"({"phone":"+447700900601","areas":["SE15"]})");
  auto alert = f.Raise();
  auto admin = f.server->Admin();
  auto t = admin.Post("/v1/networks/demo/tokens", R"({"role":"viewer","label":"wall screen"})");
  REQUIRE(t.status == 201);
  auto viewer = std::string(t.Json().as_object().at("token").as_string());
  auto id = t.Json().as_object().at("id").as_int64();
  Watcher w(f.server->port(), EventsPath(alert), viewer);
  Watcher other(f.server->port(), EventsPath(alert), f.c.bearer());
  Eventually([&] { return w.Saw(": watching") && other.Saw(": watching"); }, "both streams open");
  REQUIRE(admin.Delete("/v1/networks/demo/tokens/" + std::to_string(id)).status == 204);
  Eventually([&] { return w.Closed(); }, "the revoked token's stream ends");
  CHECK(w.Saw("event: revoked"));
  // The revoked token opens nothing new; the other stream goes on.
  CHECK(f.server->Client(viewer).Get(EventsPath(alert)).status == 401);
  f.Reply("+447700900601", "1");
  Eventually([&] { return other.Saw("event: answer"); }, "the other stream goes on");
  CHECK_FALSE(other.Closed());
  // An open stream does not hold up a graceful stop.
  CHECK(f.server->Stop(SIGTERM) == 0);
}

TEST_CASE("events: a console session's stream ends at its logout (issue 14)", "[pg][events][session]") {
  AlertNetwork f;
  f.AddMember(R"({"phone":"+447700900601","areas":["SE15"]})");
  auto alert = f.Raise();
  auto login = f.server->Client().Post("/v1/session", R"({"token":")" + f.c.bearer() + R"("})");
  REQUIRE(login.status == 200);
  auto set_cookie = login.headers["set-cookie"];
  auto cookie = set_cookie.substr(0, set_cookie.find(';'));
  Watcher w(f.server->port(), EventsPath(alert), "", "Cookie: " + cookie + "\r\n");
  Watcher other(f.server->port(), EventsPath(alert), f.c.bearer());
  Eventually([&] { return w.Saw(": watching") && other.Saw(": watching"); }, "both streams open");
  auto origin = "http://127.0.0.1:" + std::to_string(f.server->port());
  auto out = f.server->Client().Send("DELETE", "/v1/session", "", {{"Cookie", cookie}, {"Origin", origin}});
  REQUIRE(out.status == 204);
  Eventually([&] { return w.Closed(); }, "the session's stream ends");
  CHECK(w.Saw("event: revoked"));
  // The token's own stream goes on.
  f.Reply("+447700900601", "1");
  Eventually([&] { return other.Saw("event: answer"); }, "the token's stream goes on");
  CHECK_FALSE(other.Closed());
}

TEST_CASE("events: Last-Event-ID resumes a dropped stream without loss or repeats (issue 9, defect 3)",
          "[pg][events]") {
  AlertNetwork f;
  auto a = f.AddMember(R"({"phone":"+447700900601","areas":["SE15"]})");
  auto b = f.AddMember(R"({"phone":"+447700900602","areas":["SE15"]})");
  auto alert = f.Raise();
  std::string last_seen;
  {
    Watcher first(f.server->port(), EventsPath(alert), f.c.bearer());
    Eventually([&] { return first.Saw(": watching"); }, "the stream opens");
    f.Reply("+447700900601", "1");
    Eventually([&] { return first.Saw("\"member_id\":" + std::to_string(a) + ",\"answer\":\"going\""); }, "a's answer");
    Eventually([&] { return !first.LastId().empty(); }, "an event id");
    last_seen = first.LastId();
  }  // dropped
  // While nobody watches, another answer.
  f.Reply("+447700900602", "2");
  Eventually([&] {
    return f.db.Scalar("SELECT count(*) FROM responses WHERE member_id = " + std::to_string(b)) == "1";
  }, "b's answer is stored");
  Watcher resumed(f.server->port(), EventsPath(alert), f.c.bearer(), "Last-Event-ID: " + last_seen + "\r\n");
  Eventually([&] { return resumed.Saw("\"member_id\":" + std::to_string(b) + ",\"answer\":\"cannot\""); },
             "the answer missed while away");
  CHECK_FALSE(resumed.Saw("event: reset"));
  CHECK(resumed.Count("\"answer\":\"going\"") == 0);  // seen before the drop: not repeated
  CHECK(resumed.Text().find("id: " + last_seen + "\n") == std::string::npos);

  // An id the server cannot resume from (an earlier process's): told to read the state afresh.
  Watcher stale(f.server->port(), EventsPath(alert), f.c.bearer(), "Last-Event-ID: 17\r\n");
  Eventually([&] { return stale.Saw("event: reset"); }, "a reset");
}

TEST_CASE("events: a token holds at most 8 live streams (issue 15)", "[pg][events]") {
  AlertNetwork f;
  f.AddMember(R"({"phone":"+447700900601","areas":["SE15"]})");
  auto alert = f.Raise();
  std::vector<std::unique_ptr<Watcher>> open;
  for (int i = 0; i < 8; ++i) {
    open.push_back(std::make_unique<Watcher>(f.server->port(), EventsPath(alert), f.c.bearer()));
    Eventually([&] { return open.back()->Saw(": watching"); }, "a stream opens");
  }
  auto ninth = f.c.Get(EventsPath(alert));
  CHECK(ninth.status == 429);
  CHECK(ninth.body.find("too many live streams") != std::string::npos);
  // Another token of the network is not held back by this one.
  auto t = f.server->Admin().Post("/v1/networks/demo/tokens", R"({"role":"viewer"})");
  REQUIRE(t.status == 201);
  Watcher other(f.server->port(), EventsPath(alert), std::string(t.Json().as_object().at("token").as_string()));
  Eventually([&] { return other.Saw(": watching"); }, "another token's stream");
  // A stream closed gives its place back.
  open.pop_back();
  Eventually([&] {
    Watcher again(f.server->port(), EventsPath(alert), f.c.bearer());
    Eventually([&] { return again.Saw("HTTP/1.1"); }, "an answer");
    return again.Saw("HTTP/1.1 200");
  }, "a place again");
}

TEST_CASE("events: a stream of an alert waiting for approval stays open until the decision", "[pg][events][approval]") {
  AlertNetwork f;
  f.AddMember(R"({"phone":"+447700900601","areas":["SE15"]})");
  auto admin = f.server->Admin();
  auto a = admin.Post("/v1/networks/demo/tokens", R"({"role":"admin","label":"second"})");
  REQUIRE(a.status == 201);
  auto second = f.server->Client(std::string(a.Json().as_object().at("token").as_string()));
  REQUIRE(second.Patch("/v1/networks/demo", R"({"approval":{"min_recipients":1}})").status == 200);
  auto raised = f.c.Post("/v1/networks/demo/alerts", R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane"})");
  REQUIRE(raised.status == 202);
  auto alert = raised.Json().as_object().at("id").as_int64();

  Watcher w(f.server->port(), EventsPath(alert), f.c.bearer());
  Eventually([&] { return w.Saw(": watching"); }, "the stream opens");
  CHECK(w.Saw("HTTP/1.1 200"));
  CHECK_FALSE(w.Saw("event: alert"));  // pending is not ended
  REQUIRE(second.Post("/v1/networks/demo/alerts/" + std::to_string(alert) + "/reject", "").status == 200);
  Eventually([&] { return w.Closed(); }, "the stream ends with the rejection");
  INFO(w.Text());
  CHECK(w.Saw("event: alert\ndata: {\"status\":\"cancelled\""));
}
