// Control-socket methods backed by the catalog (store/catalog): `select` (model selection)
// and `apply` (Sedna YAML). Kind-aware puts go through CatalogPutRouter from store_commands.
#pragma once

#include "catalog/catalog.h"
#include "control/command_dispatcher.h"

namespace edgesync {

// REQUIRES: `catalog` outlives the dispatcher's use.
void RegisterCatalogCommands(CommandDispatcher& dispatcher, Catalog& catalog);

}  // namespace edgesync
