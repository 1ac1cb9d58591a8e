// PrometheusText: writes metrics in the Prometheus text exposition format (version 0.0.4).
// Each family gets its HELP and TYPE lines once, before its first sample; label values are
// escaped. Debian 12 ships no Prometheus client library for C++, hence this small writer.
// Needs external synchronization.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace edgesync {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Cumulative bucket counts for fixed upper bounds (seconds), plus +Inf via `count`.
struct HistogramSample {
  std::vector<double> bounds;     // ascending
  std::vector<uint64_t> buckets;  // observations <= bounds[i]
  uint64_t count = 0;
  double sum = 0;
};

class PrometheusText {
 public:
  void Counter(const std::string& name, const std::string& help, double value,
               const MetricLabels& labels = {});
  void Gauge(const std::string& name, const std::string& help, double value,
             const MetricLabels& labels = {});
  void Histogram(const std::string& name, const std::string& help, const HistogramSample& sample,
                 const MetricLabels& labels = {});

  const std::string& text() const { return out_; }

  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  void Family(const std::string& name, const std::string& help, const char* type);
  void Sample(const std::string& name, const MetricLabels& labels, double value);

  std::string out_;
  std::vector<std::string> families_;
};

// Prometheus' float text: integers without a decimal point, +Inf/-Inf/NaN spelled its way.
std::string PrometheusNumber(double value);
// Backslash, double quote and newline escaped for a label value.
std::string EscapeLabelValue(const std::string& value);

}  // namespace edgesync
