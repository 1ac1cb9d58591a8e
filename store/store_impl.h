// StoreImpl: the RocksDB-backed Store. Internal to store/; users see only store/store.h.
//
// Locking: `gc_mu_` is held shared by every commit and exclusively by each GC sweep step, so a
// sweep never deletes a chunk between a commit's presence check and its write. `commit_mu_`
// serializes the read-modify-write of heads and sequence numbers. `inflight_mu_` guards the
// chunk ids that running writers hold (and, while a GC runs, what commits made live).
// `incarnation_mu_` guards the epoch and actor for readers; they change only with `commit_mu_`
// also held, so a commit reads them under `commit_mu_` alone (CommitEpoch, CommitActor).
// `retention_mu_` guards the retention policy and holds, which commits read. `key_mu_` serializes
// rekeys (the data key file and the id of the key it is wrapped under); it nests in no other lock.
// Lock order: gc_run_mu_, gc_mu_, commit_mu_, then incarnation_mu_, inflight_mu_ or
// retention_mu_. clang checks the members and methods annotated with base/thread_annotations.h.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/incarnation_marker.h"
#include "store/object_state.h"
#include "store/rocks_chunk_store.h"
#include "store/rocks_db.h"
#include "store/store.h"
#include "store/tiered_chunk_store.h"

namespace edgesync {

// Meta keys read and written by more than one of the store's .cpp files.
inline constexpr char kMetaSchemaKey[] = "schema_version";
inline constexpr char kMetaEpochKey[] = "epoch";

// `bytes` random bytes as lowercase hex.
std::string RandomHex(size_t bytes);
// Meta key of an evicted version's mark, and the prefix of them all (eviction_marks.cpp).
std::string EvictedMarkKey(const std::string& key, const std::string& version_id);
inline constexpr char kEvictedMarkPrefix[] = "evicted/";
// Meta key of a peer's read mark in this store's change log (purge.cpp).
std::string PeerReadKey(const std::string& peer);
// An `intents` entry ("key\0version id" -> JSON of record and source) read back
// (replication_state.cpp).
Result<Store::Intent> DecodeIntent(std::string_view key, std::string_view value);

class StoreImpl : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~StoreImpl() override;

  const std::string& node_id() const override { return node_id_; }
  std::string epoch() const override EXCLUDES(incarnation_mu_);  // incarnation.cpp
  std::string actor() const override EXCLUDES(incarnation_mu_);  // incarnation.cpp
  Status Reincarnate(const std::string& why) override EXCLUDES(commit_mu_);  // incarnation.cpp
  uint64_t reincarnations() const override { return reincarnations_.load(); }
  HybridClock& clock() override { return *clock_; }
  ChunkStore& chunks() override {
    return tier_ ? static_cast<ChunkStore&>(*tier_) : static_cast<ChunkStore&>(*local_chunks_);
  }

  Result<VersionInfo> Put(const ObjectKey& key, const std::filesystem::path& source,
                          const std::string& spec_json, const TransferControl& control) override;
  Result<VersionInfo> PutFiles(const ObjectKey& key, std::vector<SourceFile> files,
                               const std::string& spec_json, const TransferControl& control) override;
  Result<VersionInfo> Delete(const ObjectKey& key) override;
  Result<VersionInfo> Rollback(const ObjectKey& key, const std::string& version_id) override;

  Result<std::vector<VersionInfo>> Heads(const ObjectKey& key) override;
  Result<VersionInfo> Latest(const ObjectKey& key) override;
  Result<VersionInfo> GetVersion(const ObjectKey& key, const std::string& version_id) override;
  Result<std::vector<VersionInfo>> History(const ObjectKey& key) override;
  Result<Manifest> ReadManifest(const ChunkId& manifest_id) override;
  Result<std::string> ReadSpec(const ChunkId& manifest_id) override;
  Status Materialize(const VersionInfo& version, const std::filesystem::path& dest,
                     const GetOptions& options) override;
  Status ReadFile(const FileEntry& file,
                  const std::function<Status(std::string_view)>& sink) override;
  std::unique_ptr<FileReader> OpenFile(const FileEntry& file) override;
  Result<std::vector<std::string>> ListKeys(const std::string& prefix, const std::string& after,
                                            size_t limit) override;

  Result<std::vector<Change>> ChangesSince(uint64_t seq, size_t limit) override;
  uint64_t LastSeq() override;
  void AddChangeListener(ChangeListener listener) override;

  Result<bool> ApplyRemote(const ObjectKey& key, const VersionRecord& record,
                           const Manifest& manifest, const FileFilter& placed,
                           const FileFilter& hashed) override;

