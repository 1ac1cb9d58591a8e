#include "catalog/model_spec.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

#include "store/object_key.h"

namespace edgesync {

using json = nlohmann::json;

namespace {

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("model spec: field '" + field + "' " + what);
}

Status GetString(const json& obj, const char* name, const std::string& path, std::string* out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Bad(path + name, "must be a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status GetStringList(const json& obj, const char* name, const std::string& path,
                     std::vector<std::string>* out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Bad(path + name, "must be a list of strings");
  std::set<std::string> seen;
  for (const auto& v : *it) {
    if (!v.is_string()) return Bad(path + name, "must be a list of strings");
    auto s = v.get<std::string>();
    if (s.empty()) return Bad(path + name, "contains an empty string");
    if (!seen.insert(s).second) return Bad(path + name, "lists '" + s + "' twice");
    out->push_back(std::move(s));
  }
  return Status::Ok();
}

Status GetStringMap(const json& obj, const char* name, const std::string& path,
                    std::map<std::string, std::string>* out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return Bad(path + name, "must be an object of strings");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) return Bad(path + name + "." + k, "must be a string");
    (*out)[k] = v.get<std::string>();
  }
  return Status::Ok();
}

Status CheckKnownFields(const json& obj, const std::string& path,
                        std::initializer_list<const char*> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; }))
      return Status::InvalidArgument("model spec: unknown field '" + path + k + "'");
  }
  return Status::Ok();
}

Result<MetricDirection> ParseDirection(const json& v, const std::string& field) {
  if (v.is_string()) {
    auto s = v.get<std::string>();
    if (s == "higher") return MetricDirection::kHigherIsBetter;
    if (s == "lower") return MetricDirection::kLowerIsBetter;
  }
  return Bad(field, "must be \"higher\" or \"lower\"");
}

