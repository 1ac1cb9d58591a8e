#include "syncd/fleet_record.h"

namespace edgesync {

void DeploymentDigest::Update(const DeploymentView& view) {
  MutexLock lock(mu_);
  if (view.state.state == "removed") {
    by_name_.erase(view.spec.name);
    return;
  }
  by_name_[view.spec.name] = {{"key", view.spec.key}, {"active", view.state.active}, {"state", view.state.state}};
}

nlohmann::json DeploymentDigest::Json() const {
  MutexLock lock(mu_);
  return by_name_;
}

FleetNodeSample SampleOf(const FleetNode& node) {
  FleetNodeSample sample;
  sample.node_id = node.record.node_id;
  sample.labels = node.record.labels;
  sample.software_version = node.record.software_version;
  sample.age_ms = node.age_ms;
  sample.stale = node.stale;
  sample.holdings = node.record.holdings;
  for (const auto& [name, d] : node.record.deployments.items()) {
    ++sample.deployments;
    const std::string state = d.is_object() ? d.value("state", "") : "";
    if (state == "failed" || state == "rolled_back") ++sample.deployments_failing;
  }
  return sample;
}

}  // namespace edgesync
