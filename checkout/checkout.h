// Checkout: materializes a version for an inference process so that a reader never sees a
// half-written model.
//
// The version is written into <dir>.versions/<version-id> by Store::Materialize (into a
// temporary directory beside it, every file and directory fsynced, then renamed), and <dir> is
// a symlink switched atomically: a new symlink under a temporary name renamed over the old
// one, then the parent fsynced. The checked-out version is pinned (CheckoutPins) until the
// next switch; older version directories need no pin, their files are on disk.
//
// Readers: a reader that resolves the link once sees one complete version for at least the
// grace period (checkout.grace_period, default 60 s) after the link leaves it. Old version
// directories are kept by the rule of CheckoutRetention (grace period, at most
// checkout.max_old_versions of them; a switch that would need more is refused) and removed at
// a later switch of the same target.
//
// Parts: a checkout of one part of a joint model (catalog/model_spec.h) writes only the files
// under `<part>/`, without that prefix, as `get --part` does. A target holds one part: the part
// its version directories hold is recorded in <dir>.versions/.part (no marker: every file), and
// a checkout of another part into a target that still has version directories is refused.
//
// Links: <dir> itself is the one link checkout manages and replaces. <dir>'s parent path is
// resolved as given; a symlink at <dir>.versions, at a version directory or anywhere the files
// go is refused, naming it, never followed. Leftovers of interrupted checkouts
// (temporary names) in <dir>.versions are removed at the next switch.
//
// Safe for concurrent access; switches of the same target are serialized.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/destination_dir.h"
#include "store/store.h"
#include "checkout/checkout_pins.h"
#include "checkout/checkout_retention.h"
#include "checkout/part_locator.h"

namespace edgesync {

struct CheckoutResult {
  std::string key;
  std::string version;
  std::filesystem::path target;
  std::filesystem::path version_dir;
  std::string part;  // "" when every file was checked out
  size_t files = 0;
  uint64_t bytes = 0;
  bool switched = false;  // false when the target already showed this version
};

class CheckoutSwitcher {
 public:
  using Clock = CheckoutRetention::Clock;

  // REQUIRES: `store`, `pins` and `locator` outlive the switcher. `now` is the clock the
  // grace periods are measured with (tests pass their own).
  CheckoutSwitcher(Store& store, CheckoutPins& pins, const PartLocator& locator,
                   CheckoutRetentionPolicy retention,
                   std::function<Clock::time_point()> now = Clock::now);

  // Checks out `version_id` (empty: the latest) of `key` at `target` (absolute): the files of
  // `part` (a part name such as "edge"; "" = every file). `control` sees the bytes written and
  // may cancel before the link switches. A part the version does not have is NotFound; a part
  // other than the one `target` holds is FailedPrecondition.
  Result<CheckoutResult> Checkout(const ObjectKey& key, const std::filesystem::path& target,
                                  const std::string& version_id, const std::string& part,
                                  const TransferControl& control);

  // Writes `version_id`'s directory under <target>.versions without switching the link, so a
  // later Checkout of it is only the switch (a deployment stages a version that arrived before
  // it is released). The directory is an old version to the retention rule until it becomes
  // current; a checkout to it always reuses it. Refused like a switch when the retention rule
  // has no room. `switched` is false; `files` 0 when the directory was already there.
  Result<CheckoutResult> Stage(const ObjectKey& key, const std::filesystem::path& target,
                               const std::string& version_id, const std::string& part,
                               const TransferControl& control);

  // When a switch is made durable: before Checkout returns (kNow: the directory fsynced and
  // the version pinned), or by Settle (kAtSettle), so that a deployment can report the switch
  // and run its health check first. Until then a crash may bring back the previous link (never
  // a mix of versions); a deployment reconciles from what the directory shows.
  enum class Durability { kNow, kAtSettle };
  Result<CheckoutResult> Checkout(const ObjectKey& key, const std::filesystem::path& target,
                                  const std::string& version_id, const std::string& part,
                                  const TransferControl& control, Durability durability);

  // Makes the last switch at `target` durable if it is not yet (the parent directory fsynced,
  // the version pinned), then removes old version directories whose grace period is over: never
  // before the switch away from them is on disk. A switch to a staged version leaves this to
  // its caller.
  void Settle(const std::filesystem::path& target);

 private:
  // One checkout target: its switches are serialized by `mu`.
  struct Target {
    explicit Target(CheckoutRetentionPolicy policy) : retention(policy) {}
    Mutex mu;
    CheckoutRetention retention GUARDED_BY(mu);
    // The manifest of a switch not yet made durable (Durability::kAtSettle).
    std::optional<ChunkId> unsettled GUARDED_BY(mu);
  };
  std::shared_ptr<Target> TargetState(const std::filesystem::path& target);
  enum class Mode { kSwitch, kStageOnly };
  // Both entry points resolve the version and lock the target, then call SwitchLocked.
  Result<CheckoutResult> Run(const ObjectKey& key, const std::filesystem::path& target,
                             const std::string& version_id, const std::string& part,
                             const TransferControl& control, Mode mode, Durability durability);
  // Removes the old version directories whose grace period is over, except `keep`.
  void RemoveExpired(Target& state, const DestinationDir& versions, const std::string& keep,
                     Clock::time_point now) REQUIRES(state.mu);
  Result<CheckoutResult> SwitchLocked(Target& state, const VersionInfo& version,
                                      const Manifest& manifest,
                                      const std::filesystem::path& target,
                                      const std::string& part,
                                      const TransferControl& control, Mode mode, Durability durability)
      REQUIRES(state.mu);

  Store& store_;
  CheckoutPins& pins_;
  const PartLocator& locator_;
  const CheckoutRetentionPolicy retention_;
  const std::function<Clock::time_point()> now_;
  Mutex targets_mu_;
  std::map<std::string, std::shared_ptr<Target>> targets_ GUARDED_BY(targets_mu_);
};

// The link's current version id ("" when `target` is not a checkout link).
std::string CurrentCheckoutVersion(const std::filesystem::path& target);

}  // namespace edgesync