  Result<std::optional<VersionInfo>> CheckIdentity(const ObjectKey& key, const VersionRecord& record,
                                                   const std::string& peer) override;  // incarnation.cpp
  Result<std::vector<IdentityClash>> IdentityClashes() override;                        // incarnation.cpp

  Result<uint64_t> GetCheckpoint(const std::string& peer, const std::string& epoch) override;
  Status RecordIntents(const std::string& peer, const std::string& epoch, uint64_t checkpoint,
                       const std::vector<Intent>& intents) override;
  Result<std::vector<Intent>> PendingIntents() override;
  Status DropIntent(const std::string& key, const std::string& version_id) override;
  Result<ChunkId> StoreManifest(const Manifest& manifest) override;
  Status ResetCheckpoints() override;

  Result<std::optional<PeerRead>> RecordPeerRead(const std::string& peer, uint64_t seq) override;  // purge.cpp
  Result<std::map<std::string, PeerRead>> PeerReads() override;                 // purge.cpp
  Result<std::vector<std::string>> PurgeKeys(const PurgePredicate& purge, uint64_t horizon_ms) override;
  Result<PurgeMark> LastPurge() override;                                       // purge.cpp

  void SetRetentionPolicy(RetentionPolicy policy) override;                                      // retention_sweep.cpp
  void SetRetentionHolds(std::map<std::string, std::set<std::string>> holds) override;          // retention_sweep.cpp
  Result<std::vector<RetentionVerdict>> RetentionPlan(const ObjectKey& key) override;            // retention_sweep.cpp
  Result<uint64_t> EnforceRetention() override EXCLUDES(commit_mu_);                             // retention_sweep.cpp

  Result<uint64_t> StoredChunkBytes() override;                                                   // eviction_marks.cpp
  Status MarkEvicted(const ObjectKey& key, const std::string& version_id) override;                 // eviction_marks.cpp
  Status RestoreEvicted(const ObjectKey& key, const std::string& version_id) override;              // eviction_marks.cpp
  Result<std::map<std::string, std::set<std::string>>> EvictedVersions() override;                 // eviction_marks.cpp
  void SetVersionReadHook(VersionReadHook hook) override;                                           // eviction_marks.cpp

  Result<std::string> Pin(const ChunkId& manifest_id, uint64_t lease_ms) override;
  Status RenewPin(const std::string& pin_id, uint64_t lease_ms) override;
  Status Unpin(const std::string& pin_id) override;
  void SetGcRootFilter(GcRootFilter filter) override;  // gc.cpp
  Result<GcStats> CollectGarbage() override;  // gc.cpp
  Result<bool> CheckpointTier() override;
  Status FlushMemTables() override;
  Result<StoreStats> Stats() override;
  std::string EncryptionKeyId() override EXCLUDES(key_mu_);   // encryption.cpp
  Status Rekey(const StoreKey& key) override EXCLUDES(key_mu_);  // encryption.cpp

 private:
  // Chunk ids a running writer has stored or found present, protected from GC until its
  // commit is done. Registers with the store on construction, leaves on destruction.
  class InflightChunks;

  explicit StoreImpl(const StoreOptions& options);
  Status Init();
  // Reads the data key the options' encryption key opens, before RocksDB writes anything
  // (encryption.cpp); leaves cipher_ null for a plaintext store.
  Status LoadEncryption() EXCLUDES(key_mu_);
  // Binds the chunk tier named in the options, or checks that the store never had one.
  Status OpenChunkTier();

  // Incarnation at open (incarnation.cpp): `created` when Init made the store just now. Loads
  // or creates the actor, migrates a schema-1 store's version ids, and starts a new
  // incarnation when the marker file shows this store is an older copy.
  Status LoadIncarnation(bool created, int stored_schema) EXCLUDES(commit_mu_);
  Status MigrateVersionIds();
  Status StartIncarnation(const std::string& why) REQUIRES(commit_mu_) EXCLUDES(incarnation_mu_);
  // The local version with `record`'s vector and other content.
  Result<std::optional<VersionInfo>> FindClash(const ObjectKey& key, const VersionRecord& record,
                                               const ObjectState* state) REQUIRES(commit_mu_);
  Status RecordClash(const ObjectKey& key, const VersionInfo& local, const VersionRecord& remote,
                     const std::string& peer);
  void RecordMark() REQUIRES(commit_mu_);
  // The epoch and actor as a commit reads them. They are written with both commit_mu_ and
  // incarnation_mu_ held, so holding either one is enough to read them; GUARDED_BY names one
  // mutex only, so these two readers for commit_mu_ holders are not analysed inside.
  const std::string& CommitEpoch() const REQUIRES(commit_mu_) NO_THREAD_SAFETY_ANALYSIS { return epoch_; }
  const std::string& CommitActor() const REQUIRES(commit_mu_) NO_THREAD_SAFETY_ANALYSIS { return actor_; }

