// ModelQuery: what a model selection asks for, and its parser from command-line words.
//
// Syntax (also in docs/catalog.md):
//   --task T  --labels-all a,b  --labels-any a,b  --meta k=v (repeatable)
//   --metric 'name>=0.8' (repeatable; >=, <=, >, <)  --order name  --limit N  --prefix model/ns/
// Flags accept `--flag value` and `--flag=value`. Plain value type.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace edgesync {

enum class CompareOp { kGreaterEqual, kLessEqual, kGreater, kLess };

const char* CompareOpName(CompareOp op);

struct MetricCondition {
  std::string metric;
  CompareOp op = CompareOp::kGreaterEqual;
  double threshold = 0;

  bool Matches(double value) const;
  // Parses "precision>=0.8".
  static Result<MetricCondition> Parse(std::string_view text);
  bool operator==(const MetricCondition&) const = default;
};

struct ModelQuery {
  std::string key_prefix;  // e.g. "model/site-a/"; empty = all models
  std::string task;        // exact match; empty = any
  std::vector<std::string> labels_all;  // the model has every one of these labels
  std::vector<std::string> labels_any;  // the model has at least one of these labels
  std::map<std::string, std::string> metadata;  // equality on free metadata
  std::vector<MetricCondition> metrics;         // a model lacking the metric does not match
  std::string order_by;  // metric name, best first in its direction; empty = by key
  size_t limit = 0;      // 0 = no limit

  // Parses command-line words such as {"--task", "object_detection", "--limit", "5"}.
  static Result<ModelQuery> Parse(const std::vector<std::string>& args);
  // Splits `text` into words (single and double quotes group) and parses them.
  static Result<ModelQuery> ParseText(std::string_view text);

  bool operator==(const ModelQuery&) const = default;
};

}  // namespace edgesync
