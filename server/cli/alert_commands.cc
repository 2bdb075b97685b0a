// alert raise, list, show, resolve, cancel: through the running server (local_api.h), which
// sends, escalates and tracks. Human-readable output, or the API's JSON as is with --json.
#include <algorithm>
#include <array>
#include <iostream>
#include <map>
#include <memory>
#include <string_view>

#include "dispatch/model/alert.h"
#include "dispatch/model/validation.h"
#include "server/cli/command.h"
#include "server/cli/local_api.h"
#include "server/cli/table.h"

namespace tocsin::cli {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 4> kStatuses = {"pending_approval", "open", "resolved", "cancelled"};
constexpr int kMaxResponsePages = 100;

// Runs `body` with a session of the network named by --network.
Result<int> WithApi(const Context& ctx, const Args& a,
                    const std::function<Result<int>(const LocalApi&)>& body) {
  auto network = LoadNetwork(*ctx.db, a.Require("network"));
  if (!network.ok()) return network.error();
  auto api = LocalApi::Open(*ctx.db, *ctx.cipher, *ctx.config, network.value());
  if (!api.ok()) return api.error();
  return body(*api.value());
}

std::string Text(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return "-";
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);
}

std::string Count(const json::object& alert, std::string_view state) {
  auto* counts = alert.if_contains("counts");
  if (!counts || !counts->is_object()) return "0";
  auto* n = counts->as_object().if_contains(state);
  return n ? json::serialize(*n) : "0";
}

std::string Joined(const json::value* list) {
  std::string out;
  if (!list || !list->is_array()) return out;
  for (const auto& v : list->as_array()) {
    out += (out.empty() ? "" : ", ") + (v.is_string() ? std::string(v.as_string()) : json::serialize(v));
  }
  return out;
}

void PrintWarnings(const json::object& o) {
  if (auto* w = o.if_contains("warnings"); w && w->is_array()) {
    for (const auto& item : w->as_array()) {
      std::cout << "warning: " << (item.is_string() ? std::string(item.as_string()) : json::serialize(item))
                << "\n";
    }
  }
}

Result<int> Raise(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  AlertInput in;
  in.kind = a.Require("kind");
  in.areas = a.All("area");
  in.location = a.Require("location");
  in.details = a.Get("details", "");
  in.deadline = a.Get("deadline");
  // Checked here as the server will, so a bad value changes nothing (not even a token).
  if (auto s = ValidateAlertInput(in); !s.ok()) return s.error();
  auto areas = CanonicalList(in.areas, "areas", CheckAreaName);
  if (!areas.ok()) return areas.error();
  json::object request{{"kind", in.kind}, {"areas", json::value_from(areas.value())},
                       {"location", in.location}};
  if (!in.details.empty()) request["details"] = in.details;
  if (in.deadline) request["deadline"] = *in.deadline;
  if (a.Flag("neighbours")) request["audience"] = json::object{{"include_neighbours", true}};
  return WithApi(ctx, a, [&](const LocalApi& api) -> Result<int> {
    auto r = api.Post("/alerts", request);
    if (!r.ok()) return r.error();
    if (a.Flag("json")) {
      std::cout << r->body << "\n";
      return 0;
    }
    const auto& o = r->json.as_object();
    if (Text(o, "status") == "pending_approval") {
      std::cout << "alert " << Text(o, "id") << " (code " << Text(o, "code") << ") for " << Text(o, "recipients")
                << " recipients waits for a second coordinator's approval: nothing sent yet\n";
      return 0;
    }
    std::cout << "raised alert " << Text(o, "id") << " (code " << Text(o, "code") << "), "
              << Text(o, "recipients") << " recipients\n";
    PrintWarnings(o);
    return 0;
  });
}

