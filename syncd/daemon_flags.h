// Command-line flags of edgesyncd (CLI11). Each flag overrides one config key.
#pragma once

#include <variant>

#include "syncd/daemon.h"

namespace edgesync {

// Either the invocation to run, or an exit code when parsing ended the program (--help,
// --version: 0; bad flags: kExitUsage, message already printed).
std::variant<DaemonInvocation, int> ParseDaemonFlags(int argc, char** argv);

}  // namespace edgesync
