#include "fleet/fleet_view.h"

#include <algorithm>

namespace edgesync {

Result<std::vector<FleetNode>> ReadFleet(Catalog& catalog, uint64_t now_ms, uint64_t stale_after_ms) {
  std::vector<FleetNode> fleet;
  Status listed = catalog.ForEachMetaDocument(kNodeRecordPrefix, [&](const std::string& key, const nlohmann::json& fields) {
    Result<NodeRecord> record = NodeRecord::FromFields(key.substr(sizeof(kNodeRecordPrefix) - 1), fields);
    if (!record.ok()) return;
    FleetNode node{std::move(record).value()};
    node.age_ms = now_ms > node.record.updated_ms ? now_ms - node.record.updated_ms : 0;
    node.stale = node.age_ms > stale_after_ms;
    fleet.push_back(std::move(node));
  });
  if (!listed.ok()) return listed;
  return fleet;
}

std::vector<FleetNode> NodesWhere(std::vector<FleetNode> fleet, const std::map<std::string, std::string>& where) {
  std::erase_if(fleet, [&where](const FleetNode& node) {
    for (const auto& [label, value] : where) {
      auto it = node.record.labels.find(label);
      if (it == node.record.labels.end() || it->second != value) return true;
    }
    return false;
  });
  return fleet;
}

std::vector<replication::PeerHolding> WithRecordedHolders(std::vector<replication::PeerHolding> direct,
                                                          const std::vector<FleetNode>& fleet, const std::string& key,
                                                          const std::string& version_id, const std::string& self) {
  for (const FleetNode& node : fleet) {
    const NodeRecord& record = node.record;
    if (record.node_id == self) continue;
    auto peer = std::find_if(direct.begin(), direct.end(),
                             [&record](const replication::PeerHolding& p) { return p.node_id == record.node_id; });
    if (peer != direct.end()) {
      peer->holds = peer->holds || record.Holds(key, version_id);
      continue;
    }
    replication::PeerHolding reported{record.node_id, record.labels, false, record.Holds(key, version_id)};
    reported.reported = true;
    direct.push_back(std::move(reported));
  }
  return direct;
}

}  // namespace edgesync
