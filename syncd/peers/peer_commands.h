// Control-socket methods for peers at runtime: `peers.add` and `peers.rm` (`{"address":
// "host:port"}`) dial or drop a peer at once and remember it across restarts; `peers.ls` lists
// the static peers (network.peers) and those added at runtime. `peers` (control/) still lists
// the links.
#pragma once

#include "control/command_dispatcher.h"
#include "syncd/peer_network.h"

namespace edgesync {

// REQUIRES: `network` outlives the dispatcher's use.
void RegisterPeerCommands(CommandDispatcher& dispatcher, PeerNetwork& network);

}  // namespace edgesync
