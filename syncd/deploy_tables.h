// `[[deploy]]` tables of the daemon's config file: deployments declared by the operator's
// configuration management instead of `edgesync deploy add` (docs/deploy.md). They are read
// here as plain values (this library does not depend on checkout/); the daemon hands them to
// its DeploymentManager at startup and on every reload (SIGHUP).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "base/status.h"

namespace edgesync {

struct DeployDeclaration {
  std::string name;
  std::string key;
  std::filesystem::path dir;
  std::string part;
  std::string version;
  std::string channel;
  std::vector<std::string> on_switch;  // argv; ["/bin/sh", "-c", "..."] for a shell
  std::vector<std::string> health;
  uint64_t health_timeout_ms = 30'000;

  bool operator==(const DeployDeclaration&) const = default;
};

// Reads the `deploy` array of tables; relative dirs are relative to `base_dir` (the file's).
// InvalidArgument naming the file, line and field.
Status ReadDeployTables(const toml::node& node, std::string_view source, const std::filesystem::path& base_dir,
                        std::vector<DeployDeclaration>* out);

}  // namespace edgesync
