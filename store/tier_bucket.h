// TierBucket: the object storage under a store whose chunk bytes live in packs (the S3 chunk
// tier of a cloud node, tiered_chunk_store.h), seen as named immutable blobs. The store never
// sees HTTP: remote/ implements this over objectstore's S3 client, rooted at one
// s3://bucket/prefix. Names are relative to that root ("packs/...", "meta/...").
//
// Contract: Put and PutFile return only when the blob is durably stored (a later Read of any
// range sees it whole); Read of a missing blob is kNotFound; Delete of a missing blob succeeds.
// Implementations are safe for concurrent calls.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace edgesync {

struct TierBlob {
  std::string name;  // relative to the tier's root
  uint64_t size = 0;
};

class TierBucket {
 public:
  virtual ~TierBucket() = default;

  // "s3://bucket/prefix": names the tier in messages and in the store's record of its tier.
  virtual std::string Describe() const = 0;

  virtual Status Put(const std::string& name, std::string_view bytes) = 0;
  // Large files (metadata checkpoints) are streamed from disk, in parts.
  virtual Status PutFile(const std::string& name, const std::filesystem::path& file) = 0;
  // `length` nullopt: to the end. `sink` receives the bytes in order.
  virtual Status Read(const std::string& name, uint64_t offset, std::optional<uint64_t> length,
                      const std::function<Status(std::string_view)>& sink) = 0;
  // Every blob whose name starts with `prefix`, in name order.
  virtual Result<std::vector<TierBlob>> List(const std::string& prefix) = 0;
  virtual Status Delete(const std::string& name) = 0;
};

}  // namespace edgesync

namespace edgesync {

// How a store uses a chunk tier (StoreOptions::chunk_tier). The defaults suit a cloud node.
struct TierOptions {
  std::shared_ptr<TierBucket> bucket;  // null: chunk bytes stay in the local RocksDB
  // A writer seals a pack at this many bytes of chunks: 32 MiB puts a GiB in 32 PUTs; a writer
  // holds one filling pack plus `uploads_per_writer` being uploaded in memory (128 MiB).
  uint64_t pack_bytes = 32u << 20;
  size_t uploads_per_writer = 3;
  uint64_t cache_bytes = uint64_t{2} << 30;  // local copies of packs (pack_cache.h)
  // A read that misses the cache fetches at least this much of the pack, so the chunks after
  // it (the rest of the file, usually) are local by the time they are asked for.
  uint64_t readahead_bytes = 8u << 20;
  // Garbage collection rewrites a pack whose live chunks are less than this share of its bytes.
  double rewrite_below_live_share = 0.5;
};

}  // namespace edgesync

namespace edgesync {

// Counters and sizes of a store's tier, for status and metrics (StoreStats::tier).
struct TierStats {
  std::string root;  // s3://bucket/prefix
  uint64_t packs = 0;
  uint64_t pack_bytes = 0;  // object bytes of the packs in use (retired ones not counted)
  uint64_t retired_packs = 0;  // waiting for the next checkpoint before deletion
  uint64_t pack_uploads = 0;   // since open
  uint64_t range_reads = 0;    // ranged GETs on cache misses, since open
  uint64_t checkpoints = 0;    // uploaded since open
  uint64_t last_checkpoint_ms = 0;
  uint64_t checkpoint_seq = 0;  // the change-log position the last checkpoint holds
  uint64_t cache_bytes = 0;
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
};

}  // namespace edgesync
