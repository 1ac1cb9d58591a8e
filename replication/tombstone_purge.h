// Purging tombstones: a deleted key cannot be remembered forever, and cannot be forgotten while
// a peer might still hold it alive and offer it back.
//
// A key whose heads are all tombstones is purged when (1) every peer that read this node's
// change log within `max_offline_ms` has read past the key's entry, and (2) every head is older
// than `max_offline_ms`. A peer silent for longer is not waited for: the store's purge mark
// makes this node tell it, at its next changes request, that it must compare everything and
// drop keys deleted meanwhile (Replicator does both sides).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace edgesync::replication {

// Returns the keys purged. `now_ms`: wall clock in ms since the epoch.
Result<std::vector<std::string>> PurgeTombstones(Store& store, uint64_t max_offline_ms, uint64_t now_ms);

}  // namespace edgesync::replication
