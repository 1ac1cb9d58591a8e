// Control-socket methods of replication: `peers` (links, counters, lag, recent refusals),
// `resync` (forget checkpoints and re-read every connected peer's log), `where` (which nodes
// hold a key, as far as this node knows: its peers' logs and the node records of nodes further
// away, and versions of it no connected peer can serve) and `wait` (until N nodes, or every
// known node with a label, hold a version; `put --wait`).
#pragma once

#include <vector>

#include "control/command_dispatcher.h"
#include "control/fleet_commands.h"
#include "replication/link_refusals.h"
#include "replication/replicator.h"

namespace edgesync {

// What these methods read of the node's peers. The consumer owns the interface: the daemon's
// PeerNetwork (syncd/) implements it, so control/ does not depend on the daemon's wiring.
class PeerLinks {
 public:
  virtual ~PeerLinks() = default;
  virtual replication::Replicator& replicator() = 0;
  // Connections refused lately, newest first.
  virtual std::vector<LinkRefusal> RecentRefusals() const = 0;
  // False when the node has no transport (no peer listener and no peers configured).
  virtual bool networking() const = 0;
};

// REQUIRES: `network` outlives the dispatcher's use. `fleet` (may be empty) adds the nodes
// known by their records to `where` and `wait`; `self` is this node's id.
void RegisterReplicationCommands(CommandDispatcher& dispatcher, PeerLinks& network, FleetSource fleet,
                                 std::string self);

// Versions this node wants and no connected peer can serve, as `where` and `status` show them.
nlohmann::json UnservedJson(replication::Replicator& replicator);

}  // namespace edgesync
