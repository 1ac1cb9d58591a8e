#include "checkout/fleet_deployments.h"

namespace edgesync {

nlohmann::json DeploymentReport(const DeploymentView& view) {
  return {{"key", view.spec.key},
          {"channel", view.spec.channel},
          {"target", view.state.target},
          {"active", view.state.active},
          {"state", view.state.state},
          {"last_error", view.state.last_error},
          {"failed_versions", view.state.failed_versions},
          {"updated_ms", view.state.updated_ms}};
}

Result<std::vector<RolloutRow>> RolloutStatus(Catalog& catalog, const std::string& key) {
  std::vector<RolloutRow> rows;
  Status listed = catalog.ForEachMetaDocument(kFleetDeploymentsPrefix, [&](const std::string& document,
                                                                          const nlohmann::json& fields) {
    for (const auto& [name, report] : fields.items()) {
      if (!report.is_object() || report.value("key", "") != key) continue;
      rows.push_back({document.substr(sizeof(kFleetDeploymentsPrefix) - 1), name, report});
    }
  });
  if (!listed.ok()) return listed;
  return rows;
}

}  // namespace edgesync
