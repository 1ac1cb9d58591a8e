// ModelSpec: the kind-specific spec of a model version, parsed, validated and canonicalized.
//
// A model is one object key with one history even when it is a joint-inference model made of
// parts (`edge`, `cloud`): each part's files live under `<part>/` inside the object, and its
// scripts and entrypoints are paths relative to that directory. Metrics carry a direction so
// that selection and conflict policies know which way is better. The canonical JSON (see
// docs/catalog.md) always spells out metric directions and part placements, so every node
// reads the same meaning from the same bytes. Plain value type; needs external synchronization.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync {

enum class MetricDirection { kHigherIsBetter, kLowerIsBetter };

// "higher" / "lower".
const char* MetricDirectionName(MetricDirection direction);
// Lower-is-better for loss, error and latency-like names (`latency_ms`, `val_loss`, `wer`...),
// higher-is-better otherwise. The list is in docs/catalog.md.
MetricDirection DefaultMetricDirection(std::string_view metric_name);
// Metric names are used in query strings: no whitespace, control characters or `<>=,`.
Status ValidateMetricName(std::string_view name);

struct Metric {
  double value = 0;
  MetricDirection direction = MetricDirection::kHigherIsBetter;
  bool operator==(const Metric&) const = default;
};

struct ModelPart {
  // Paths relative to the part directory `<name>/`.
  std::string preprocess, postprocess;
  std::vector<std::string> entrypoints;
  std::string format;                             // optional, overrides the model's
  std::vector<std::string> devices;               // optional device/SoC list of the part
  std::map<std::string, std::string> placement;   // node labels; edge/cloud default to role=<part>
  bool operator==(const ModelPart&) const = default;
};

struct ModelSpec {
  std::string format;     // e.g. onnx, tensorrt, savedmodel
  std::string framework;  // e.g. pytorch
  std::string task;       // object_detection, image_classification, face_recognition, free text
  std::vector<std::string> labels;  // class order kept; duplicates refused
  std::map<std::string, Metric> metrics;
  std::vector<std::string> devices;  // device / SoC list
  std::map<std::string, std::string> metadata;
  std::string preprocess, postprocess;  // paths inside the object
  std::vector<std::string> entrypoints;
  std::map<std::string, ModelPart> parts;

  // Parses a spec JSON text; errors name the offending field.
  static Result<ModelSpec> Parse(std::string_view json_text);
  static Result<ModelSpec> FromJson(const nlohmann::json& j);

  nlohmann::json ToJson() const;
  // Sorted keys, compact; what is stored as the manifest's spec_json.
  std::string ToCanonicalJson() const { return ToJson().dump(); }

  // Checks that every referenced script and entrypoint is one of `paths` (paths inside the
  // object) and that each part has at least one file under `<part>/`.
  Status ValidateFiles(const std::set<std::string>& paths) const;

  bool operator==(const ModelSpec&) const = default;
};

}  // namespace edgesync
