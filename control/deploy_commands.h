// Control-socket methods of deployments: deploy.add, deploy.ls, deploy.show, deploy.rm and
// deploy.retry (they return at once; the manager's worker switches), and release, which
// writes a channel rule into meta/releases (docs/control-protocol.md, docs/deploy.md).
#pragma once

#include "catalog/catalog.h"
#include "checkout/deployment_manager.h"
#include "control/command_dispatcher.h"

namespace edgesync {

// REQUIRES: all outlive the dispatcher's use.
void RegisterDeployCommands(CommandDispatcher& dispatcher, Store& store, Catalog& catalog,
                            DeploymentManager& deployments);

}  // namespace edgesync