  // Commits a version authored here that dominates all heads. `manifest` null: tombstone.
  Result<VersionInfo> CommitLocal(const ObjectKey& key, const Manifest* manifest);
  // Adds the commit of `record` with heads `new_heads` to `batch` and writes it synced.
  Status WriteCommit(const ObjectKey& key, const VersionRecord& record, const Manifest* manifest,
                     const std::string& encoded_manifest, std::vector<VersionRecord> new_heads,
                     const ObjectState* old_state, Change* change) REQUIRES(commit_mu_) REQUIRES_SHARED(gc_mu_);
  // Both consider only the files `placed` accepts (all when empty).
  Status CheckChunksPresent(const Manifest& manifest, const FileFilter& placed = {});
  Status VerifyFileHashes(const Manifest& manifest, const FileFilter& placed, const FileFilter& hashed);
  void Notify(const Change& change) EXCLUDES(listeners_mu_);
  void AddLateRoots(const Manifest& manifest, const ChunkId& manifest_id) EXCLUDES(inflight_mu_);
  bool IsProtected(const ChunkId& id) REQUIRES(inflight_mu_);

  // Retention of `key` given its stored `versions` and `heads` (retention_sweep.cpp).
  Result<std::vector<RetentionVerdict>> DecideFor(const std::string& key, std::vector<VersionRecord> versions,
                                                  const std::vector<VersionRecord>& heads) EXCLUDES(retention_mu_);
  // Manifests with a pin whose lease has not expired.
  Result<std::set<ChunkId>> LiveManifestPins();

  Result<ObjectState> LoadState(const std::string& key);  // NotFound when never written
  Result<std::vector<VersionRecord>> ListVersions(const std::string& key);
  static std::string VersionKey(const std::string& key, const std::string& version_id);
  uint64_t NowMillis() const;
  void Warn(const std::string& message) const;

  StoreOptions options_;
  std::shared_ptr<const ValueCipher> cipher_;  // null: plaintext store; shared with db_
  Mutex key_mu_;  // serializes rekeys
  std::string key_id_ GUARDED_BY(key_mu_);  // the operator key the data key file is wrapped under
  std::unique_ptr<RocksDb> db_;
  std::unique_ptr<RocksChunkStore> local_chunks_;  // chunk bytes in RocksDB (and the index)
  std::unique_ptr<TieredChunkStore> tier_;         // set with a chunk tier; reads local_chunks_ too
  std::unique_ptr<HybridClock> clock_;
  Chunker chunker_;
  std::string node_id_;

  mutable Mutex incarnation_mu_;
  std::string epoch_ GUARDED_BY(incarnation_mu_);  // written with commit_mu_ held too
  std::string actor_ GUARDED_BY(incarnation_mu_);  // written with commit_mu_ held too
  std::atomic<uint64_t> reincarnations_{0};
  std::unique_ptr<IncarnationMarker> marker_ GUARDED_BY(commit_mu_);

  SharedMutex gc_mu_;
  Mutex gc_run_mu_;  // one collection at a time
  Mutex commit_mu_;
  uint64_t last_seq_ GUARDED_BY(commit_mu_) = 0;

  Mutex inflight_mu_;
  std::unordered_multiset<ChunkId, ChunkIdHash> inflight_ GUARDED_BY(inflight_mu_);
  bool gc_active_ GUARDED_BY(inflight_mu_) = false;
  std::unordered_set<ChunkId, ChunkIdHash> late_roots_ GUARDED_BY(inflight_mu_);

  Mutex root_filter_mu_;
  GcRootFilter root_filter_ GUARDED_BY(root_filter_mu_);

  Mutex retention_mu_;
  RetentionPolicy retention_ GUARDED_BY(retention_mu_);
  std::map<std::string, std::set<std::string>> retention_holds_ GUARDED_BY(retention_mu_);

  Mutex read_hook_mu_;
  VersionReadHook read_hook_ GUARDED_BY(read_hook_mu_);
  // Whether `version` is marked evicted (eviction_marks.cpp).
  Result<bool> IsEvicted(const std::string& key, const std::string& version_id);

  Mutex peer_reads_mu_;  // serializes RecordPeerRead's read-modify-write

  Mutex listeners_mu_;
  std::vector<ChangeListener> listeners_ GUARDED_BY(listeners_mu_);
};

}  // namespace edgesync
