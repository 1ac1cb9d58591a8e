// Store: one node's embedded object store.
//
// Objects are addressed by ObjectKey; each put makes a new version whose files are split into
// content-defined chunks (deduplicated across versions and objects) and whose manifest carries
// each file's SHA-256. A key's state is its set of heads: one version, or several concurrent
// siblings after replication. Every applied version gets the next sequence number in the change
// log. A version becomes visible in one synced commit after all its chunks are stored, so a
// crash at any point leaves the store consistent.
//
// Safe for concurrent access from many threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/chunk_store.h"
#include "store/byte_stream.h"
#include "store/chunker.h"
#include "store/file_reader.h"
#include "store/hlc.h"
#include "store/manifest.h"
#include "store/object_key.h"
#include "store/retention.h"
#include "store/store_key.h"
#include "store/tier_bucket.h"
#include "base/status.h"
#include "store/version_record.h"

namespace edgesync {

struct StoreOptions {
  std::filesystem::path path;  // created when missing
  // Node id: the author of local versions, and the first part of this store's name in version
  // vectors (see Store::actor). Empty: keep the stored one, or create a random one.
  std::string node_id;
  // A small file outside `path` (the daemon keeps it with the node's identity) in which the
  // store records its epoch and last sequence number after every commit. At open, a store whose
  // log is behind that record, or from another epoch, was restored from an older copy (or
  // swapped): it starts a new incarnation so it never issues a counter twice. Empty: no check.
  std::filesystem::path incarnation_file;
  ChunkerParams chunking;

  // Memory, sized for edge boxes.
  size_t block_cache_bytes = 8u << 20;
  size_t write_buffer_bytes = 32u << 20;  // one WriteBufferManager across column families
  size_t bulk_write_bytes = 32u << 20;    // chunks buffered per bulk (SST) ingestion

  RetentionPolicy retention;                     // storage.keep_versions, keep_for (retention.h)
  uint64_t max_clock_skew_ms = 5 * 60 * 1000;    // remote HLC further ahead is clamped

