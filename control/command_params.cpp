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
