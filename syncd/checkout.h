// Checkout: materializes a version for an inference process so that a reader never sees a
// half-written model.
//
// The version is written into <dir>.versions/<version-id> (via a temporary sibling, every file
// and directory fsynced, then renamed), and <dir> is a symlink switched atomically: a new
// symlink under a temporary name renamed over the old one, then the parent fsynced. The
// checked-out version is pinned (CheckoutPins) until the next switch. After a switch, version
// directories older than the previous one are removed; the previous one stays so a reader that
// resolved the link just before the switch can finish.
//
// Safe for concurrent access; switches of the same target are serialized.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "store/store.h"
#include "syncd/checkout_pins.h"
#include "syncd/command_dispatcher.h"

namespace edgesync {

struct CheckoutResult {
  std::string key;
  std::string version;
  std::filesystem::path target;
  std::filesystem::path version_dir;
  size_t files = 0;
  uint64_t bytes = 0;
  bool switched = false;  // false when the target already showed this version
};

class CheckoutSwitcher {
 public:
  CheckoutSwitcher(Store& store, CheckoutPins& pins);

  // Checks out `version_id` (empty: the latest) of `key` at `target` (absolute).
  Result<CheckoutResult> Checkout(const ObjectKey& key, const std::filesystem::path& target,
                                  const std::string& version_id, CommandContext& context);

 private:
  std::shared_ptr<std::mutex> TargetMutex(const std::filesystem::path& target);

  Store& store_;
  CheckoutPins& pins_;
  std::mutex targets_mu_;
  std::map<std::string, std::shared_ptr<std::mutex>> target_mutexes_;  // guarded by targets_mu_
};

// The link's current version id ("" when `target` is not a checkout link).
std::string CurrentCheckoutVersion(const std::filesystem::path& target);

}  // namespace edgesync
