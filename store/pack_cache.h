// PackCache: the bounded local copy of tier packs on a node whose chunk bytes live in object
// storage. It holds byte ranges of packs (a whole pack this node just uploaded, or the stretch a
// read fetched on a miss, a chunk plus read-ahead), one file per range under one directory,
// and evicts the least recently used ranges when their total passes the budget. The files are
// only a copy: losing any of them costs a ranged GET, never data, and readers check every
// chunk against its id anyway.
//
// Thread-safe: the map of ranges is guarded by `mu_`; file reads and writes happen outside it
// (a range evicted during a read shows up as a miss).
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace edgesync {

struct PackCacheStats {
  uint64_t bytes = 0;
  uint64_t ranges = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
};

class PackCache {
 public:
  // Creates `dir` when missing and adopts the ranges already in it (oldest first in the LRU
  // order, by modification time). `capacity_bytes` 0 caches nothing.
  static Result<std::unique_ptr<PackCache>> Open(const std::filesystem::path& dir, uint64_t capacity_bytes);

  // Copies `length` bytes at `offset` of `pack` into `out` when one cached range covers them.
  bool Read(uint64_t pack, uint64_t offset, uint32_t length, std::string* out) EXCLUDES(mu_);
  // Keeps `bytes` as the range of `pack` starting at `offset`, evicting older ranges to stay in
  // budget. Best effort: a failed write (a full disk) leaves the cache as it was.
  void Insert(uint64_t pack, uint64_t offset, std::string_view bytes) EXCLUDES(mu_);
  // Forgets every range of `pack` (the pack was deleted from the tier).
  void DropPack(uint64_t pack) EXCLUDES(mu_);
  PackCacheStats Stats() const EXCLUDES(mu_);

 private:
  using RangeKey = std::pair<uint64_t, uint64_t>;  // (pack, offset)
  struct Range {
    uint64_t length = 0;
    std::list<RangeKey>::iterator lru;  // position in lru_, most recent at the front
  };

  PackCache(std::filesystem::path dir, uint64_t capacity) : dir_(std::move(dir)), capacity_(capacity) {}
  std::filesystem::path FileOf(const RangeKey& key, uint64_t length) const;
  // False when a range at least as long is already kept there (the caller removes its file).
  bool Adopt(const RangeKey& key, uint64_t length) REQUIRES(mu_);
  void Remove(std::map<RangeKey, Range>::iterator it) REQUIRES(mu_);
  void EvictToFit(uint64_t incoming) REQUIRES(mu_);

  const std::filesystem::path dir_;
  const uint64_t capacity_;
  mutable Mutex mu_;
  std::map<RangeKey, Range> ranges_ GUARDED_BY(mu_);
  std::list<RangeKey> lru_ GUARDED_BY(mu_);
  uint64_t bytes_ GUARDED_BY(mu_) = 0;
  uint64_t hits_ GUARDED_BY(mu_) = 0;
  uint64_t misses_ GUARDED_BY(mu_) = 0;
  uint64_t next_temp_ GUARDED_BY(mu_) = 0;
};

}  // namespace edgesync
