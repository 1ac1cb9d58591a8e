// What this build is: the project's version (VERSION at the top of the tree) and the git commit
// it was configured from ("unknown" outside a git checkout). Constants; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace edgesync {

// "0.1.0": the same string as the EDGESYNC_VERSION macro.
std::string_view BuildVersion();
// Abbreviated commit id (12 hex digits) or "unknown".
std::string_view BuildCommit();

// What `<program> --version` prints: "edgesyncd 0.1.0 (commit 4059bc7d2f1e)".
inline std::string VersionLine(std::string_view program) {
  return std::string(program) + " " + std::string(BuildVersion()) + " (commit " +
         std::string(BuildCommit()) + ")";
}

}  // namespace edgesync
