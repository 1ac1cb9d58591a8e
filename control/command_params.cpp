#include "control/command_params.h"

namespace edgesync {

Result<std::string> RequireString(const nlohmann::json& params, const char* name) {
  auto it = params.find(name);
  if (it == params.end() || !it->is_string() || it->get<std::string>().empty()) {
    return Status::InvalidArgument(std::string("missing string parameter \"") + name + "\"");
  }
  return it->get<std::string>();
}

std::string OptionalString(const nlohmann::json& params, const char* name) {
  auto it = params.find(name);
  return (it != params.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

Result<std::map<std::string, std::string>> OptionalLabels(const nlohmann::json& params, const char* name) {
  std::map<std::string, std::string> labels;
  auto it = params.find(name);
  if (it == params.end() || it->is_null()) return labels;
  const std::string quoted = std::string("\"") + name + "\"";
  if (!it->is_object()) return Status::InvalidArgument(quoted + " must be an object of label -> value");
  for (const auto& [label, value] : it->items()) {
    if (!value.is_string()) return Status::InvalidArgument(quoted + " values must be strings");
    labels[label] = value.get<std::string>();
  }
  return labels;
}

bool OptionalBool(const nlohmann::json& params, const char* name) {
  auto it = params.find(name);
  return it != params.end() && it->is_boolean() && it->get<bool>();
}

Result<ObjectKey> RequireKey(const nlohmann::json& params) {
  Result<std::string> text = RequireString(params, "key");
  if (!text.ok()) return text.status();
  Result<ObjectKey> key = ObjectKey::Parse(*text);
  if (!key.ok()) return key.status().WithContext("key \"" + *text + "\"");
  return key;
}

Result<std::filesystem::path> RequireAbsolutePath(const nlohmann::json& params, const char* name) {
  Result<std::string> text = RequireString(params, name);
  if (!text.ok()) return text.status();
  std::filesystem::path path(*text);
  if (!path.is_absolute()) {
    return Status::InvalidArgument(std::string("\"") + name + "\" must be an absolute path");
  }
  return path.lexically_normal();
}

}  // namespace edgesync
