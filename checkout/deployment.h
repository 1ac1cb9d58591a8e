// Deployment: what the daemon keeps in service on this node (a key's version at a directory,
// with the hooks that tell the inference service and check it), and where that stands. The
// spec is the operator's; the state is the daemon's. Both round-trip through JSON for the
// registry file and the control protocol. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync {

struct DeploymentSpec {
  std::string name;  // [A-Za-z0-9._-], 1-64
  std::string key;   // a model key
  std::filesystem::path dir;  // absolute: the symlink the service reads
  std::string part;           // a joint model's part ("" = every file)
  std::string version;        // pinned version id ("" = follow the latest, or the channel)
  std::string channel;        // follow what meta/releases names for this node (release_rules.h)
  std::vector<std::string> on_switch;  // argv run after every switch (and switch back)
  std::vector<std::string> health;     // argv run until it exits 0 or health_timeout passes
  uint64_t health_timeout_ms = 30'000;

  // InvalidArgument naming the field.
  Status Validate() const;
  nlohmann::json ToJson() const;
  static Result<DeploymentSpec> FromJson(const nlohmann::json& j);
};

// Where a deployment stands. `state` is one of:
//   waiting      no version to deploy yet (none put, or deleted), or its part cannot be chosen
//   switching    writing and switching to `target`
//   checking     `target` is active, its health command has not passed yet
//   healthy      `active` is in service and passed its health check (or has none)
//   rolled_back  `target` failed its health check; `active` is the version before it
//   failed       `target` failed and there was nothing to roll back to, or a switch failed
struct DeploymentState {
  std::string state = "waiting";
  std::string target;  // the version the deployment wants
  std::string active;  // the version the directory shows
  std::string part;    // the part deployed: the spec's, or the one placed on this node
  std::string next;    // a version released for later (release --at), staged until then
  uint64_t next_at_ms = 0;
  std::set<std::string> failed_versions;  // not tried again until `deploy retry`
  std::string last_error;
  uint64_t switches = 0;
  uint64_t rollbacks = 0;
  uint64_t updated_ms = 0;

  nlohmann::json ToJson() const;
  static DeploymentState FromJson(const nlohmann::json& j);
};

}  // namespace edgesync
