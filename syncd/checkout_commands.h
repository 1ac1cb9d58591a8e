// Control-socket method `checkout` (one switch, or following new versions with "watch": true).
#pragma once

#include "syncd/change_fanout.h"
#include "syncd/checkout.h"
#include "syncd/command_dispatcher.h"

namespace edgesync {

// REQUIRES: all three outlive the dispatcher's use.
void RegisterCheckoutCommands(CommandDispatcher& dispatcher, Store& store,
                              CheckoutSwitcher& switcher, ChangeFanout& changes);

}  // namespace edgesync
