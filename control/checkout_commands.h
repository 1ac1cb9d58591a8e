// Control-socket method `checkout` (one switch, or following new versions with "watch": true).
#pragma once

#include "checkout/change_fanout.h"
#include "checkout/checkout.h"
#include "control/command_dispatcher.h"

namespace edgesync {

// REQUIRES: all three outlive the dispatcher's use.
void RegisterCheckoutCommands(CommandDispatcher& dispatcher, Store& store,
                              CheckoutSwitcher& switcher, ChangeFanout& changes);

}  // namespace edgesync