  // Receives warnings worth an operator's eye (clamped clocks, evicted corrupt chunks).
  std::function<void(const std::string&)> log_warning;
  // Wall clock in ms since the epoch; tests replace it.
  std::function<uint64_t()> wall_clock_ms;
  // Authorizes and seals every version this node authors (put, delete, rollback, metadata
  // edits), under the commit lock just before the commit: an error refuses the write (nothing
  // becomes visible); the returned string becomes the record's attestation. Must be quick and
  // must not call back into the store. Unset: every local write is allowed and unsigned.
  std::function<Result<std::string>(const ObjectKey& key, const VersionRecord& record)> seal_local_version;
  // Where chunk bytes live: the local RocksDB, or packs in object storage (tier_bucket.h).
  // With a tier, `path` holds the metadata and `path`/tier-cache the PackCache.
  TierOptions chunk_tier;
  // storage.encryption: set, every value the store keeps (chunk bytes, manifests, specs, version
  // records, metadata) is sealed with AES-256-GCM under a random data key that this key wraps
  // (docs/store.md "Encryption at rest"). It must match how the store was created: Open refuses
  // with FailedPrecondition, writing nothing, a wrong key, a missing key for an encrypted store
  // and a key for a plaintext one. Cannot be combined with a chunk tier (its packs are plaintext).
  std::optional<StoreKey> encryption_key;
  // Admits a local put of `bytes` (the sources' listed size) to `key` before any of its chunks
  // is written; an error refuses the put with nothing stored. The daemon's disk quota (quota/)
  // evicts what it can here and refuses with "quota exceeded". Must not call into a commit.
  // Unset: every put is admitted.
  std::function<Status(const ObjectKey& key, uint64_t bytes)> admit_local_put;
  // Test hook: called after a version's chunks are stored and before its commit; a non-ok
  // result aborts the put as a crash there would.
  std::function<Status()> fault_before_commit;
};

// A version of a key as stored locally.
struct VersionInfo {
  std::string key;
  std::string id;  // VersionRecord::Id()
  VersionRecord record;
};

// One entry of the change log: the key's heads as of sequence number `seq`.
struct Change {
  uint64_t seq = 0;
  std::string key;
  std::vector<VersionRecord> heads;
};

// One input file of a put: where its bytes are and what path it has inside the object.
struct SourceFile {
  std::filesystem::path source;  // a local file, unless `stream` is set
  std::string path;              // relative path inside the object
  uint64_t size = 0;             // as listed; for progress totals only (the bytes read count)
  ByteStream stream;             // set: the bytes come from here, not from `source`
  uint32_t mode = 0644;          // with `stream`: the file's permission bits
};

// Optional hooks of a long transfer: a put here, a checkout in checkout/. Whoever asked for the
// transfer (a control request, a deployment) supplies them; both may be empty.
struct TransferControl {
  // Called as bytes are chunked or written (often: keep it cheap).
  std::function<void(uint64_t bytes_done, uint64_t bytes_total)> progress;
  // Polled between chunks; returning true aborts with kAborted, leaving nothing visible.
  std::function<bool()> cancelled;
};

struct GetOptions {
  // Only files whose path starts with this prefix ("" = all), e.g. "edge/".
  std::string path_prefix;
  // Strip the prefix from written paths (get --part edge writes edge/x as x).
  bool strip_prefix = false;
  // fsync every file and directory written, and the parent of the destination, before returning.
  bool fsync = false;
  // Called with the size of each block as it is written (often: keep it cheap).
  std::function<void(uint64_t bytes)> progress;
  // Polled between blocks; returning true aborts with kAborted, the destination as it was.
  std::function<bool()> cancelled;
};

struct GcStats {
  uint64_t chunks_scanned = 0;
  uint64_t chunks_deleted = 0;
  uint64_t bytes_deleted = 0;
  uint64_t manifests_deleted = 0;
  // With a chunk tier: packs retired (no live chunk left, or rewritten), packs rewritten, and
  // packs deleted from the bucket that no record named (left by a crash during an upload).
  uint64_t packs_retired = 0;
  uint64_t packs_rewritten = 0;
  uint64_t orphan_packs_deleted = 0;
};

struct StoreStats {
  uint64_t keys = 0;
  uint64_t chunks = 0;
  uint64_t chunk_bytes = 0;    // stored, deduplicated
  uint64_t logical_bytes = 0;  // sum of file sizes over all heads
  uint64_t last_seq = 0;
  uint64_t identity_clashes = 0;  // recorded, see Store::IdentityClashes
  uint64_t reincarnations = 0;    // new incarnations started since open
  std::optional<TierStats> tier;  // set when chunk bytes live in a tier
};

class Store {
 public:
  // 2: version ids hash key, vector and content; vectors name the store's incarnation.
  static constexpr int kSchemaVersion = 2;

  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  // Writes the newest metadata checkpoint in `bucket` as a store at `store_path` (missing or
  // empty), for a node whose disk was lost; open it afterwards with the same tier. Versions
  // committed after that checkpoint are not in it (tier_checkpoint.cpp).
  static Status RestoreFromTier(TierBucket& bucket, const std::filesystem::path& store_path);
  virtual ~Store() = default;

  virtual const std::string& node_id() const = 0;
  // Random id of the store's incarnation: created with the store, and replaced when the store
  // learns it was restored from an older copy (Reincarnate). Peers key their checkpoints in
  // this node's change log by it, so a new one makes them read the log from zero.
  virtual std::string epoch() const = 0;
  // The name under which this store counts its writes in version vectors: "<node id>.<first
  // 8 hex digits of the epoch>". A recreated or restored store writes under a new name, so no
  // (name, counter) pair is ever issued for two different versions. A store created before
  // incarnations existed keeps the bare node id until its next incarnation.
  virtual std::string actor() const = 0;
  // Starts a new incarnation (new epoch and actor, peers' read marks forgotten), logged with
  // `why`. The replicator calls it when a peer had read this store's log past its end.
  virtual Status Reincarnate(const std::string& why) = 0;
  // Incarnations started since open (0 normally); status and metrics show it.
  virtual uint64_t reincarnations() const = 0;
  virtual HybridClock& clock() = 0;
  virtual ChunkStore& chunks() = 0;

