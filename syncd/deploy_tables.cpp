#include "syncd/deploy_tables.h"

#include "syncd/daemon_config.h"

namespace edgesync {
namespace {

std::string Where(const toml::node& node, std::string_view source) {
  return std::string(source) + ":" + std::to_string(node.source().begin.line);
}

Status ReadArgv(const toml::node& node, std::string_view source, const std::string& field,
                std::vector<std::string>* out) {
  const auto* array = node.as_array();
  if (!array) return Status::InvalidArgument(Where(node, source) + ": deploy." + field + " must be an array of strings");
  for (const auto& word : *array) {
    const auto* text = word.as_string();
    if (!text) return Status::InvalidArgument(Where(word, source) + ": deploy." + field + " must be an array of strings");
    out->push_back(text->get());
  }
  return Status::Ok();
}

}  // namespace

Status ReadDeployTables(const toml::node& node, std::string_view source, const std::filesystem::path& base_dir,
                        std::vector<DeployDeclaration>* out) {
  const auto* array = node.as_array();
  if (!array || !array->is_array_of_tables())
    return Status::InvalidArgument(Where(node, source) + ": 'deploy' must be [[deploy]] tables");
  for (const auto& element : *array) {
    const auto& table = *element.as_table();
    DeployDeclaration d;
    for (const auto& entry : table) {
      const std::string field(entry.first.str());
      const toml::node& value = entry.second;  // not a structured binding: lambdas capture it
      const std::string where = Where(value, source) + ": deploy." + field;
      auto text = [&](std::string* into) -> Status {
        const auto* s = value.as_string();
        if (!s) return Status::InvalidArgument(where + " must be a string");
        *into = s->get();
        return Status::Ok();
      };
      if (field == "name") EDGESYNC_RETURN_IF_ERROR(text(&d.name));
      else if (field == "key") EDGESYNC_RETURN_IF_ERROR(text(&d.key));
      else if (field == "part") EDGESYNC_RETURN_IF_ERROR(text(&d.part));
      else if (field == "version") EDGESYNC_RETURN_IF_ERROR(text(&d.version));
      else if (field == "channel") EDGESYNC_RETURN_IF_ERROR(text(&d.channel));
      else if (field == "dir") {
        std::string dir;
        EDGESYNC_RETURN_IF_ERROR(text(&dir));
        d.dir = (base_dir / dir).lexically_normal();
      } else if (field == "on_switch") {
        EDGESYNC_RETURN_IF_ERROR(ReadArgv(value, source, field, &d.on_switch));
      } else if (field == "health") {
        EDGESYNC_RETURN_IF_ERROR(ReadArgv(value, source, field, &d.health));
      } else if (field == "health_timeout") {
        std::string duration;
        EDGESYNC_RETURN_IF_ERROR(text(&duration));
        Result<uint64_t> ms = ParseDurationMs(duration);
        if (!ms.ok()) return Status::InvalidArgument(where + ": " + ms.status().message());
        d.health_timeout_ms = *ms;
      } else {
        return Status::InvalidArgument(where + ": unknown key");
      }
    }
    if (d.name.empty() || d.key.empty() || d.dir.empty())
      return Status::InvalidArgument(Where(element, source) + ": a [[deploy]] table needs name, key and dir");
    for (const auto& other : *out)
      if (other.name == d.name)
        return Status::InvalidArgument(Where(element, source) + ": deployment '" + d.name + "' is declared twice");
    out->push_back(std::move(d));
  }
  return Status::Ok();
}

}  // namespace edgesync
