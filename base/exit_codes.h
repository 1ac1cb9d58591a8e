// Process exit codes of edgesyncd and edgesync. They are part of the operator interface:
// systemd/edgesyncd.service lists the configuration ones in RestartPreventExitStatus= and
// docs/operations.md / docs/cli.md document them. Never renumber.
#pragma once

namespace edgesync {

// edgesyncd
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // store failure or fatal error while running
inline constexpr int kExitUsage = 2;         // bad command line flags
inline constexpr int kExitConfig = 78;       // EX_CONFIG: bad configuration; restarting cannot help

// edgesync (the CLI) shares 0, 1 (the daemon answered with an error) and 2 (usage), plus:
inline constexpr int kExitDaemonUnreachable = 3;

}  // namespace edgesync