Result<int> List(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  auto status = a.Get("status");
  if (status && std::find(kStatuses.begin(), kStatuses.end(), *status) == kStatuses.end()) {
    throw UsageError{"--status must be pending_approval, open, resolved or cancelled"};
  }
  auto limit = a.Int("limit", 1, 500).value_or(50);
  std::string path = "/alerts?limit=" + std::to_string(limit) + (status ? "&status=" + *status : "");
  return WithApi(ctx, a, [&](const LocalApi& api) -> Result<int> {
    auto r = api.Get(path);
    if (!r.ok()) return r.error();
    if (a.Flag("json")) {
      std::cout << r->body << "\n";
      return 0;
    }
    Table table({"ID", "CODE", "KIND", "STATUS", "AREAS", "RECIPIENTS", "GOING", "CREATED"});
    for (const auto& item : r->json.as_object().at("alerts").as_array()) {
      const auto& o = item.as_object();
      table.Add({Text(o, "id"), Text(o, "code"), Text(o, "kind"), Text(o, "status"),
                 Joined(o.if_contains("areas")), Text(o, "recipients"), Count(o, "going"),
                 Text(o, "created_at")});
    }
    table.Print(std::cout);
    return 0;
  });
}

// "member 12 (Amira)" for each member whose latest answer is going, in order of answer.
Result<std::vector<std::string>> WhoIsGoing(const LocalApi& api, std::int64_t id) {
  std::map<std::int64_t, std::pair<std::int64_t, std::string>> latest;  // member -> (response id, label)
  std::map<std::int64_t, std::string> answer;
  std::string cursor;
  for (int page = 0; page < kMaxResponsePages; ++page) {
    auto r = api.Get("/alerts/" + std::to_string(id) + "/responses?limit=1000" +
                     (cursor.empty() ? "" : "&cursor=" + cursor));
    if (!r.ok()) return r.error();
    const auto& o = r->json.as_object();
    for (const auto& item : o.at("responses").as_array()) {
      const auto& resp = item.as_object();
      auto kind = Text(resp, "answer");
      if (kind != "going" && kind != "cannot") continue;
      auto member = resp.at("member_id").to_number<std::int64_t>();
      auto name = Text(resp, "name");  // present when the API gives names
      latest[member] = {resp.at("id").to_number<std::int64_t>(),
                        "member " + std::to_string(member) + (name == "-" ? "" : " (" + name + ")")};
      answer[member] = kind;
    }
    auto next = o.if_contains("next_cursor");
    if (!next || !next->is_string()) break;
    cursor = std::string(next->as_string());
  }
  std::vector<std::pair<std::int64_t, std::string>> going;
  for (const auto& [member, entry] : latest) {
    if (answer[member] == "going") going.push_back(entry);
  }
  std::sort(going.begin(), going.end());
  std::vector<std::string> out;
  for (auto& g : going) out.push_back(std::move(g.second));
  return out;
}

void PrintAlert(const json::object& o) {
  std::cout << "alert " << Text(o, "id") << "  code " << Text(o, "code") << "  " << Text(o, "kind")
            << "  " << Text(o, "status") << "\n";
  bool neighbours = false;
  if (auto* audience = o.if_contains("audience"); audience && audience->is_object()) {
    auto* n = audience->as_object().if_contains("include_neighbours");
    neighbours = n && n->is_bool() && n->as_bool();
  }
  std::cout << "areas:       " << Joined(o.if_contains("areas")) << (neighbours ? " (and neighbours)" : "")
            << "\n"
            << "location:    " << Text(o, "location") << "\n"
            << "details:     " << Text(o, "details") << "\n"
            << "deadline:    " << Text(o, "deadline") << "\n"
            << "created:     " << Text(o, "created_at") << "\n"
            << "ended:       " << Text(o, "ended_at") << "\n"
            << "recipients:  " << Text(o, "recipients") << "\n";
  std::string counts;
  if (auto* c = o.if_contains("counts"); c && c->is_object()) {
    for (const auto& kv : c->as_object()) {
      if (kv.value().is_number() && kv.value().to_number<std::int64_t>() == 0) continue;
      counts += (counts.empty() ? "" : ", ") + std::string(kv.key()) + " " + json::serialize(kv.value());
    }
  }
  std::cout << "counts:      " << (counts.empty() ? "-" : counts) << "\n";
}