  // --- local writes: each makes a version dominating all current heads (tombstones too).
  // `source` is a regular file (stored under its file name) or a directory tree.
  // Symlinks and special files are refused. spec_json must be a JSON object.
  virtual Result<VersionInfo> Put(const ObjectKey& key, const std::filesystem::path& source,
                                  const std::string& spec_json, const TransferControl& control = {}) = 0;
  virtual Result<VersionInfo> PutFiles(const ObjectKey& key, std::vector<SourceFile> files,
                                       const std::string& spec_json, const TransferControl& control = {}) = 0;
  virtual Result<VersionInfo> Delete(const ObjectKey& key) = 0;
  // Re-applies a retained version's content as a new version dominating the heads.
  virtual Result<VersionInfo> Rollback(const ObjectKey& key, const std::string& version_id) = 0;

  // --- reads
  // Heads of a key, newest HLC first. NotFound if the key was never written.
  virtual Result<std::vector<VersionInfo>> Heads(const ObjectKey& key) = 0;
  // The head a plain read returns: the live head with the highest (HLC, author); NotFound when
  // the key is missing or deleted.
  virtual Result<VersionInfo> Latest(const ObjectKey& key) = 0;
  virtual Result<VersionInfo> GetVersion(const ObjectKey& key, const std::string& version_id) = 0;
  // Retained versions, newest HLC first.
  virtual Result<std::vector<VersionInfo>> History(const ObjectKey& key) = 0;
  virtual Result<Manifest> ReadManifest(const ChunkId& manifest_id) = 0;
  // Only the spec of a manifest (stored apart, cheap to read for indexes).
  virtual Result<std::string> ReadSpec(const ChunkId& manifest_id) = 0;
  // Writes the version's files selected by `options` under `dest`, permission bits kept, each
  // file verified against its SHA-256 (a mismatch names the file). Missing parents of `dest`
  // are created as the path is written; at and below `dest` no symlink is followed: one found
  // there fails the call naming it (store/destination_dir.h). All or nothing:
  //  - `dest` missing: the files go into a temporary directory beside it (".es-stage-XXXXXX"),
  //    renamed to `dest` once complete, so `dest` appears whole or not at all;
  //  - `dest` an existing directory: each file is written under a temporary name beside its
  //    final one (".es-tmp-XXXXXX"), and the renames into place happen only after every file
  //    is written; files of other names are left alone.
  // A failure before that point (a missing chunk, a bad hash, no space, cancellation) removes
  // what the call created and leaves `dest` as it was. Only a failing rename(2) during the
  // final pass (the destination changed underneath) can leave some of the files replaced.
  virtual Status Materialize(const VersionInfo& version, const std::filesystem::path& dest,
                             const GetOptions& options = {}) = 0;
  // Streams one file's verified bytes to `sink`.
  virtual Status ReadFile(const FileEntry& file,
                          const std::function<Status(std::string_view)>& sink) = 0;
  // The same bytes by pulling (store/file_reader.h). The reader must not outlive the store.
  virtual std::unique_ptr<FileReader> OpenFile(const FileEntry& file) = 0;
  // Keys with a live head, sorted, starting with `prefix`; with `after`, only keys after it, and
  // at most `limit` of them (a page: it reads only as far as the page goes).
  virtual Result<std::vector<std::string>> ListKeys(const std::string& prefix, const std::string& after = "",
                                                    size_t limit = SIZE_MAX) = 0;

  // --- change log
  virtual Result<std::vector<Change>> ChangesSince(uint64_t seq, size_t limit) = 0;
  virtual uint64_t LastSeq() = 0;
  // Called after every commit (local or replicated), outside store locks, on the committing
  // thread. Listeners must be quick and must not call back into a commit.
  using ChangeListener = std::function<void(const Change&)>;
  virtual void AddChangeListener(ChangeListener listener) = 0;

  // --- replication: applies a version authored elsewhere after its chunks are stored.
  // Keeps the record's vector, HLC and author. Equal or dominated -> no-op (returns false);
  // a version with the same vector as one held here but other content -> kAlreadyExists (an
  // identity clash, recorded by CheckIdentity);
  // dominating -> replaces the heads it dominates; concurrent -> kept as a sibling.
  // Fails if a chunk is missing or a file fails its SHA-256. With `placed`, only the files it
  // accepts must be present (selective sync: parts of a model placed on other nodes). Files
  // `hashed` accepts are not hashed again: the caller hashed exactly the bytes it stored and
  // they matched (replication hashes files while their chunks arrive).
  using FileFilter = std::function<bool(const FileEntry&)>;
  virtual Result<bool> ApplyRemote(const ObjectKey& key, const VersionRecord& record,
                                   const Manifest& manifest, const FileFilter& placed = {},
                                   const FileFilter& hashed = {}) = 0;

