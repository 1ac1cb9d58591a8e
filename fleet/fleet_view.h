// The fleet as this node knows it from the node records it holds (node_record.h): every node
// that published one, however many hops away, with how old its news is. Used by `edgesync
// fleet`, `where` and `put --wait` (which add nodes past the direct peers), the status feed and
// the fleet gauges. Functions; thread-safe as the store and catalog are.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "fleet/node_record.h"
#include "replication/replicator.h"
#include "store/store.h"

namespace edgesync {

struct FleetNode {
  NodeRecord record;
  uint64_t age_ms = 0;  // now minus the record's updated_ms (0 when it is from the future)
  bool stale = false;   // older than the stale limit
};

// Every readable record under meta/nodes/ (unreadable or deleted ones are skipped), by node id.
Result<std::vector<FleetNode>> ReadFleet(Catalog& catalog, uint64_t now_ms, uint64_t stale_after_ms);

// The nodes whose labels include all of `where` (empty: all).
std::vector<FleetNode> NodesWhere(std::vector<FleetNode> fleet, const std::map<std::string, std::string>& where);

// `direct` (replication's view of the direct peers) completed from the records: a node known
// only by its record is added, not connected, `reported`; a direct peer whose record says it
// holds the version counts as holding it. `self` is never added.
std::vector<replication::PeerHolding> WithRecordedHolders(std::vector<replication::PeerHolding> direct,
                                                          const std::vector<FleetNode>& fleet, const std::string& key,
                                                          const std::string& version_id, const std::string& self);

}  // namespace edgesync
