// Control-socket methods of replication: `peers` (links, counters, lag, recent refusals),
// `resync` (forget checkpoints and re-read every connected peer's log) and `where` (which
// nodes hold a key, as far as this node knows).
#pragma once

#include "syncd/command_dispatcher.h"
#include "syncd/peer_network.h"

namespace edgesync {

// REQUIRES: `network` outlives the dispatcher's use.
void RegisterReplicationCommands(CommandDispatcher& dispatcher, PeerNetwork& network);

}  // namespace edgesync
