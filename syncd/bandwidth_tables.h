// The bandwidth tables of the daemon's config file (docs/config.md): `[[network.rate_schedule]]`
// windows and `[[network.peer_rates]]` per-peer overrides, read into limits/ values, and the
// `sync.priorities` entries ("glob=class"). Errors name the file, line and field.
// Thread-safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "base/status.h"
#include "limits/bandwidth_limiter.h"
#include "limits/priority_class.h"
#include "limits/rate_schedule.h"

namespace edgesync {

struct TomlValue;

// Each table: days, from, to (required), send, recv (optional rates). Overlapping windows are
// an error naming both.
Status ReadRateSchedule(const TomlValue& value, std::vector<limits::RateWindow>* out);
// Each table: node (a node id) or labels ("role=edge,site=hall-3"), and send and/or recv.
Status ReadPeerRates(const TomlValue& value, std::vector<limits::PeerRateOverride>* out);
// "model/*-hotfix=urgent": a key glob and its class (split at the last '=').
Result<limits::PriorityRule> ParsePriorityRule(std::string_view text);

}  // namespace edgesync
