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

Result<std::vector<RolloutRow>> RolloutStatus(Store& store, Catalog& catalog, const std::string& key) {
  std::vector<RolloutRow> rows;
  std::string after;
  for (;;) {
    Result<std::vector<std::string>> keys = store.ListKeys(kFleetDeploymentsPrefix, after, 1000);
    if (!keys.ok()) return keys.status();
    for (const std::string& document : *keys) {
      Result<ObjectKey> parsed = ObjectKey::Parse(document);
      if (!parsed.ok()) continue;
      Result<nlohmann::json> fields = catalog.ReadMetaDocument(*parsed);
      if (!fields.ok()) continue;  // deleted
      for (const auto& [name, report] : fields->items()) {
        if (!report.is_object() || report.value("key", "") != key) continue;
        rows.push_back({document.substr(sizeof(kFleetDeploymentsPrefix) - 1), name, report});
      }
    }
    if (keys->size() < 1000) break;
    after = keys->back();
  }
  return rows;
}

}  // namespace edgesync
