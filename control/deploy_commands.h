// Control-socket methods of deployments: deploy.add, deploy.ls, deploy.show, deploy.rm and
// deploy.retry (docs/control-protocol.md). They return at once; the manager's worker switches.
#pragma once

#include "checkout/deployment_manager.h"
#include "control/command_dispatcher.h"

namespace edgesync {

// REQUIRES: `deployments` outlives the dispatcher's use.
void RegisterDeployCommands(CommandDispatcher& dispatcher, DeploymentManager& deployments);

}  // namespace edgesync
