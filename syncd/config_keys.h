// The table of edgesyncd's configuration keys (docs/config.md), one entry per key: its TOML name,
// its command-line flag, how its value is read into DaemonConfig and compared, and whether SIGHUP
// applies it. The TOML loader, the flag overrides and the restart check (daemon_config.cpp) and
// the flag parser (daemon_flags.cpp) all walk it, so a new key is one entry in config_keys.cpp.
// The table is built once and never changes: safe for concurrent access.
#pragma once

#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "base/status.h"

namespace edgesync {

struct DaemonConfig;

// How a key's flag takes its value on the command line.
enum class FlagArity {
  kOne,       // --flag VALUE; given twice, the last value counts
  kRepeated,  // --flag VALUE, repeatable; the values replace the file's (labels are added)
  kSwitch,    // --flag alone turns the key on
};

// What a SIGHUP reload does with a changed value.
enum class OnSighup {
  kRestart,   // nothing: the daemon logs that the key takes effect after a restart
  kReloaded,  // applied at once (Daemon::Reload)
};

// A value from the TOML file, with what its errors and relative paths refer to.
struct TomlValue {
  const toml::node& node;
  std::string_view source;                // file name, for "source:line" in errors
  std::string_view key;                   // "table.key"
  const std::filesystem::path& base_dir;  // relative paths are relative to the file's directory

  std::string Where() const;                       // "source:line"
  Status MustBe(std::string_view expected) const;  // "...: key 'k' must be <expected>"
  Status Invalid(const Status& why) const;         // "...: key 'k': <why>"
};

// How one kind of value (a size, a path, an address...) is read from the file and from flags
// into its DaemonConfig member, and compared. Built by the typed helpers in config_keys.cpp.
struct KeyType {
  FlagArity arity;
  // Errors name the file, line and key.
  std::function<Status(const TomlValue&, DaemonConfig*)> read_toml;
  // The flag's values (one for kOne, none for kSwitch); relative paths are relative to `cwd`.
  // Errors do not name the flag: the caller does. Null for types no flag uses.
  std::function<Status(const std::vector<std::string>& values, const std::filesystem::path& cwd,
                       DaemonConfig*)>
      read_flag;
  // Whether two configurations hold the same value, as the restart check sees it.
  std::function<bool(const DaemonConfig&, const DaemonConfig&)> same;
};

struct ConfigKey {
  std::string_view name;       // "table.key" in the file
  std::string_view flag;       // "--flag"; empty when only the file sets the key
  std::string_view flag_help;  // --help shows "<name>: <flag_help>"
  OnSighup on_sighup;
  KeyType type;
};

// Every key, grouped by TOML table.
std::span<const ConfigKey> ConfigKeys();

// The key named "table.key", or null.
const ConfigKey* FindConfigKey(std::string_view name);

}  // namespace edgesync
