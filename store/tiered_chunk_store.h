// TieredChunkStore: the ChunkStore of a cloud node whose chunk bytes live in object storage
// (the S3 chunk tier). Writers collect chunks into packs (pack_format.h) of `pack_bytes` and
// upload each pack whole; only after a pack's upload returned does the store index its chunks
// (chunk id -> pack, offset, size in the `chunk_index` family), so a version, whose commit
// checks that every chunk is indexed, is never visible before all its packs are durable. Reads
// go to the local PackCache and, on a miss, fetch the chunk plus read-ahead with one ranged GET.
// RocksDB keeps only metadata; Checkpoint uploads it too, so an empty disk can be restored from
// the bucket (Store::RestoreFromTier).
//
// Bucket layout under the tier's root:
//   packs/<16 hex>.pack            immutable packs
//   meta/owner                     the node id that writes here (two nodes must not share a root)
//   meta/LATEST                    JSON naming the newest complete checkpoint and its files
//   meta/<checkpoint>/<file>       a RocksDB checkpoint of the store's metadata
//
// Pack life: GC (CompactPacks) retires a pack without live chunks, and rewrites one whose live
// share fell below the threshold into a new pack, then retires it. A retired pack is deleted
// from the bucket only after a newer checkpoint is complete (the previous one may still name
// it); readers that raced a rewrite look the chunk up again.
//
// Chunks stored before the tier was configured (bytes in the local `chunks` family) stay
// readable through `local`. Thread-safe: pack bookkeeping is in RocksDB; `inflight_mu_` guards
// the packs being uploaded, which the orphan sweep must not delete.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/chunk_store.h"
#include "store/pack_cache.h"
#include "store/pack_format.h"
#include "store/rocks_chunk_store.h"
#include "store/rocks_db.h"
#include "store/tier_bucket.h"

namespace edgesync {

struct GcStats;

class TieredChunkStore : public ChunkStore {
 public:
  // Binds the store at `db` to `options.bucket`. `node_id` claims the root (meta/owner); a root
  // owned by another node is refused. `cache_dir` holds the PackCache.
  static Result<std::unique_ptr<TieredChunkStore>> Open(RocksDb* db, RocksChunkStore* local,
                                                        const TierOptions& options,
                                                        const std::string& node_id,
                                                        const std::filesystem::path& cache_dir);

  Result<bool> Contains(const ChunkId& id) override;
  Status Get(const ChunkId& id, std::string* out) override;
  Status Put(const ChunkId& id, std::string_view data) override;
  std::unique_ptr<ChunkWriter> NewWriter(const ChunkWriterOptions& options) override;
  Status Erase(const std::vector<ChunkId>& ids) override;

  // Adds the deletes of a chunk's index entry (and local bytes, for an untiered chunk).
  void AddErase(rocksdb::WriteBatch* batch, const ChunkId& id, const ChunkLocation& location);

  // Garbage collection after the chunk sweep (pack_compaction.cpp): retires packs without live
  // chunks, rewrites sparse ones, deletes packs no record names (a crash during an upload).
  Status CompactPacks(GcStats* stats) EXCLUDES(inflight_mu_);

  // Uploads a checkpoint of the metadata when anything changed since the last one
  // (`last_seq` is the store's change-log position), then deletes the previous checkpoint and
  // the packs retired before this one began. Returns whether it uploaded (tier_checkpoint.cpp).
  Result<bool> Checkpoint(uint64_t last_seq) EXCLUDES(checkpoint_mu_);

  TierStats Stats();

  // Uploads one sealed pack and indexes its chunks (the writers' last step).
  Status StorePack(const std::vector<PackEntry>& entries, const std::string& pack) EXCLUDES(inflight_mu_);

 private:
  TieredChunkStore(RocksDb* db, RocksChunkStore* local, const TierOptions& options,
                   std::unique_ptr<PackCache> cache, std::filesystem::path scratch_dir);

  struct PackRecord {
    uint64_t data_bytes = 0;   // chunk bytes; the index starts here
    uint64_t object_bytes = 0;
  };
  // Uploads `pack` (holding `entries`) as a new pack, caches its chunk bytes and adds its
  // record to `batch`; returns its id. The id stays in `inflight_` until Release, after the
  // caller wrote `batch` with the pack's index entries.
  Result<uint64_t> Upload(const std::vector<PackEntry>& entries, const std::string& pack,
                          rocksdb::WriteBatch* batch) EXCLUDES(inflight_mu_);
  void Release(uint64_t pack_id) EXCLUDES(inflight_mu_);
  bool IsInflight(uint64_t pack_id) EXCLUDES(inflight_mu_);
  void AddPackRecord(rocksdb::WriteBatch* batch, uint64_t pack_id, const PackRecord& record);
  // Replaces the pack's record by a retirement mark: nothing may point into it any more.
  void AddRetire(rocksdb::WriteBatch* batch, uint64_t pack_id);
  // Drops the retirement mark once the pack is deleted from the bucket.
  void AddForget(rocksdb::WriteBatch* batch, uint64_t pack_id);
  Result<std::optional<PackRecord>> LoadPackRecord(uint64_t pack_id, const rocksdb::Snapshot* snap = nullptr);
  Result<std::map<uint64_t, PackRecord>> PackRecords(const rocksdb::Snapshot* snap);
  std::vector<uint64_t> RetiredPacks();
  // Reads `location`'s bytes from the cache or the bucket; kNotFound when the pack is gone.
  Status ReadFromPack(const ChunkId& id, const ChunkLocation& location, std::string* out);
  // The live chunks of one pack, rewritten into a new pack (pack_compaction.cpp).
  Status RewritePack(uint64_t pack_id, const std::vector<std::pair<ChunkId, ChunkLocation>>& live);
  Status DeleteOrphanPacks(GcStats* stats);

  RocksDb* db_;
  RocksChunkStore* local_;
  TierOptions options_;
  std::unique_ptr<PackCache> cache_;
  std::filesystem::path scratch_dir_;  // checkpoints are built here

  Mutex inflight_mu_;
  std::unordered_set<uint64_t> inflight_ GUARDED_BY(inflight_mu_);

  Mutex checkpoint_mu_;  // one checkpoint at a time
  uint64_t checkpointed_seq_ GUARDED_BY(checkpoint_mu_) = 0;
  uint64_t checkpointed_generation_ GUARDED_BY(checkpoint_mu_) = 0;
  bool checkpointed_once_ GUARDED_BY(checkpoint_mu_) = false;
  // Bumped by every change to the pack set, so a checkpoint knows when metadata changed
  // without a new commit (a GC rewrite).
  std::atomic<uint64_t> generation_{0};

  std::atomic<uint64_t> pack_uploads_{0};
  std::atomic<uint64_t> range_reads_{0};
  std::atomic<uint64_t> checkpoints_{0};
  std::atomic<uint64_t> last_checkpoint_ms_{0};
  std::atomic<uint64_t> checkpoint_seq_{0};
};

}  // namespace edgesync
