// DiskQuota: keeps the chunk bytes a node stores under storage.max_bytes and the free space of
// its filesystem above storage.min_free (docs/operations.md, "Retention and disk quota").
//
// Usage is the store's chunk bytes (Store::StoredChunkBytes, deduplicated) plus what admitted
// writes reserved and have not committed yet; the limit is max_bytes (or a percent of the
// filesystem), lowered so that the filesystem keeps min_free free. Before a local put or a
// replicated version's chunks are written, Admit makes room: it evicts versions chosen by
// ChooseEvictions (eviction_choice.h) — marks them evicted in the store and collects their
// chunks — and refuses with NoSpace "quota exceeded: ..." naming the limit and the usage when
// nothing more can go. Evicted versions stay listed; Materialize refuses them until they are
// fetched again (Restore). A refused replication is parked by the replicator and retried on its
// timer, so a full node is reported (paused()) without retrying in a loop.
//
// Locking: `run_mu_` serializes eviction passes and is held across store calls; `mu_` guards
// the limits, reservations, last reads and counters and is never held across a store call.
// Lock order: run_mu_, then mu_. Safe for concurrent access.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "quota/eviction_choice.h"
#include "store/store.h"

namespace edgesync {

struct DiskQuotaLimits {
  uint64_t max_bytes = 0;       // 0: no byte limit
  double max_percent = 0;       // of the filesystem's size; 0: none
  uint64_t min_free_bytes = 0;  // 0: none
  double min_free_percent = 0;  // of the filesystem's size; 0: none

  bool any() const { return max_bytes || max_percent > 0 || min_free_bytes || min_free_percent > 0; }
  bool operator==(const DiskQuotaLimits&) const = default;
};

// What status, the feed and /metrics show.
struct QuotaUsage {
  bool enabled = false;
  uint64_t used_bytes = 0;      // stored chunk bytes
  uint64_t reserved_bytes = 0;  // admitted, not committed yet
  uint64_t limit_bytes = 0;     // in force now (0 when no limit)
  uint64_t peak_bytes = 0;      // highest used + reserved seen since start
  uint64_t evicted_versions = 0;
  uint64_t evictions = 0;       // versions evicted since start
  uint64_t refusals = 0;        // writes refused since start
  bool paused = false;          // the last replicated write was refused: replication waits
  std::string paused_reason;
};

class DiskQuota {
 public:
  struct Options {
    DiskQuotaLimits limits;
    std::filesystem::path store_dir;  // the filesystem whose size and free space count
    // Whether a connected peer holds a version, so that it can be fetched again.
    std::function<bool(const std::string& key, const std::string& version_id)> peer_holds;
    std::function<void(int level, const std::string& message)> log;  // syslog levels
    std::function<uint64_t()> now_ms;                                // unset: the wall clock
  };

  DiskQuota(Store& store, Options options);

  // Applies reloaded limits. Check them first with CheckLimits.
  void SetLimits(DiskQuotaLimits limits) EXCLUDES(mu_);
  // InvalidArgument when `limits` leave less room than the versions nothing may evict
  // (written here, pinned or held) already take.
  Status CheckLimits(const DiskQuotaLimits& limits) EXCLUDES(run_mu_, mu_);

  // Room for `bytes` more of `key`, by a local put (`replicated` false) or a replicated version:
  // evicts what it may, then admits and reserves the bytes until `key` commits (Committed) or
  // two minutes pass; NoSpace "quota exceeded: ..." otherwise. `replicated` refusals pause.
  Status Admit(const std::string& key, uint64_t bytes, bool replicated) EXCLUDES(run_mu_, mu_);
  // `key` committed: its reservations end (its chunks now count as stored).
  void Committed(const std::string& key) EXCLUDES(mu_);
  // A version was read (get, checkout): least recently used last.
  void Touched(const std::string& key, const std::string& version_id) EXCLUDES(mu_);
  QuotaUsage Usage() EXCLUDES(mu_);

 private:
  struct Reservation {
    std::string key;
    uint64_t bytes = 0;
    uint64_t expires_ms = 0;
  };

  // The limit in force given the stored bytes (0: none).
  uint64_t LimitNow(uint64_t used, const DiskQuotaLimits& limits) const;
  Result<std::vector<EvictionCandidate>> Candidates() EXCLUDES(mu_);
  // Evicts until `need` more bytes fit; returns the bytes still missing (0: they fit).
  Result<uint64_t> MakeRoom(uint64_t need, uint64_t* used, uint64_t* limit) REQUIRES(run_mu_) EXCLUDES(mu_);
  uint64_t ReservedLocked(uint64_t now) REQUIRES(mu_);
  uint64_t Now() const;
  void Log(int level, const std::string& message) const;

  Store& store_;
  Options options_;

  Mutex run_mu_;
  Mutex mu_;
  DiskQuotaLimits limits_ GUARDED_BY(mu_);
  std::vector<Reservation> reservations_ GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, uint64_t> last_read_ GUARDED_BY(mu_);
  QuotaUsage usage_ GUARDED_BY(mu_);
};

}  // namespace edgesync
