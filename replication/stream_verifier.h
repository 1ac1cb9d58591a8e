// StreamVerifier: hashes the files of a version being fetched, in file order, while its chunks
// arrive.
//
// Without it a version is applied only after every byte is read back from the store and hashed
// again: a serial tail of seconds per GiB after the last chunk arrived. Each file has a SHA-256
// frontier. A received chunk that is the next one a file needs is hashed at once; one that
// arrives early is held (up to a byte bound) until the frontier reaches it; chunks the store
// held before the transfer are read back when reached, and so is a chunk that arrived early
// but was not held (over the bound): its file waits at it until the chunk is readable from the
// store (Resume). A file not finished is left to the store's own check: the result only lets
// the store skip files whose bytes were hashed on their way in.
// Safe for concurrent access.
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/chunk_store.h"
#include "store/manifest.h"
#include "store/sha256.h"

namespace edgesync::replication {

class StreamVerifier {
 public:
  // `files`: the files this node will hold (placement applied). `fetched`: the chunks the
  // transfer requests; every other chunk of `files` is read from `chunks` when needed.
  // REQUIRES: `chunks` outlives the verifier.
  StreamVerifier(ChunkStore& chunks, std::vector<FileEntry> files,
                 std::unordered_set<ChunkId, ChunkIdHash> fetched, size_t max_held_bytes);
  StreamVerifier(const StreamVerifier&) = delete;
  StreamVerifier& operator=(const StreamVerifier&) = delete;

  // Advances over chunks held before the transfer. Call once, before any Offer.
  void Start();
  // `bytes` of chunk `id` (already checked against the id) arrived.
  void Offer(const ChunkId& id, std::string_view bytes);
  // Advances the files that wait for an early chunk to be readable from the store: call when
  // received chunks were written (and before VerifiedPaths, once all are).
  void Resume();
  // Paths whose bytes matched their SHA-256 and size.
  std::set<std::string> VerifiedPaths();

 private:
  struct FileState {
    const FileEntry* entry;
    size_t next = 0;          // index of the next chunk to hash
    uint64_t hashed = 0;      // bytes hashed so far
    std::unique_ptr<Sha256> sha = std::make_unique<Sha256>();
    bool finished = false;    // all chunks hashed (verified or not)
    bool verified = false;
  };

  // Hashes as far as the file's frontier can go.
  void Advance(size_t file) REQUIRES(mu_);
  void Hash(FileState& f, std::string_view bytes) REQUIRES(mu_);
  void Release(const ChunkId& id) REQUIRES(mu_);

  ChunkStore& chunks_;
  const std::vector<FileEntry> entries_;
  const std::unordered_set<ChunkId, ChunkIdHash> fetched_;
  const size_t max_held_bytes_;

  Mutex mu_;
  std::vector<FileState> files_ GUARDED_BY(mu_);
  std::unordered_map<ChunkId, std::vector<size_t>, ChunkIdHash> waiting_ GUARDED_BY(mu_);  // chunk -> files
  std::unordered_map<ChunkId, std::string, ChunkIdHash> held_ GUARDED_BY(mu_);
  std::unordered_map<ChunkId, size_t, ChunkIdHash> uses_left_ GUARDED_BY(mu_);
  std::unordered_set<ChunkId, ChunkIdHash> arrived_ GUARDED_BY(mu_);
  size_t held_bytes_ GUARDED_BY(mu_) = 0;
  std::set<size_t> stalled_ GUARDED_BY(mu_);  // files waiting for an early chunk's batch write
};

}  // namespace edgesync::replication
