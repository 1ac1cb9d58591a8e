#include "control/fleet_commands.h"

#include "control/command_params.h"

namespace edgesync {
namespace {

using nlohmann::json;

json NodeJson(const FleetNode& node, const std::string& key) {
  const NodeRecord& r = node.record;
  json j = {{"node_id", r.node_id},
            {"labels", r.labels},
            {"software_version", r.software_version},
            {"age_ms", node.age_ms},
            {"stale", node.stale},
            {"updated_ms", r.updated_ms},
            {"last_change_ms", r.last_change_ms},
            {"store_bytes", r.store_bytes},
            {"disk_free_bytes", r.disk_free_bytes},
            {"deployments", r.deployments},
            {"keys", r.holdings.size() + r.keys_not_listed}};
  if (key.empty()) {
    j["holdings"] = r.holdings;
  } else {
    auto it = r.holdings.find(key);
    j["versions"] = it == r.holdings.end() ? json::array() : json(it->second);
  }
  return j;
}

Result<json> Fleet(const FleetSource& source, const json& params) {
  Result<std::map<std::string, std::string>> where = OptionalLabels(params, "where");
  if (!where.ok()) return where.status();
  const std::string key = OptionalString(params, "key");
  Result<std::vector<FleetNode>> fleet = source();
  if (!fleet.ok()) return fleet.status();
  json nodes = json::array();
  for (const FleetNode& node : NodesWhere(std::move(fleet).value(), *where)) nodes.push_back(NodeJson(node, key));
  return json{{"nodes", nodes}, {"key", key}, {"where", *where}};
}

}  // namespace

void RegisterFleetCommands(CommandDispatcher& dispatcher, FleetSource fleet) {
  dispatcher.Register("fleet", CommandLane::kQuick, [fleet = std::move(fleet)](const json& params, CommandContext&) {
    return Fleet(fleet, params);
  });
}

}  // namespace edgesync
