#include "fleet/node_record.h"

#include <algorithm>

namespace edgesync {

using nlohmann::json;

json NodeRecord::ToFields() const {
  return {{"node", {{"id", node_id}, {"labels", labels}, {"version", software_version}}},
          {"holdings", holdings},
          {"keys_not_listed", keys_not_listed},
          {"deployments", deployments},
          {"disk", {{"store_bytes", store_bytes}, {"free_bytes", disk_free_bytes}}},
          {"last_change_ms", last_change_ms},
          {"updated_ms", updated_ms}};
}

Result<NodeRecord> NodeRecord::FromFields(const std::string& node_id, const json& fields) {
  if (!fields.is_object()) return Status::Corruption("node record of " + node_id + " is not an object");
  NodeRecord record;
  record.node_id = node_id;
  try {
    const json node = fields.value("node", json::object());
    record.labels = node.value("labels", std::map<std::string, std::string>());
    record.software_version = node.value("version", "");
    record.holdings = fields.value("holdings", std::map<std::string, std::vector<std::string>>());
    record.keys_not_listed = fields.value("keys_not_listed", uint64_t{0});
    record.deployments = fields.value("deployments", json::object());
    const json disk = fields.value("disk", json::object());
    record.store_bytes = disk.value("store_bytes", uint64_t{0});
    record.disk_free_bytes = disk.value("free_bytes", uint64_t{0});
    record.last_change_ms = fields.value("last_change_ms", uint64_t{0});
    record.updated_ms = fields.value("updated_ms", uint64_t{0});
  } catch (const json::exception& e) {
    return Status::Corruption("node record of " + node_id + ": " + e.what());
  }
  return record;
}

bool NodeRecord::Holds(const std::string& key, const std::string& version_id) const {
  auto it = holdings.find(key);
  return it != holdings.end() && std::find(it->second.begin(), it->second.end(), version_id) != it->second.end();
}

}  // namespace edgesync
