// A load generator for the benchmarks: signed requests prepared up front, posted over
// keep-alive connections by one thread (plain sockets and epoll: it shares the machine with what
// it measures, so it spends as little as it can), closed loop or open loop, with each request's
// latency.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace tocsin::test {

struct Prepared {
  std::string body;
  std::string signature;
};

struct GeneratorResult {
  std::vector<double> latencies_ms;
  int errors = 0;
};

// An SMS from `from` to `to` posted to `url` as Twilio would (signed with `auth_token`).
Prepared SignedSms(const std::string& url, const std::string& auth_token, const std::string& sid,
                   const std::string& from, const std::string& to, const std::string& body);

// The value at fraction `p` (0.5: the median) of `sorted` (ascending, not empty).
double Percentile(const std::vector<double>& sorted, double p);

// Posts requests[next++] to `url` (http://127.0.0.1:PORT/path: loopback only) over
// `connections` keep-alive connections, one thread. An answer other than a whole 200 is an error.
// Closed loop (`start` unset): each connection sends its next request when its answer came.
// Open loop (`start` set): request i is due at start + i / `per_second` (the offered load, all
// threads together) and goes on the first idle connection; its latency counts from when it was
// due, so a late start (every connection busy) counts against the server, not hidden.
GeneratorResult Generate(const std::string& url, const std::vector<Prepared>& requests, std::atomic<int>& next,
                         int connections, std::optional<std::chrono::steady_clock::time_point> start = std::nullopt,
                         double per_second = 0);

}  // namespace tocsin::test
