// Control-socket methods on conflicts: `conflicts` (keys with concurrent heads, each head
// summarized against the common ancestor, plus the policy that applies) and `resolve` (`keep`:
// a new local version with one head's content that dominates every head; `merge`: resolve
// now by the key's policy, or by `merge` for a metadata document under keep-both).
// Handlers are thread-safe: the store and the monitor are.
#pragma once

#include "conflict/conflict_monitor.h"
#include "store/store.h"
#include "control/command_dispatcher.h"

namespace edgesync {

// REQUIRES: `store` and `monitor` outlive the dispatcher's use.
void RegisterConflictCommands(CommandDispatcher& dispatcher, Store& store,
                              conflict::ConflictMonitor& monitor);

}  // namespace edgesync
