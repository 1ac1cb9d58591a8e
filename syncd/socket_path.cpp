#include "syncd/socket_path.h"

#include <unistd.h>

#include <cstdlib>
#include <system_error>

namespace edgesync {
namespace {

std::string EnvOrEmpty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// systemd passes several directories separated by ':' when the unit lists several.
std::string FirstEntry(const std::string& list) { return list.substr(0, list.find(':')); }

}  // namespace

ProcessEnvironment ProcessEnvironment::FromProcess() {
  ProcessEnvironment env;
  std::error_code ec;
  env.cwd = std::filesystem::current_path(ec);
  if (ec) env.cwd = "/";
  env.state_directory = FirstEntry(EnvOrEmpty("STATE_DIRECTORY"));
  env.runtime_directory = FirstEntry(EnvOrEmpty("RUNTIME_DIRECTORY"));
  env.configuration_directory = FirstEntry(EnvOrEmpty("CONFIGURATION_DIRECTORY"));
  env.xdg_runtime_dir = EnvOrEmpty("XDG_RUNTIME_DIR");
  env.credentials_directory = EnvOrEmpty("CREDENTIALS_DIRECTORY");
  env.uid = ::getuid();
  return env;
}

std::filesystem::path DefaultDataDir(const ProcessEnvironment& env) {
  if (!env.state_directory.empty()) return env.state_directory;
  return env.cwd / "data";
}

std::filesystem::path DefaultControlSocket(const std::filesystem::path& data_dir,
                                           const ProcessEnvironment& env) {
  if (!env.runtime_directory.empty()) {
    return std::filesystem::path(env.runtime_directory) / "control.sock";
  }
  std::filesystem::path beside = (data_dir.is_absolute() ? data_dir : env.cwd / data_dir);
  beside = beside.lexically_normal() / "control.sock";
  if (beside.native().size() <= kMaxUnixSocketPathBytes) return beside;
  if (!env.xdg_runtime_dir.empty()) {
    return std::filesystem::path(env.xdg_runtime_dir) / "edgesync" / "control.sock";
  }
  return std::filesystem::path("/tmp") / ("edgesync-" + std::to_string(env.uid)) / "control.sock";
}

Status CheckUnixSocketPath(const std::filesystem::path& path) {
  if (path.empty()) return Status::InvalidArgument("control socket path is empty");
  if (path.native().size() > kMaxUnixSocketPathBytes) {
    return Status::InvalidArgument("control socket path " + path.string() + " is " +
                                   std::to_string(path.native().size()) +
                                   " bytes; a unix socket path holds at most " +
                                   std::to_string(kMaxUnixSocketPathBytes));
  }
  return Status::Ok();
}

std::filesystem::path DefaultConfigFile(const ProcessEnvironment& env) {
  if (env.configuration_directory.empty()) return {};
  std::filesystem::path candidate =
      std::filesystem::path(env.configuration_directory) / "edgesync.toml";
  std::error_code ec;
  return std::filesystem::exists(candidate, ec) ? candidate : std::filesystem::path();
}

}  // namespace edgesync
