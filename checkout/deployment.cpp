#include "checkout/deployment.h"

#include "store/object_key.h"

namespace edgesync {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxHealthTimeoutMs = 3'600'000;

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  return name != "." && name != "..";
}

Result<std::vector<std::string>> Argv(const json& j, const char* field) {
  std::vector<std::string> argv;
  if (!j.contains(field) || j[field].is_null()) return argv;
  if (!j[field].is_array()) return Status::InvalidArgument(std::string(field) + " must be an array of strings");
  for (const auto& a : j[field]) {
    if (!a.is_string()) return Status::InvalidArgument(std::string(field) + " must be an array of strings");
    argv.push_back(a.get<std::string>());
  }
  return argv;
}

}  // namespace

Status DeploymentSpec::Validate() const {
  if (!ValidName(name)) return Status::InvalidArgument("deployment name '" + name + "' must be 1-64 of [A-Za-z0-9._-]");
  Result<ObjectKey> parsed = ObjectKey::Parse(key);
  if (!parsed.ok()) return parsed.status().WithContext("deployment " + name);
  if (parsed->kind() != ObjectKind::kModel)
    return Status::InvalidArgument("deployment " + name + ": '" + key + "' is not a model (keys under model/)");
  if (!dir.is_absolute() || dir.filename().empty() || dir.lexically_normal() != dir)
    return Status::InvalidArgument("deployment " + name + ": dir must be a normal absolute path");
  if (!part.empty() && (part.find('/') != std::string::npos || part == "." || part == ".."))
    return Status::InvalidArgument("deployment " + name + ": part '" + part + "' must be one path segment");
  if (!version.empty() && !channel.empty())
    return Status::InvalidArgument("deployment " + name + ": give a version or a channel, not both");
  if (!channel.empty() && !ValidName(channel))
    return Status::InvalidArgument("deployment " + name + ": channel '" + channel + "' must be 1-64 of [A-Za-z0-9._-]");
  for (const auto* argv : {&on_switch, &health})
    if (!argv->empty() && argv->front().empty())
      return Status::InvalidArgument("deployment " + name + ": a command's first word is empty");
  if (health_timeout_ms == 0 || health_timeout_ms > kMaxHealthTimeoutMs)
    return Status::InvalidArgument("deployment " + name + ": health timeout must be 1 ms to 1 h");
  return Status::Ok();
}

json DeploymentSpec::ToJson() const {
  return {{"name", name},       {"key", key},         {"dir", dir.string()},   {"part", part},
          {"version", version}, {"channel", channel},     {"on_switch", on_switch}, {"health", health},
          {"health_timeout_ms", health_timeout_ms}};
}

Result<DeploymentSpec> DeploymentSpec::FromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("a deployment must be a JSON object");
  DeploymentSpec spec;
  auto text = [&](const char* field, std::string* out) -> Status {
    if (!j.contains(field) || j[field].is_null()) return Status::Ok();
    if (!j[field].is_string()) return Status::InvalidArgument(std::string(field) + " must be a string");
    *out = j[field].get<std::string>();
    return Status::Ok();
  };
  std::string dir;
  EDGESYNC_RETURN_IF_ERROR(text("name", &spec.name));
  EDGESYNC_RETURN_IF_ERROR(text("key", &spec.key));
  EDGESYNC_RETURN_IF_ERROR(text("dir", &dir));
  EDGESYNC_RETURN_IF_ERROR(text("part", &spec.part));
  EDGESYNC_RETURN_IF_ERROR(text("version", &spec.version));
  EDGESYNC_RETURN_IF_ERROR(text("channel", &spec.channel));
  spec.dir = dir;
  auto on_switch = Argv(j, "on_switch");
  if (!on_switch.ok()) return on_switch.status();
  spec.on_switch = std::move(on_switch).value();
  auto health = Argv(j, "health");
  if (!health.ok()) return health.status();
  spec.health = std::move(health).value();
  if (j.contains("health_timeout_ms")) {
    if (!j["health_timeout_ms"].is_number_unsigned())
      return Status::InvalidArgument("health_timeout_ms must be a positive number");
    spec.health_timeout_ms = j["health_timeout_ms"].get<uint64_t>();
  }
  EDGESYNC_RETURN_IF_ERROR(spec.Validate());
  return spec;
}

json DeploymentState::ToJson() const {
  return {{"state", state},
          {"target", target},
          {"active", active},
          {"part", part},
          {"next", next},
          {"next_at_ms", next_at_ms},
          {"failed_versions", failed_versions},
          {"last_error", last_error},
          {"switches", switches},
          {"rollbacks", rollbacks},
          {"updated_ms", updated_ms}};
}

DeploymentState DeploymentState::FromJson(const json& j) {
  DeploymentState s;
  if (!j.is_object()) return s;
  s.state = j.value("state", s.state);
  s.target = j.value("target", "");
  s.active = j.value("active", "");
  s.part = j.value("part", "");
  s.next = j.value("next", "");
  s.next_at_ms = j.value("next_at_ms", uint64_t{0});
  if (j.contains("failed_versions") && j["failed_versions"].is_array())
    for (const auto& v : j["failed_versions"])
      if (v.is_string()) s.failed_versions.insert(v.get<std::string>());
  s.last_error = j.value("last_error", "");
  s.switches = j.value("switches", uint64_t{0});
  s.rollbacks = j.value("rollbacks", uint64_t{0});
  s.updated_ms = j.value("updated_ms", uint64_t{0});
  return s;
}

}  // namespace edgesync
