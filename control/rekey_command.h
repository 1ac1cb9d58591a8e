// Control-socket method `store.rekey`: rewraps the store's data key under the key in another
// key file (docs/cli.md `store rekey`). The daemon reads that file itself, so the key never
// crosses the socket or a command line; the data is not rewritten, so readers and writers go
// on meanwhile.
#pragma once

#include "control/command_dispatcher.h"
#include "store/store.h"

namespace edgesync {

// REQUIRES: `store` outlives the dispatcher's use.
void RegisterRekeyCommand(CommandDispatcher& dispatcher, Store& store);

}  // namespace edgesync
