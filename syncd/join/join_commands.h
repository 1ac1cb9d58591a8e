// Control-socket method `cluster.token` (`edgesync cluster token`): a one-time join token on the
// node that serves token joins. Answers with the token (the only place it ever appears), the
// join endpoint's address and the CA fingerprint the new node pins.
#pragma once

#include <string>

#include "control/command_dispatcher.h"
#include "syncd/join/join_tokens.h"

namespace edgesync {

struct JoinEndpoint {
  std::string address;         // the bound join_listen address
  std::string ca_fingerprint;  // "sha256:..."
};

// `tokens` null: the node serves no token joins and the method says so.
// REQUIRES: `tokens` outlives the dispatcher's use.
void RegisterJoinCommands(CommandDispatcher& dispatcher, JoinTokenStore* tokens, JoinEndpoint endpoint);

}  // namespace edgesync
