// ConflictMonitor: notices keys with concurrent heads and resolves them by the replicated policy.
//
// It listens to the store's commits; a key that gains a second head is resolved off the
// committing thread (through `run_blocking`) unless its policy is keep-both. The resolved
// version is applied like a replicated one, so it replaces the heads it joins and, being
// identical on every node that resolves the same heads, never conflicts with itself.
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conflict/policy.h"
#include "conflict/resolution.h"
#include "store/store.h"

namespace edgesync::conflict {

struct OpenConflict {
  std::string key;
  std::string policy;
  std::vector<VersionInfo> heads;
};

class ConflictMonitor {
 public:
  using RunBlocking = std::function<void(std::function<void()>)>;
  using Log = std::function<void(int level, const std::string& message)>;

  // Subscribes to `store`; both must outlive every task posted through `run_blocking`.
  ConflictMonitor(Store& store, RunBlocking run_blocking, Log log);

  // Resolves `key` now when it has concurrent heads and an automatic policy. Returns the
  // applied resolution, or std::nullopt when there was nothing to do.
  Result<std::optional<Resolution>> ResolveKey(const std::string& key);
  // The same under an explicit policy (an operator's `resolve --merge` on a metadata document
  // whose table policy is keep-both).
  Result<std::optional<Resolution>> ResolveKeyWith(const std::string& key, const ConflictPolicy& policy);
  // The policy table as currently replicated.
  Result<PolicyTable> CurrentPolicies();
  // Keys with more than one head.
  Result<std::vector<OpenConflict>> OpenConflicts();

 private:
  void OnChange(const Change& change);

  Store& store_;
  RunBlocking run_blocking_;
  Log log_;
};

}  // namespace edgesync::conflict
