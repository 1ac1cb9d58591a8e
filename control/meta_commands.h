// Control-socket methods on metadata documents (`meta/...` keys), backed by the Catalog:
// `meta.set` (fields -> JSON values), `meta.unset` (field names), `meta.get` (the merged live
// view of the document's heads). Writes to `meta/policy` are checked as conflict policies
// first, so a typo cannot stop every node from resolving conflicts. Thread-safe.
#pragma once

#include "catalog/catalog.h"
#include "control/command_dispatcher.h"

namespace edgesync {

// REQUIRES: `store` and `catalog` outlive the dispatcher's use.
void RegisterMetaCommands(CommandDispatcher& dispatcher, Store& store, Catalog& catalog);

}  // namespace edgesync
