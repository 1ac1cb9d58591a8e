// Control-socket methods on objects: put, get, ls, show, rm, history, rollback. Reads and
// plain writes go to the Store; puts of models with a spec and of datasets go through the
// Catalog, which validates specs and computes dataset statistics on ingest.
#pragma once

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "store/store.h"
#include "control/command_dispatcher.h"
#include "checkout/part_locator.h"

namespace edgesync {

// REQUIRES: `store`, `catalog` and `locator` outlive the dispatcher's use.
// `locator` explains a get of a model part not placed on this node.
// `max_offline_ms`: sync.max_offline, for the tombstone purge `gc` runs first.
void RegisterStoreCommands(CommandDispatcher& dispatcher, Store& store, Catalog& catalog,
                           const PartLocator& locator, uint64_t max_offline_ms);

// What a garbage collection did, for the `gc` method and the daemon's log.

// JSON view of a version shared by several responses.
nlohmann::json VersionJson(const VersionInfo& version);

}  // namespace edgesync
