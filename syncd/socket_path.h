// Where the daemon keeps its data and its control socket when the configuration does not say.
//
// edgesyncd and edgesync call the same functions with the same inputs, so the CLI finds the
// socket the daemon bound without any configuration. Pure functions of a ProcessEnvironment
// (no global state), so the rules are unit-tested directly.
#pragma once

#include <filesystem>
#include <string>

#include "base/status.h"

namespace edgesync {

// sun_path holds 108 bytes including the terminating NUL.
inline constexpr size_t kMaxUnixSocketPathBytes = 107;

// The parts of the process environment the defaults depend on.
struct ProcessEnvironment {
  std::filesystem::path cwd;
  std::string state_directory;    // $STATE_DIRECTORY (systemd), first entry if ':'-separated
  std::string runtime_directory;  // $RUNTIME_DIRECTORY (systemd)
  std::string configuration_directory;  // $CONFIGURATION_DIRECTORY (systemd)
  std::string xdg_runtime_dir;    // $XDG_RUNTIME_DIR
  std::string credentials_directory;  // $CREDENTIALS_DIRECTORY (systemd LoadCredential*=)
  unsigned uid = 0;

  static ProcessEnvironment FromProcess();
};

// $STATE_DIRECTORY under systemd, else <cwd>/data.
std::filesystem::path DefaultDataDir(const ProcessEnvironment& env);

// $RUNTIME_DIRECTORY/control.sock under systemd; else <data_dir>/control.sock when that
// absolute path fits a unix socket; else $XDG_RUNTIME_DIR/edgesync/control.sock; else
// /tmp/edgesync-<uid>/control.sock.
std::filesystem::path DefaultControlSocket(const std::filesystem::path& data_dir,
                                           const ProcessEnvironment& env);

// InvalidArgument naming the path and its length when it does not fit sun_path.
Status CheckUnixSocketPath(const std::filesystem::path& path);

// $CONFIGURATION_DIRECTORY/edgesync.toml under systemd when it exists, else empty.
std::filesystem::path DefaultConfigFile(const ProcessEnvironment& env);

}  // namespace edgesync
