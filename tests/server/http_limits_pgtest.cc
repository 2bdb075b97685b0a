// No one starves the rest: connection caps (total and per client address), bodies admitted only
// after authentication, and an accept loop that backs off when the process runs out of
// descriptors. Real binary, real loopback sockets; raw connections where a polite client would
// not do what a hostile one does.
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/eventually.h"
#include "tests/support/raw_connection.h"
#include "tests/support/server_process.h"

using namespace tocsin::test;

namespace {

const std::string kHealth = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

// A connection from `from` that the server has served once and that stays open (keep-alive).
// Polls: a slot freed by a client that just closed is released by the server a moment later.
RawConnection Served(int port, const std::string& from) {
  std::optional<RawConnection> served;
  Eventually(
      [&] {
        RawConnection c(port, from);
        if (!c.connected() || !c.Send(kHealth) || StatusOf(c.ReadResponse()) != 200) return false;
        served.emplace(std::move(c));
        return true;
      },
      "a connection to be served");
  return std::move(*served);
}

// A connection from `from` that the server refuses at once: 503 with Retry-After, then closed.
void CheckRefused(int port, const std::string& from) {
  RawConnection c(port, from);
  REQUIRE(c.connected());
  auto response = c.ReadResponse();  // sent nothing: the answer comes unasked
  INFO(response);
  CHECK(StatusOf(response) == 503);
  CHECK(response.find("Retry-After: 1") != std::string::npos);
  CHECK(c.ClosedByPeer());
}

// The value of an unlabelled metric line in a /metrics body, or -1.
double Metric(const std::string& body, const std::string& name) {
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

}  // namespace

TEST_CASE("http: connections are capped in all and per address, and the cap frees as they close",
          "[pg][http][caps]") {
  TestDatabase db;
  TocsindProcess server(db, "[http]\nmax_connections = 4\nmax_connections_per_address = 2\n");
  server.Start();
  const int port = server.port();

  // Two open from 127.0.0.2: a third from there is refused, one from elsewhere is not.
  std::vector<RawConnection> a;
  a.push_back(Served(port, "127.0.0.2"));
  a.push_back(Served(port, "127.0.0.2"));
  CheckRefused(port, "127.0.0.2");
  std::vector<RawConnection> b;
  b.push_back(Served(port, "127.0.0.3"));
  b.push_back(Served(port, "127.0.0.3"));
  // Four open in all: anyone else is refused, whatever their address.
  CheckRefused(port, "127.0.0.4");
  // The held connections still work.
  REQUIRE(a[0].Send(kHealth));
  CHECK(StatusOf(a[0].ReadResponse()) == 200);

  // One of 127.0.0.2's closes: 127.0.0.2 may connect again (per address and total freed).
  a[0].Close();
  a[0] = Served(port, "127.0.0.2");
  CheckRefused(port, "127.0.0.2");
  // One of 127.0.0.3's closes: another address takes the freed total.
  b[0].Close();
  b[0] = Served(port, "127.0.0.4");
  CheckRefused(port, "127.0.0.5");

  for (auto& c : a) c.Close();
  for (auto& c : b) c.Close();
  HttpResult metrics;
  Eventually([&] { return (metrics = server.Admin().Get("/metrics")).status == 200; }, "/metrics");
  CHECK(Metric(metrics.body, "tocsin_http_connections_refused_total") >= 4);
  CHECK(Metric(metrics.body, "tocsin_http_connections") >= 1);  // this request's own
  // The log says a cap was reached, and never who reached it.
  CHECK(server.Log().find("cap reached") != std::string::npos);
  CHECK(server.Log().find("127.0.0.2") == std::string::npos);
}

TEST_CASE("http: a stranger's large body is refused at the headers; a token's own limit applies after",
          "[pg][http][body]") {
  TestDatabase db;
  TocsindProcess server(db);
  server.Start();
  const std::string token = CreateNetworkWithToken(server, "demo");
  const int port = server.port();
  auto head = [](const std::string& target, std::size_t length, const std::string& auth) {
    return "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Type: text/csv\r\n" + auth +
           "Content-Length: " + std::to_string(length) + "\r\n\r\n";
  };
  // Each client sends only the header and gets its answer without sending a byte of the body:
  // the server decided without reading it, and closed.
  auto answer = [&](const std::string& request) {
    RawConnection c(port);
    REQUIRE(c.Send(request));
    auto response = c.ReadResponse();
    CHECK(c.ClosedByPeer());
    return response;
  };

  SECTION("no token, or a bad one: 401 at the headers") {
    const std::string import = "/v1/networks/demo/members/import";
    auto none = answer(head(import, 16 << 20, ""));
    INFO(none);
    CHECK(StatusOf(none) == 401);
    CHECK(none.find("\"unauthorized\"") != std::string::npos);
    auto bad = answer(head(import, 16 << 20, "Authorization: Bearer tcs_not_a_real_token\r\n"));
    CHECK(StatusOf(bad) == 401);
    // A JSON route too, above what a stranger may send (64 KiB) though under its own 1 MiB.
    CHECK(StatusOf(answer(head("/v1/networks/demo/members", 500 << 10, ""))) == 401);
    // A client that goes on sending its body after the 401 is read and dropped (up to 64 KiB),
    // not reset: each send goes through, and after the answer comes a clean end.
    {
      RawConnection c(port);
      REQUIRE(c.Send(head(import, 16 << 20, "")));
      CHECK(StatusOf(c.ReadResponse()) == 401);
      for (int i = 0; i < 4; ++i) CHECK(c.Send(std::string(8 << 10, 'x')));
      CHECK(c.ClosedByPeer());
    }
    // A client that sends its body at once (curl without Expect under 1 MiB, or with it
    // above) reads the 401, not a reset.
    for (std::size_t size : {std::size_t{200} << 10, std::size_t{3} << 20}) {
      auto sent = server.Client().Post(import, std::string(size, 'x'), "text/csv");
      INFO(size);
      CHECK(sent.status == 401);
    }
  }

  SECTION("a good token: the route's own limit, named in the 413") {
    const std::string auth = "Authorization: Bearer " + token + "\r\n";
    auto over = answer(head("/v1/networks/demo/members/import", (16 << 20) + 1, auth));
    INFO(over);
    CHECK(StatusOf(over) == 413);
    CHECK(over.find("over 16777216 bytes") != std::string::npos);
    auto json = answer(head("/v1/networks/demo/members", 2 << 20, auth));
    CHECK(StatusOf(json) == 413);
    CHECK(json.find("over 1048576 bytes") != std::string::npos);

    // Under its limit and above a stranger's, the body is read and the route answers.
    std::string csv = "phone,name\n";
    while (csv.size() < 100 << 10) csv += "+447700900100,x\n";
    RawConnection c(port);
    REQUIRE(c.Send(head("/v1/networks/demo/members/import", csv.size(), auth) + csv));
    CHECK(StatusOf(c.ReadResponse()) == 200);
  }

  SECTION("signed webhooks are held to the small limit") {
    auto status = answer(head("/twilio/status", 70000, ""));
    INFO(status);
    CHECK(StatusOf(status) == 413);
    CHECK(status.find("over 65536 bytes") != std::string::npos);
    CHECK(StatusOf(answer(head("/v1/networks/demo/inbound/partner", 70000, ""))) == 413);
  }
}

namespace {

// CPU seconds (user + system) the process `pid` has used, from /proc/<pid>/stat.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stoll(field);
    if (i == 15) {
      stime = std::stoll(field);
      break;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

int OpenFds(pid_t pid) {
  int open = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++open;
  }
  return open;
}

}  // namespace

TEST_CASE("http: out of descriptors, accept backs off instead of spinning, then serves again",
          "[pg][http][emfile]") {
  TestDatabase db;
  // The caps above what the descriptors allow: here the process runs out first.
  TocsindProcess server(db, "[http]\nmax_connections_per_address = 1024\n");
  server.Start();
  const int port = server.port();

  // A keep-alive connection opened before the descriptors run out reads the metrics throughout.
  RawConnection watcher(port);
  const std::string metrics_request = "GET /metrics HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
                                      std::string(TocsindProcess::kAdminToken) + "\r\n\r\n";
  auto failures = [&] {
    REQUIRE(watcher.Send(metrics_request));
    auto response = watcher.ReadResponse();
    REQUIRE(StatusOf(response) == 200);
    return Metric(response, "tocsin_http_accept_failures_total");
  };
  REQUIRE(failures() == 0);

  // Leave the server room for a few more descriptors. The limit is on descriptor numbers and a
  // new one takes the lowest free: with the limit at (open + 4), at most 4 plus those open above
  // it are free below it.
  rlimit old{};
  REQUIRE(::prlimit(server.pid(), RLIMIT_NOFILE, nullptr, &old) == 0);
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(OpenFds(server.pid()) + 4);
  REQUIRE(::prlimit(server.pid(), RLIMIT_NOFILE, &low, nullptr) == 0);

  // More connections than it can take: the kernel completes them, accept fails with EMFILE.
  std::vector<RawConnection> fillers;
  while (fillers.size() < 200 && failures() == 0) fillers.emplace_back(port, "127.0.0.6");
  Eventually([&] { return failures() > 0; }, "accept to fail");

  // Backing off: over a stretch of failures, few attempts and little CPU (a spinning loop would
  // make thousands of attempts a second on a whole core).
  const double f0 = failures();
  const double cpu0 = CpuSeconds(server.pid());
  const auto wall0 = std::chrono::steady_clock::now();
  Eventually([&] { return failures() >= f0 + 6; }, "six more failed attempts");
  const double f1 = failures();
  const double cpu = CpuSeconds(server.pid()) - cpu0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  INFO("attempts " << (f1 - f0) << ", cpu " << cpu << " s over " << wall << " s");
  CHECK(f1 - f0 <= wall / 0.010 + 2);  // never more often than the first backoff (10 ms)
  CHECK(wall >= 0.3);                  // 10 + 20 + 40 + 80 + 160 ms at the least
  CHECK(cpu <= 0.3 * wall + 0.05);
  auto log = server.Log();
  std::size_t warnings = 0;
  for (auto at = log.find("accept failed"); at != std::string::npos; at = log.find("accept failed", at + 1)) {
    ++warnings;
  }
  CHECK(warnings == 1);  // once per episode, not once per attempt

  // Descriptors free again: the server takes new connections.
  fillers.clear();
  Served(port, "127.0.0.7");
  CHECK(server.Log().find("accept works again") != std::string::npos);
  ::prlimit(server.pid(), RLIMIT_NOFILE, &old, nullptr);
}
