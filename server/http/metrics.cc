#include "server/http/metrics.h"

#include <sstream>

namespace tocsin::http {

void Metrics::Record(const std::string& method, const std::string& route, unsigned status,
                     std::chrono::nanoseconds latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  }
  ++latency_count_;
  latency_sum_ += seconds;
}

void Metrics::CountEvent(const std::string& counter, const std::string& kind) {
  std::lock_guard lock(mu_);
  ++events_[{counter, kind}];
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> value) {
  std::lock_guard lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(value)});
}

std::string Metrics::Render() const {
  std::ostringstream out;
  std::vector<Gauge> gauges;
  {
    std::lock_guard lock(mu_);
    out << "# HELP tocsin_http_requests_total HTTP requests by method, route and status.\n"
        << "# TYPE tocsin_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      const auto& [method, route, status] = key;
      out << "tocsin_http_requests_total{method=\"" << method << "\",route=\"" << route
          << "\",status=\"" << status << "\"} " << count << "\n";
    }
    out << "# HELP tocsin_http_request_duration_seconds HTTP request latency.\n"
        << "# TYPE tocsin_http_request_duration_seconds histogram\n";
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "tocsin_http_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} "
          << bucket_counts_[i] << "\n";
    }
    out << "tocsin_http_request_duration_seconds_bucket{le=\"+Inf\"} " << latency_count_ << "\n"
        << "tocsin_http_request_duration_seconds_sum " << latency_sum_ << "\n"
        << "tocsin_http_request_duration_seconds_count " << latency_count_ << "\n";
    std::string last;
    for (const auto& [key, count] : events_) {
      if (key.first != last) out << "# TYPE " << key.first << " counter\n";
      last = key.first;
      out << key.first << "{kind=\"" << key.second << "\"} " << count << "\n";
    }
    gauges = gauges_;
  }
  // Gauge functions may take their own locks: call them without holding mu_.
  for (const auto& g : gauges) {
    out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " gauge\n"
        << g.name << " " << g.value() << "\n";
  }
  return out.str();
}

}  // namespace tocsin::http