  // Two different versions of a key that carry the same vector: the mark of a counter issued
  // twice (a store restored from an old copy wrote before it knew). Never applied: recorded
  // (IdentityClashes, shown by `edgesync conflicts`), logged and counted.
  struct IdentityClash {
    std::string key;
    std::string vector;
    std::string local_version;   // id of the version this node holds
    std::string remote_version;  // id of the version refused
    std::string remote_author;
    std::string peer;            // who offered it ("" when unknown)
    uint64_t at_ms = 0;
  };
  // The version of `key` this node holds (a head or a retained version) with `record`'s vector
  // but other content, if any. When there is one, the clash is recorded (with `peer`) first.
  virtual Result<std::optional<VersionInfo>> CheckIdentity(const ObjectKey& key, const VersionRecord& record,
                                                           const std::string& peer) = 0;
  virtual Result<std::vector<IdentityClash>> IdentityClashes() = 0;

  // --- replication bookkeeping
  // Where this node is in a peer's change log, per (peer node id, peer store epoch): a peer
  // whose store was recreated has a new epoch and is read from zero. 0 when unknown.
  virtual Result<uint64_t> GetCheckpoint(const std::string& peer, const std::string& epoch) = 0;
  // Records accepted changes as durable pending intents and advances the checkpoint, in one
  // synced batch. Intents are GC roots (with the chunks of their stored manifest) until the
  // version is applied (ApplyRemote removes its intent) or DropIntent is called.
  struct Intent {
    std::string key;
    VersionRecord record;
    std::string source_peer;  // who announced it
  };
  virtual Status RecordIntents(const std::string& peer, const std::string& epoch,
                               uint64_t checkpoint, const std::vector<Intent>& intents) = 0;
  virtual Result<std::vector<Intent>> PendingIntents() = 0;
  virtual Status DropIntent(const std::string& key, const std::string& version_id) = 0;
  // Stores a fetched manifest ahead of its chunks, so that chunks fetched for an intent are
  // protected from GC through it. Returns its id.
  virtual Result<ChunkId> StoreManifest(const Manifest& manifest) = 0;
  // Forgets every checkpoint (resync reads every peer's log from zero).
  virtual Status ResetCheckpoints() = 0;

  // --- purging deleted keys for good (tombstones cannot be kept forever). See docs/replication.md.
  // How far a peer has read this node's change log: it asked for changes after `seq`, so it
  // durably holds (or superseded) everything up to there; `at_ms` is when it last asked.
  struct PeerRead {
    uint64_t seq = 0;
    uint64_t at_ms = 0;
  };
  // Records a peer's read; `seq` only ever grows (a peer re-reading from zero keeps its mark).
  // Returns the mark it had before (nullopt: it never read this log).
  virtual Result<std::optional<PeerRead>> RecordPeerRead(const std::string& peer, uint64_t seq) = 0;
  virtual Result<std::map<std::string, PeerRead>> PeerReads() = 0;
  // Removes for good every key `purge` accepts (given its change-log seq and heads): its heads,
  // retained versions and change-log entry; its chunks go with the next GC. The purge mark
  // then records the highest seq removed and `horizon_ms`: a peer that had not read that far
  // may hold deleted keys and must compare everything (replication tells it). Returns the keys.
  using PurgePredicate =
      std::function<bool(const std::string& key, uint64_t seq, const std::vector<VersionRecord>& heads)>;
  virtual Result<std::vector<std::string>> PurgeKeys(const PurgePredicate& purge, uint64_t horizon_ms) = 0;
  struct PurgeMark {
    uint64_t through_seq = 0;  // highest change-log seq of a purged key
    uint64_t horizon_ms = 0;   // every purged key's heads were older than this (HLC wall time)
  };
  virtual Result<PurgeMark> LastPurge() = 0;