Status ParseMetrics(const json& j, ModelSpec* spec) {
  std::map<std::string, MetricDirection> declared;
  if (auto it = j.find("metric_directions"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Bad("metric_directions", "must be an object");
    for (const auto& [name, v] : it->items()) {
      auto dir = ParseDirection(v, "metric_directions." + name);
      if (!dir.ok()) return dir.status();
      declared[name] = *dir;
    }
  }
  auto it = j.find("metrics");
  if (it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Bad("metrics", "must be an object of name -> number");
    for (const auto& [name, v] : it->items()) {
      const std::string field = "metrics." + name;
      EDGESYNC_RETURN_IF_ERROR(ValidateMetricName(name).WithContext("model spec: field '" + field + "'"));
      Metric m;
      m.direction = DefaultMetricDirection(name);
      const json* number = &v;
      if (v.is_object()) {
        for (const auto& [k, unused] : v.items())
          if (k != "value" && k != "direction")
            return Status::InvalidArgument("model spec: unknown field '" + field + "." + k + "'");
        if (!v.contains("value")) return Bad(field + ".value", "is required");
        number = &v.at("value");
        if (v.contains("direction")) {
          auto dir = ParseDirection(v.at("direction"), field + ".direction");
          if (!dir.ok()) return dir.status();
          m.direction = *dir;
        }
      }
      if (!number->is_number()) return Bad(field, "must be a number");
      m.value = number->get<double>();
      if (!std::isfinite(m.value)) return Bad(field, "must be a finite number");
      if (auto d = declared.find(name); d != declared.end()) m.direction = d->second;
      spec->metrics[name] = m;
    }
  }
  for (const auto& [name, dir] : declared)
    if (!spec->metrics.count(name))
      return Bad("metric_directions." + name, "names a metric that is not in 'metrics'");
  return Status::Ok();
}

Status ValidatePartName(const std::string& name) {
  if (name.empty() || name.size() > 63) return Bad("parts", "has a part name that is empty or longer than 63 bytes");
  for (unsigned char c : name)
    if (!(std::islower(c) || std::isdigit(c) || c == '-' || c == '_'))
      return Bad("parts." + name, "has an invalid name (use a-z, 0-9, '-', '_')");
  return Status::Ok();
}

Status ParsePart(const std::string& name, const json& pj, ModelPart* part) {
  const std::string path = "parts." + name + ".";
  if (!pj.is_object()) return Bad("parts." + name, "must be an object");
  EDGESYNC_RETURN_IF_ERROR(CheckKnownFields(
      pj, path, {"preprocess", "postprocess", "entrypoints", "format", "devices", "placement"}));
  EDGESYNC_RETURN_IF_ERROR(GetString(pj, "preprocess", path, &part->preprocess));
  EDGESYNC_RETURN_IF_ERROR(GetString(pj, "postprocess", path, &part->postprocess));
  EDGESYNC_RETURN_IF_ERROR(GetStringList(pj, "entrypoints", path, &part->entrypoints));
  EDGESYNC_RETURN_IF_ERROR(GetString(pj, "format", path, &part->format));
  EDGESYNC_RETURN_IF_ERROR(GetStringList(pj, "devices", path, &part->devices));
  EDGESYNC_RETURN_IF_ERROR(GetStringMap(pj, "placement", path, &part->placement));
  if (part->placement.empty()) {
    if (name != "edge" && name != "cloud")
      return Bad(path + "placement", "is required (only parts 'edge' and 'cloud' have a default)");
    part->placement["role"] = name;
  }
  return Status::Ok();
}

Status CheckPathIn(const std::set<std::string>& paths, const std::string& dir,
                   const std::string& rel, const std::string& field) {
  if (rel.empty()) return Status::Ok();
  EDGESYNC_RETURN_IF_ERROR(ValidateRelativePath(rel).WithContext("model spec: field '" + field + "'"));
  const std::string full = dir + rel;
  if (!paths.count(full))
    return Status::InvalidArgument("model spec: field '" + field + "' names '" + full +
                                   "', which is not a file of the model");
  return Status::Ok();
}

Status CheckScripts(const std::set<std::string>& paths, const std::string& dir,
                    const std::string& field_prefix, const std::string& pre,
                    const std::string& post, const std::vector<std::string>& entrypoints) {
  EDGESYNC_RETURN_IF_ERROR(CheckPathIn(paths, dir, pre, field_prefix + "preprocess"));
  EDGESYNC_RETURN_IF_ERROR(CheckPathIn(paths, dir, post, field_prefix + "postprocess"));
  for (const auto& e : entrypoints)
    EDGESYNC_RETURN_IF_ERROR(CheckPathIn(paths, dir, e, field_prefix + "entrypoints"));
  return Status::Ok();
}

void PutIfSet(json& j, const char* name, const std::string& v) {
  if (!v.empty()) j[name] = v;
}

}  // namespace

const char* MetricDirectionName(MetricDirection direction) {
  return direction == MetricDirection::kLowerIsBetter ? "lower" : "higher";
}

MetricDirection DefaultMetricDirection(std::string_view metric_name) {
  std::string n(metric_name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  static constexpr std::array<std::string_view, 14> kExact = {
      "loss", "latency", "error", "error_rate", "mae", "mse", "rmse", "wer", "cer",
      "fpr", "fnr", "eer", "perplexity", "size_bytes"};
  static constexpr std::array<std::string_view, 7> kSuffixes = {
      "_ms", "_us", "_seconds", "_loss", "_error", "_bytes", "_latency"};
  static constexpr std::array<std::string_view, 3> kPrefixes = {"latency", "loss", "error"};
  for (auto e : kExact)
    if (n == e) return MetricDirection::kLowerIsBetter;
  for (auto s : kSuffixes)
    if (n.size() > s.size() && n.ends_with(s)) return MetricDirection::kLowerIsBetter;
  for (auto p : kPrefixes)
    if (n.starts_with(p)) return MetricDirection::kLowerIsBetter;
  return MetricDirection::kHigherIsBetter;
}

Status ValidateMetricName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("metric name is empty");
  if (name.size() > 128) return Status::InvalidArgument("metric name longer than 128 bytes");
  for (unsigned char c : name) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '=' || c == ',')
      return Status::InvalidArgument("metric name '" + std::string(name) +
                                     "' contains whitespace, a control character or one of <>=,");
  }
  return Status::Ok();
}

Result<ModelSpec> ModelSpec::Parse(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("model spec is not valid JSON: ") + e.what());
  }
  return FromJson(j);
}