Result<int> Show(const Context& ctx, const Args& a) {
  auto id = a.PositionalId("alert ID");
  return WithApi(ctx, a, [&](const LocalApi& api) -> Result<int> {
    auto r = api.Get("/alerts/" + std::to_string(id));
    if (!r.ok()) return r.error();
    if (a.Flag("json")) {
      std::cout << r->body << "\n";
      return 0;
    }
    PrintAlert(r->json.as_object());
    auto going = WhoIsGoing(api, id);
    if (!going.ok()) return going.error();
    std::string list;
    for (const auto& g : going.value()) list += (list.empty() ? "" : ", ") + g;
    std::cout << "going:       " << (list.empty() ? "nobody yet" : list) << "\n";
    return 0;
  });
}

// resolve or cancel (`action`), with the closing message when given.
Result<int> End(const Context& ctx, const Args& a, const std::string& action) {
  auto id = a.PositionalId("alert ID");
  json::object body;
  if (auto m = a.Get("message")) body["message"] = *m;  // the server checks it
  return WithApi(ctx, a, [&](const LocalApi& api) -> Result<int> {
    auto r = api.Post("/alerts/" + std::to_string(id) + "/" + action, body);
    if (!r.ok()) return r.error();
    if (a.Flag("json")) {
      std::cout << r->body << "\n";
      return 0;
    }
    PrintAlert(r->json.as_object());
    return 0;
  });
}

}  // namespace

std::vector<Command> AlertCommands() {
  const std::string ended =
      "  --message TEXT   the closing message, sent to those the alert reached\n"
      "  --json           print the API's JSON as is\n";
  return {
      {"alert", "raise",
       "--network S --kind raid|detention|removal|other --area E8 [--area ...] --location TEXT "
       "[--details TEXT] [--deadline 2026-11-23T06:40:00Z] [--neighbours] [--json]",
       "Raises an alert through the running server (server.listen), which sends it at once.\n"
       "  --area NAME      an area of the alert (repeat for more)\n"
       "  --deadline TIME  RFC 3339; required for removal (the flight time)\n"
       "  --neighbours     also reach the members of neighbouring areas\n"
       "  --json           print the API's JSON as is\n"
       "Prints the alert's id, code and number of recipients, and warnings (e.g. nobody reached).\n",
       {"network", "kind", "area", "location", "details", "deadline"},
       {"neighbours", "json"},
       Needs::kDataKey,
       Raise},
      {"alert", "list", "--network S [--status open|resolved|cancelled] [--limit 50] [--json]",
       "Lists the network's alerts, newest first, with their recipients and going counts.\n",
       {"network", "status", "limit"},
       {"json"},
       Needs::kDataKey,
       List},
      {"alert", "show", "--network S ID [--json]",
       "Shows one alert: where, counts by delivery state and answer, and who is going.\n",
       {"network"},
       {"json"},
       Needs::kDataKey,
       Show},
      {"alert", "resolve", "--network S ID [--message TEXT] [--json]",
       "Resolves an open alert: escalation stops, and the message (if any) goes out.\n" + ended,
       {"network", "message"},
       {"json"},
       Needs::kDataKey,
       [](const Context& c, const Args& a) { return End(c, a, "resolve"); }},
      {"alert", "cancel", "--network S ID [--message TEXT] [--json]",
       "Cancels an open alert (a false alarm): escalation stops, and the message goes out.\n" + ended,
       {"network", "message"},
       {"json"},
       Needs::kDataKey,
       [](const Context& c, const Args& a) { return End(c, a, "cancel"); }},
  };
}

}  // namespace tocsin::cli
