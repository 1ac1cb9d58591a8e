#include "control/catalog_commands.h"

#include <fstream>
#include <sstream>

#include "control/command_params.h"

namespace edgesync {
namespace {

using nlohmann::json;

Result<json> Select(const Catalog& catalog, const json& params) {
  std::vector<std::string> words;
  if (auto it = params.find("query"); it != params.end() && it->is_array()) {
    for (const json& word : *it) {
      if (!word.is_string()) return Status::InvalidArgument("\"query\" must be an array of strings");
      words.push_back(word.get<std::string>());
    }
  }
  Result<ModelQuery> query = ModelQuery::Parse(words);
  if (!query.ok()) return query.status();
  json models = json::array();
  for (const auto& selected : catalog.Select(*query)) {
    const SelectedModel& model = *selected;
    json metrics = json::object();
    for (const auto& [name, metric] : model.metrics) metrics[name] = metric.value;
    models.push_back({{"key", model.key},
                      {"version", model.version_id},
                      {"task", model.task},
                      {"labels", model.labels},
                      {"metrics", metrics}});
  }
  return json{{"models", models}};
}

Result<json> Apply(Catalog& catalog, const json& params) {
  Result<std::filesystem::path> path = RequireAbsolutePath(params, "path");
  if (!path.ok()) return path.status();
  std::ifstream in(*path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path->string());
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<AppliedObject>> applied = catalog.ApplySedna(text.str(), path->parent_path());
  if (!applied.ok()) return applied.status();
  json objects = json::array();
  for (const AppliedObject& object : *applied) {
    objects.push_back({{"key", object.key}, {"version", object.version_id}});
  }
  return json{{"applied", objects}};
}

}  // namespace

void RegisterCatalogCommands(CommandDispatcher& dispatcher, Catalog& catalog) {
  dispatcher.Register("select", CommandLane::kQuick,
                      [&catalog](const json& p, CommandContext&) { return Select(catalog, p); });
  dispatcher.Register("apply", CommandLane::kBulk,
                      [&catalog](const json& p, CommandContext&) { return Apply(catalog, p); });
}

}  // namespace edgesync