Result<ModelSpec> ModelSpec::FromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("model spec must be a JSON object");
  ModelSpec spec;
  EDGESYNC_RETURN_IF_ERROR(CheckKnownFields(
      j, "", {"kind", "format", "framework", "task", "labels", "metrics", "metric_directions",
              "devices", "metadata", "preprocess", "postprocess", "entrypoints", "parts"}));
  if (auto it = j.find("kind"); it != j.end() && *it != "model")
    return Bad("kind", "must be \"model\"");
  EDGESYNC_RETURN_IF_ERROR(GetString(j, "format", "", &spec.format));
  EDGESYNC_RETURN_IF_ERROR(GetString(j, "framework", "", &spec.framework));
  EDGESYNC_RETURN_IF_ERROR(GetString(j, "task", "", &spec.task));
  EDGESYNC_RETURN_IF_ERROR(GetStringList(j, "labels", "", &spec.labels));
  EDGESYNC_RETURN_IF_ERROR(ParseMetrics(j, &spec));
  EDGESYNC_RETURN_IF_ERROR(GetStringList(j, "devices", "", &spec.devices));
  EDGESYNC_RETURN_IF_ERROR(GetStringMap(j, "metadata", "", &spec.metadata));
  EDGESYNC_RETURN_IF_ERROR(GetString(j, "preprocess", "", &spec.preprocess));
  EDGESYNC_RETURN_IF_ERROR(GetString(j, "postprocess", "", &spec.postprocess));
  EDGESYNC_RETURN_IF_ERROR(GetStringList(j, "entrypoints", "", &spec.entrypoints));
  if (auto it = j.find("parts"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return Bad("parts", "must be an object of part name -> part");
    for (const auto& [name, pj] : it->items()) {
      EDGESYNC_RETURN_IF_ERROR(ValidatePartName(name));
      EDGESYNC_RETURN_IF_ERROR(ParsePart(name, pj, &spec.parts[name]));
    }
  }
  return spec;
}

json ModelSpec::ToJson() const {
  json j = json::object();
  j["kind"] = "model";
  PutIfSet(j, "format", format);
  PutIfSet(j, "framework", framework);
  PutIfSet(j, "task", task);
  PutIfSet(j, "preprocess", preprocess);
  PutIfSet(j, "postprocess", postprocess);
  if (!labels.empty()) j["labels"] = labels;
  if (!devices.empty()) j["devices"] = devices;
  if (!entrypoints.empty()) j["entrypoints"] = entrypoints;
  if (!metadata.empty()) j["metadata"] = metadata;
  if (!metrics.empty()) {
    json values = json::object(), directions = json::object();
    for (const auto& [name, m] : metrics) {
      values[name] = m.value;
      directions[name] = MetricDirectionName(m.direction);
    }
    j["metrics"] = std::move(values);
    j["metric_directions"] = std::move(directions);
  }
  if (!parts.empty()) {
    json pj = json::object();
    for (const auto& [name, p] : parts) {
      json one = json::object();
      PutIfSet(one, "preprocess", p.preprocess);
      PutIfSet(one, "postprocess", p.postprocess);
      PutIfSet(one, "format", p.format);
      if (!p.entrypoints.empty()) one["entrypoints"] = p.entrypoints;
      if (!p.devices.empty()) one["devices"] = p.devices;
      one["placement"] = p.placement;
      pj[name] = std::move(one);
    }
    j["parts"] = std::move(pj);
  }
  return j;
}

Status ModelSpec::ValidateFiles(const std::set<std::string>& paths) const {
  EDGESYNC_RETURN_IF_ERROR(CheckScripts(paths, "", "", preprocess, postprocess, entrypoints));
  for (const auto& [name, part] : parts) {
    const std::string dir = name + "/";
    auto it = paths.lower_bound(dir);
    if (it == paths.end() || !it->starts_with(dir))
      return Status::InvalidArgument("model spec: part '" + name + "' has no files (expected files under '" + dir + "')");
    EDGESYNC_RETURN_IF_ERROR(CheckScripts(paths, dir, "parts." + name + ".", part.preprocess,
                                          part.postprocess, part.entrypoints));
  }
  return Status::Ok();
}

}  // namespace edgesync
