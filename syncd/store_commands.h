// Control-socket methods backed directly by the Store: put, get, ls, show, rm, history,
// rollback. The catalog facade (store/catalog) will take over the kind-aware ones (specs,
// dataset statistics, select, apply) when it lands; these handlers stay for plain objects.
#pragma once

#include <nlohmann/json.hpp>

#include "store/store.h"
#include "syncd/command_dispatcher.h"

namespace edgesync {

// REQUIRES: `store` outlives the dispatcher's use.
void RegisterStoreCommands(CommandDispatcher& dispatcher, Store& store);

// JSON view of a version shared by several responses.
nlohmann::json VersionJson(const VersionInfo& version);

}  // namespace edgesync
