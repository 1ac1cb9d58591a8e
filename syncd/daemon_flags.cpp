#include "syncd/daemon_flags.h"

#include <CLI/CLI.hpp>

#include "base/build_info.h"
#include "base/exit_codes.h"
#include "syncd/config_keys.h"

namespace edgesync {
namespace {

// Adds the flag of `key`, which records what it is given in `overrides`.
void AddConfigFlag(const ConfigKey& key, CLI::App* app, ConfigOverrides* overrides) {
  std::string flag(key.flag), name(key.name), help = name + ": " + std::string(key.flag_help);
  switch (key.type.arity) {
    case FlagArity::kOne:
      // A repeated single-valued flag takes its last value, as in most daemons.
      app->add_option_function<std::string>(
             flag, [overrides, name](const std::string& value) { (*overrides)[name] = {value}; }, help)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
      break;
    case FlagArity::kRepeated:
      app->add_option_function<std::vector<std::string>>(
          flag, [overrides, name](const std::vector<std::string>& values) { (*overrides)[name] = values; },
          help);
      break;
    case FlagArity::kSwitch:
      app->add_flag_callback(
          flag, [overrides, name] { overrides->try_emplace(name); }, help);
      break;
  }
}

}  // namespace

std::variant<DaemonInvocation, int> ParseDaemonFlags(int argc, char** argv) {
  DaemonInvocation inv;
  CLI::App app{"edgesyncd " EDGESYNC_VERSION
               " - syncs ML models, datasets and metadata between edge and cloud nodes.\n"
               "Configuration: defaults < TOML file (--config) < flags. See docs/config.md.\n"
               "Exit codes: 0 ok, 1 runtime error, 2 usage, 78 configuration error.",
               "edgesyncd"};
  app.set_version_flag("--version", VersionLine("edgesyncd"));
  std::string config_file;
  app.add_option("-c,--config", config_file,
                 "TOML configuration file (default: $CONFIGURATION_DIRECTORY/edgesync.toml "
                 "when run by systemd, else none)");
  app.add_flag("--check-config", inv.check_config_only, "validate the configuration, print it, and exit");
  app.add_option("--restore-from", inv.restore_from,
                 "s3://bucket/prefix: rebuild the (empty) store from the chunk tier's newest "
                 "metadata checkpoint, then serve");
  for (const ConfigKey& key : ConfigKeys()) {
    if (!key.flag.empty()) AddConfigFlag(key, &app, &inv.overrides);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  inv.config_file = config_file;
  return inv;
}

}  // namespace edgesync