  // --- retention (store/retention.h): which versions of a key stay stored.
  // Replaces the policy (a configuration reload); applies from the next commit or sweep.
  virtual void SetRetentionPolicy(RetentionPolicy policy) = 0;
  // Replaces every hold: key -> version ids the layers above need kept (deployed, staged,
  // channel targets). Quick; the holds are in memory, so the owner sets them again after a
  // restart before it relies on them.
  virtual void SetRetentionHolds(std::map<std::string, std::set<std::string>> holds) = 0;
  // What retention decides now for each stored version of `key`, newest first: what it keeps
  // and why, and what it will drop next. NotFound when the key was never written.
  virtual Result<std::vector<RetentionVerdict>> RetentionPlan(const ObjectKey& key) = 0;
  // Drops, over every key, the versions the policy no longer keeps (they aged out, or the
  // policy shrank); their chunks go with the next GC. Returns how many were dropped.
  virtual Result<uint64_t> EnforceRetention() = 0;

  // --- disk quota: evicted versions (docs/operations.md, "Retention and disk quota").
  // Chunk bytes stored, deduplicated (a scan of the chunk index: cheap for an edge store,
  // seconds for a terabyte). With a chunk tier these are the chunks in the bucket.
  virtual Result<uint64_t> StoredChunkBytes() = 0;
  // Marks a retained version evicted, durably: from then on its chunks are no GC root (the
  // next collection deletes those no other version uses) while its record and manifest stay,
  // so it is still listed, shown and selected. Materialize refuses it (FailedPrecondition
  // naming the eviction) until RestoreEvicted. NotFound when the version is not retained.
  virtual Status MarkEvicted(const ObjectKey& key, const std::string& version_id) = 0;
  // Clears the mark once every chunk of the version is stored again (fetched from a peer);
  // FailedPrecondition, naming a missing chunk, before that.
  virtual Status RestoreEvicted(const ObjectKey& key, const std::string& version_id) = 0;
  // Evicted versions, key -> version ids.
  virtual Result<std::map<std::string, std::set<std::string>>> EvictedVersions() = 0;
  // Called by Materialize before it writes a version out (get, checkout, deployments),
  // outside store locks, on the materializing thread: the disk quota counts the read (least
  // recently used versions are evicted first) and, when `evicted`, gets the version back
  // (fetches its chunks from a peer, then RestoreEvicted; it may block for the transfer). An
  // error fails Materialize. Unset: an evicted version is refused with FailedPrecondition.
  using VersionReadHook = std::function<Status(const VersionInfo& version, bool evicted, const GetOptions& options)>;
  virtual void SetVersionReadHook(VersionReadHook hook) = 0;

  // --- GC roots beyond retained versions: pins with leases (checkout, transfers).
  virtual Result<std::string> Pin(const ChunkId& manifest_id, uint64_t lease_ms) = 0;
  // Extends a pin's lease to `lease_ms` from now; NotFound when it expired and was collected.
  virtual Status RenewPin(const std::string& pin_id, uint64_t lease_ms) = 0;
  virtual Status Unpin(const std::string& pin_id) = 0;
  // Selective sync: which files of a retained version keep their chunks alive. Called by GC
  // for every retained version (not for intents or pins, which always keep every chunk); an
  // empty FileFilter keeps all files. The manifest (spec, file list) stays either way. Unset:
  // every chunk of every retained version is a root. Must be quick and thread-safe.
  using GcRootFilter = std::function<FileFilter(const std::string& key, const VersionRecord& record,
                                                const Manifest& manifest)>;
  virtual void SetGcRootFilter(GcRootFilter filter) = 0;
  // With a chunk tier, also compacts packs (GcStats::packs_*).
  virtual Result<GcStats> CollectGarbage() = 0;
  // With a chunk tier: uploads a checkpoint of the metadata when anything changed since the
  // last one, then deletes what only the previous checkpoint needed. Returns whether it
  // uploaded; false without a tier.
  virtual Result<bool> CheckpointTier() = 0;
  virtual Result<StoreStats> Stats() = 0;
  // The id of the operator key the data key is wrapped under (StoreKey::id); empty for a
  // plaintext store.
  virtual std::string EncryptionKeyId() = 0;
  // Rewraps the data key under `key` and replaces the data key file atomically. The data stays
  // sealed under the same data key, so reads and writes go on meanwhile; from now on only `key`
  // opens the store. FailedPrecondition for a plaintext store.
  virtual Status Rekey(const StoreKey& key) = 0;
  // Writes every memtable to disk so that its memory is freed: an idle node should not keep up
  // to the whole write buffer of recent small writes in memory. Durability is unchanged.
  virtual Status FlushMemTables() = 0;
};

}  // namespace edgesync
