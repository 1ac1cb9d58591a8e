// The fleet's view of deployments: every node reports its deployments' states into its own
// replicated metadata document, meta/deployments/<node id> (one field per deployment), so any
// node that receives those documents (a cloud node subscribed to meta/*) can show, per node,
// which version of a model runs and which failed: `edgesync rollout status KEY`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "catalog/catalog.h"
#include "checkout/deployment_manager.h"
#include "store/store.h"

namespace edgesync {

inline constexpr char kFleetDeploymentsPrefix[] = "meta/deployments/";

// The field this node writes for `view` in its document.
nlohmann::json DeploymentReport(const DeploymentView& view);

struct RolloutRow {
  std::string node;        // the reporting node's id
  std::string deployment;  // its deployment's name
  nlohmann::json report;   // DeploymentReport
};

// Every reported deployment of `key` this node knows of, by node then deployment name.
Result<std::vector<RolloutRow>> RolloutStatus(Catalog& catalog, const std::string& key);

}  // namespace edgesync
