// Retention (issue 15): an alert that ended more than its network's retention_days ago keeps only
// its kind, areas, code, times and counts; a database dump then holds nothing that ties a member
// to it. Driven by the engine's hourly purge on the manual clock, and by `tocsind purge`.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>

#include "tests/support/alert_network.h"
#include "tests/support/eventually.h"

using namespace tocsin;
using namespace tocsin::test;

namespace {

// The data-only dump of the database, as pg_dump writes it.
std::string Dump(const TestDatabase& db) {
  std::string cmd = "/usr/lib/postgresql/15/bin/pg_dump --data-only --no-owner '" + db.url() + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string out;
  std::array<char, 65536> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0;) out.append(buf.data(), n);
  return out;
}

std::vector<std::string> Split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (auto next = s.find(sep); next != std::string::npos; next = s.find(sep, at)) {
    out.push_back(s.substr(at, next - at));
    at = next + sep.size();
  }
  out.push_back(s.substr(at));
  return out;
}

// The values of `column` in the rows pg_dump wrote for `table` (between its COPY header, which
// names the columns, and "\.").
std::vector<std::string> DumpedColumn(const std::string& dump, const std::string& table, const std::string& column) {
  auto at = dump.find("COPY public." + table + " (");
  REQUIRE(at != std::string::npos);
  auto open = at + table.size() + 14;
  auto names = Split(dump.substr(open, dump.find(')', open) - open), ", ");
  auto index = std::find(names.begin(), names.end(), column) - names.begin();
  REQUIRE(index < static_cast<long>(names.size()));
  at = dump.find('\n', at) + 1;
  std::vector<std::string> values;
  for (auto end = dump.find('\n', at); dump.compare(at, 2, "\\.") != 0; end = dump.find('\n', at)) {
    values.push_back(Split(dump.substr(at, end - at), "\t").at(index));
    at = end + 1;
  }
  return values;
}

}  // namespace

TEST_CASE("retention: past retention_days an alert keeps its counts and nothing ties a member to it",
          "[pg][retention]") {
  AlertNetwork f;
  REQUIRE(f.server->Cli({"network", "set", "--network", "demo", "--retention-days", "1"}).exit_code == 0);
  auto amal = f.AddMember(R"({"phone":"+447700900601","name":"Amal","areas":["SE15"]})");
  f.AddMember(R"({"phone":"+447700900602","areas":["SE15"]})");
  auto alert = f.Raise(R"({"kind":"raid","areas":["SE15"],"location":"Rye Lane","details":"3 vans"})");
  auto base = "/v1/networks/demo/alerts/" + std::to_string(alert);
  f.Reply("+447700900601", "1");
  f.Reply("+447700900601", "parked on Bellenden Rd");
  Eventually([&] {
    return f.db.Scalar("SELECT count(*) FROM responses WHERE alert_id = " + std::to_string(alert)) == "2";
  }, "both replies stored");
  REQUIRE(f.c.Post(base + "/resolve", R"({"message":"Officers gone."})").status == 200);
  f.AddMember(R"({"phone":"+447700900603","areas":["SE5"]})");
  auto still_open = f.Raise(R"({"kind":"raid","areas":["SE5"],"location":"Rye Lane"})");  // never purged
  REQUIRE(f.c.Delete("/v1/networks/demo/members/" + std::to_string(amal)).status == 204);
  auto before = f.c.Get(base).Json().as_object().at("counts").as_object();
  CHECK(before.at("going").as_int64() == 1);

  f.Advance("23h");  // the hourly purges ran, but the alert is not a day old
  CHECK(f.c.Get(base).Json().as_object().at("location") == "Rye Lane");
  f.Advance("2h");

  auto after = f.c.Get(base).Json().as_object();
  CHECK(after.at("status") == "resolved");
  CHECK(after.at("counts").as_object() == before);
  CHECK(after.at("location") == "");
  CHECK(after.at("details") == "");
  CHECK(f.c.Get(base + "/responses").Json().as_object().at("responses").as_array().empty());
  CHECK(f.c.Get(base + "/deliveries").Json().as_object().at("deliveries").as_array().empty());
  // The open alert is untouched.
  auto open = f.c.Get("/v1/networks/demo/alerts/" + std::to_string(still_open)).Json().as_object();
  CHECK(open.at("location") == "Rye Lane");
  CHECK(open.at("counts").as_object().at("queued").as_int64() +
            open.at("counts").as_object().at("sent").as_int64() +
            open.at("counts").as_object().at("delivered").as_int64() == 1);

  // What a dump of the database holds: no row of the purged alert anywhere a member is named,
  // and the deleted member's tombstone is gone with the last thing that named it.
  auto dump = Dump(f.db);
  auto id = std::to_string(alert);
  for (const auto* table : {"deliveries", "responses", "alert_messages", "tree_run_nodes", "tree_runs",
                            "escalations", "escalation_timers"}) {
    for (const auto& value : DumpedColumn(dump, table, "alert_id")) {
      INFO(table);
      CHECK(value != id);
    }
  }
  for (const auto& value : DumpedColumn(dump, "members", "id")) CHECK(value != std::to_string(amal));
  CHECK(dump.find("Bellenden") == std::string::npos);  // sealed anyway; and gone

  // On demand too (nothing left to do: it says so).
  auto cli = f.server->Cli({"purge"});
  INFO(cli.err);
  CHECK(cli.exit_code == 0);
  CHECK(cli.err.find("purged 0 alerts") != std::string::npos);
}
