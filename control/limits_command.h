// Control-socket method `limits`: the bandwidth limits in force now and until when (the
// schedule window, or the node-wide limits), the configuration they come from (node-wide
// rates, schedule, per-peer overrides) and the transfer priorities (docs/cli.md `limits`).
#pragma once

#include <functional>
#include <vector>

#include "control/command_dispatcher.h"
#include "limits/bandwidth_limiter.h"
#include "limits/priority_class.h"

namespace edgesync {

// The sync.priorities in force, read when called.
using PrioritySource = std::function<std::vector<limits::PriorityRule>()>;

// REQUIRES: `bandwidth` outlives the dispatcher's use.
void RegisterLimitsCommand(CommandDispatcher& dispatcher, limits::BandwidthLimiter& bandwidth,
                           PrioritySource priorities);

// The JSON answer of `limits` (also what the status feed shows of the limits).
nlohmann::json LimitsJson(const limits::BandwidthLimiter::Snapshot& snapshot,
                          const std::vector<limits::PriorityRule>& priorities);

}  // namespace edgesync
