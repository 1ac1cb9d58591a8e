#include "status/prometheus_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace edgesync {

std::string PrometheusNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[40];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.15g", value);
  }
  return buf;
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void PrometheusText::Family(const std::string& name, const std::string& help, const char* type) {
  if (std::find(families_.begin(), families_.end(), name) != families_.end()) return;
  families_.push_back(name);
  out_ += "# HELP " + name + " ";
  for (char c : help) out_ += c == '\n' ? ' ' : c;
  out_ += "\n# TYPE " + name + " " + type + "\n";
}

void PrometheusText::Sample(const std::string& name, const MetricLabels& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) out_ += ',';
      out_ += labels[i].first + "=\"" + EscapeLabelValue(labels[i].second) + "\"";
    }
    out_ += '}';
  }
  out_ += ' ' + PrometheusNumber(value) + '\n';
}

void PrometheusText::Counter(const std::string& name, const std::string& help, double value,
                             const MetricLabels& labels) {
  Family(name, help, "counter");
  Sample(name, labels, value);
}

void PrometheusText::Gauge(const std::string& name, const std::string& help, double value,
                           const MetricLabels& labels) {
  Family(name, help, "gauge");
  Sample(name, labels, value);
}

void PrometheusText::Histogram(const std::string& name, const std::string& help,
                               const HistogramSample& sample, const MetricLabels& labels) {
  Family(name, help, "histogram");
  for (size_t i = 0; i < sample.bounds.size(); ++i) {
    MetricLabels with_le = labels;
    with_le.emplace_back("le", PrometheusNumber(sample.bounds[i]));
    Sample(name + "_bucket", with_le, static_cast<double>(sample.buckets[i]));
  }
  MetricLabels inf = labels;
  inf.emplace_back("le", "+Inf");
  Sample(name + "_bucket", inf, static_cast<double>(sample.count));
  Sample(name + "_sum", labels, sample.sum);
  Sample(name + "_count", labels, static_cast<double>(sample.count));
}

}  // namespace edgesync
