// CheckoutPins: keeps the version checked out at each target directory pinned in the store
// (a GC root) until the next switch, renewing the leases, and remembers the targets in
// <data_dir>/checkouts.json so a restarted daemon pins them again.
//
// Safe for concurrent access.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/chunk_id.h"
#include "store/store.h"

namespace edgesync {

class CheckoutPins {
 public:
  static constexpr std::chrono::minutes kLease{15};
  static constexpr std::chrono::minutes kRenewInterval{5};

  CheckoutPins(Store& store, std::filesystem::path registry_file);

  // Re-pins the targets recorded by an earlier run. Failures are logged, not fatal.
  void Restore();
  // Pins `manifest_id` for `target` and releases the pin of the version it replaces.
  Status Replace(const std::filesystem::path& target, const ChunkId& manifest_id);
  // Renews every lease (a new pin, then the old one released).
  void RenewAll();

 private:
  struct Entry {
    ChunkId manifest_id;
    std::string pin_id;
  };
  Status SaveLocked() REQUIRES(mu_);

  Store& store_;
  std::filesystem::path registry_file_;
  Mutex mu_;
  std::map<std::string, Entry> pins_ GUARDED_BY(mu_);  // target path -> pin
};

}  // namespace edgesync
