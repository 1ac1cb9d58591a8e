// RunDaemon: the one place that builds edgesyncd's object graph (store, command handlers,
// worker pools, control socket, signals, watchdog) from a configuration and runs it until
// SIGTERM/SIGINT. Returns the process exit code (syncd/exit_codes.h). Call once per process.
#pragma once

#include <filesystem>

#include "syncd/daemon_config.h"

namespace edgesync {

struct DaemonInvocation {
  std::filesystem::path config_file;  // empty: $CONFIGURATION_DIRECTORY/edgesync.toml or none
  ConfigOverrides overrides;
  bool check_config_only = false;  // validate, print the effective configuration, exit
  // s3://bucket/prefix: rebuild an empty store from the chunk tier's newest metadata checkpoint
  // before opening it (the tier must be this one, or unset).
  std::string restore_from;
};

int RunDaemon(const DaemonInvocation& invocation);

}  // namespace edgesync
