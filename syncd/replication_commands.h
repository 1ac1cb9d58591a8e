// Control-socket methods of replication: `peers` (links, counters, lag, recent refusals),
// `resync` (forget checkpoints and re-read every connected peer's log), `where` (which nodes
// hold a key, as far as this node knows, and versions of it no connected peer can serve) and
// `wait` (until N peers, or every known peer with a label, hold a version; `put --wait`).
#pragma once

#include "syncd/command_dispatcher.h"
#include "syncd/peer_network.h"

namespace edgesync {

// REQUIRES: `network` outlives the dispatcher's use.
void RegisterReplicationCommands(CommandDispatcher& dispatcher, PeerNetwork& network);

// Versions this node wants and no connected peer can serve, as `where` and `status` show them.
nlohmann::json UnservedJson(replication::Replicator& replicator);

}  // namespace edgesync
