// Request metrics in the Prometheus text format: requests by route and status, a latency
// histogram, and gauges supplied by other components at scrape time (DB pool use).
//
// Thread safety: Record() and Render() may be called from any thread (one mutex, held for a
// map update; requests are not the hot path of the engine).
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace tocsin::http {

class Metrics {
 public:
  // `route` is the route pattern (bounded cardinality), never the raw path.
  void Record(const std::string& method, const std::string& route, unsigned status,
              std::chrono::nanoseconds latency);

  // Counts an event of a kind under a counter name, e.g. ("tocsin_inbound_sms_total", "going").
  void CountEvent(const std::string& counter, const std::string& kind);

  // A gauge line added at each scrape: name, help, and a function giving the value.
  void AddGauge(std::string name, std::string help, std::function<double()> value);

  std::string Render() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5,   10.0};
  struct Gauge {
    std::string name, help;
    std::function<double()> value;
  };

  mutable std::mutex mu_;
  // Guarded by mu_.
  std::map<std::tuple<std::string, std::string, unsigned>, long long> requests_;
  std::array<long long, kBuckets.size()> bucket_counts_{};
  long long latency_count_ = 0;
  double latency_sum_ = 0;
  std::vector<Gauge> gauges_;
  std::map<std::pair<std::string, std::string>, long long> events_;
};

}  // namespace tocsin::http
