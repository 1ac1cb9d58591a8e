// EvictedRefetch: the store's VersionReadHook for the disk quota. Every read counts for least
// recently used; an evicted version is got back when something wants its files (get,
// checkout, deployments). It pins the version's manifest so that GC
// keeps the chunks as they arrive, asks the peer network to fetch them (the replicator admits
// the bytes through the disk quota, which may evict other versions), waits, clears the
// eviction mark once every chunk is stored (Store::RestoreEvicted) and counts the read for LRU.
// A crash midway leaves the version marked evicted; the pin expires.
//
// Safe for concurrent access; Fetch blocks its caller for the transfer.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "base/status.h"
#include "quota/disk_quota.h"
#include "store/store.h"

namespace edgesync {

class EvictedRefetch {
 public:
  // Starts fetching `record`'s chunks of `key`; calls `done` once with the outcome, from any
  // thread. An error return means it did not start (and `done` is not called).
  using FetchFn = std::function<Status(const std::string& key, const VersionRecord& record,
                                       std::function<void(Status)> done)>;

  EvictedRefetch(Store& store, DiskQuota& quota, FetchFn fetch,
                 std::chrono::milliseconds timeout = std::chrono::minutes(10));

  // The store's VersionReadHook. Polls `options.cancelled` while it waits for a transfer.
  Status OnRead(const VersionInfo& version, bool evicted, const GetOptions& options);

 private:
  Store& store_;
  DiskQuota& quota_;
  FetchFn fetch_;
  std::chrono::milliseconds timeout_;
};

}  // namespace edgesync
