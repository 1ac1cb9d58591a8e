// Control-socket method `fleet`: every node this node knows from the node records it holds
// (fleet/), however many hops away, with labels, software version, what each holds and runs,
// and how old its news is. Filtered by labels (`where`) and a key (`key`).
#pragma once

#include <functional>
#include <vector>

#include "control/command_dispatcher.h"
#include "fleet/fleet_view.h"

namespace edgesync {

// The node records this node holds, read when called (ReadFleet with the daemon's stale limit).
using FleetSource = std::function<Result<std::vector<FleetNode>>()>;

// REQUIRES: what `fleet` reads outlives the dispatcher's use.
void RegisterFleetCommands(CommandDispatcher& dispatcher, FleetSource fleet);

}  // namespace edgesync
