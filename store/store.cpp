#include "store/store_impl.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "store/file_ingest.h"
#include "store/source_files.h"

namespace edgesync {
namespace {

const char kNodeIdKey[] = "node_id";
const char kHlcKey[] = "hlc";
const char kSeqKey[] = "seq";

}  // namespace

std::string RandomHex(size_t bytes) {
  std::random_device rd;
  std::string raw(bytes, '\0');
  for (auto& c : raw) c = static_cast<char>(rd());
  return ToHex(raw.data(), raw.size());
}

class StoreImpl::InflightChunks {
 public:
  explicit InflightChunks(StoreImpl* store) : store_(store) {}
  ~InflightChunks() {
    MutexLock lock(store_->inflight_mu_);
    for (const auto& id : ids_) {
      auto it = store_->inflight_.find(id);
      if (it != store_->inflight_.end()) store_->inflight_.erase(it);
    }
  }
  // Returns false when this writer already holds `id`.
  bool Add(const ChunkId& id) {
    if (!ids_.insert(id).second) return false;
    MutexLock lock(store_->inflight_mu_);
    store_->inflight_.insert(id);
    return true;
  }

 private:
  StoreImpl* store_;
  std::unordered_set<ChunkId, ChunkIdHash> ids_;
};

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) { return StoreImpl::Open(options); }

StoreImpl::StoreImpl(const StoreOptions& options)
    : options_(options), chunker_(options.chunking), retention_(options.retention) {}

StoreImpl::~StoreImpl() = default;

Result<std::unique_ptr<Store>> StoreImpl::Open(const StoreOptions& options) {
  EDGESYNC_RETURN_IF_ERROR(options.chunking.Validate());
  if (options.path.empty()) return Status::InvalidArgument("store path is empty");
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) return Status::IoError("cannot create data directory '" + options.path.string() + "': " + ec.message());
  std::unique_ptr<StoreImpl> store(new StoreImpl(options));
  EDGESYNC_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

Status StoreImpl::Init() {
  EDGESYNC_RETURN_IF_ERROR(LoadEncryption());
  auto db = RocksDb::Open({options_.path, options_.block_cache_bytes, options_.write_buffer_bytes, cipher_});
  if (!db.ok()) return db.status();
  db_ = std::move(db).value();
  local_chunks_ = std::make_unique<RocksChunkStore>(db_.get(), options_.bulk_write_bytes);

  std::string value;
  rocksdb::WriteBatch init;
  Status s = db_->Get(RocksDb::kMeta, kMetaSchemaKey, &value);
  const bool created = s.IsNotFound();
  int stored_schema = kSchemaVersion;
  std::string epoch;
  if (created) {
    db_->Put(&init, RocksDb::kMeta, kMetaSchemaKey, std::to_string(kSchemaVersion));
    epoch = RandomHex(16);
    db_->Put(&init, RocksDb::kMeta, kMetaEpochKey, epoch);
  } else if (!s.ok()) {
    return s;
  } else {
    int version = std::atoi(value.c_str());
    if (version > kSchemaVersion)
      return Status::FailedPrecondition("store at '" + options_.path.string() + "' has schema version " +
                                        value + ", newer than this build supports (" +
                                        std::to_string(kSchemaVersion) + "); upgrade edgesync");
    if (version < 1) return Status::Corruption("store schema version '" + value + "' is invalid");
    stored_schema = version;
    EDGESYNC_RETURN_IF_ERROR(db_->Get(RocksDb::kMeta, kMetaEpochKey, &epoch));
  }

  s = db_->Get(RocksDb::kMeta, kNodeIdKey, &node_id_);
  if (s.IsNotFound() || (!options_.node_id.empty() && options_.node_id != node_id_)) {
    node_id_ = options_.node_id.empty() ? RandomHex(8) : options_.node_id;
    db_->Put(&init, RocksDb::kMeta, kNodeIdKey, node_id_);
  } else if (!s.ok()) {
    return s;
  }

  HlcStamp persisted = 0;
  if (db_->Get(RocksDb::kMeta, kHlcKey, &value).ok()) persisted = DecodeBigEndian64(value);
  clock_ = std::make_unique<HybridClock>(persisted, options_.max_clock_skew_ms, options_.wall_clock_ms);
  {
    // Nobody else sees the store yet; the locks are taken because they guard these members.
    MutexLock commit_lock(commit_mu_);
    MutexLock lock(incarnation_mu_);
    epoch_ = std::move(epoch);
    if (db_->Get(RocksDb::kMeta, kSeqKey, &value).ok()) last_seq_ = DecodeBigEndian64(value);
  }
  if (init.Count() > 0) EDGESYNC_RETURN_IF_ERROR(db_->WriteSynced(&init));
  EDGESYNC_RETURN_IF_ERROR(LoadIncarnation(created, stored_schema));
  EDGESYNC_RETURN_IF_ERROR(OpenChunkTier());

  // Ingestion files left by a crash between writing and ingesting are garbage.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.path, ec))
    if (entry.path().filename().string().rfind("ingest-", 0) == 0) std::filesystem::remove(entry.path(), ec);
  return Status::Ok();
}

Status StoreImpl::OpenChunkTier() {
  if (!options_.chunk_tier.bucket) {
    std::string tier;
    Status s = db_->Get(RocksDb::kMeta, "chunk_tier", &tier);
    if (s.ok())
      return Status::FailedPrecondition("store at '" + options_.path.string() + "' keeps its chunks in " + tier +
                                        "; configure that chunk tier to open it");
    return s.IsNotFound() ? Status::Ok() : s;
  }
  auto tier = TieredChunkStore::Open(db_.get(), local_chunks_.get(), options_.chunk_tier, node_id_,
                                     options_.path / "tier-cache");
  if (!tier.ok()) return tier.status();
  tier_ = std::move(tier).value();
  return Status::Ok();
}

Result<bool> StoreImpl::CheckpointTier() {
  if (!tier_) return false;
  return tier_->Checkpoint(LastSeq());
}

uint64_t StoreImpl::NowMillis() const {
  if (options_.wall_clock_ms) return options_.wall_clock_ms();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void StoreImpl::Warn(const std::string& message) const {
  if (options_.log_warning) options_.log_warning(message);
}

std::string StoreImpl::VersionKey(const std::string& key, const std::string& version_id) {
  return key + '\0' + version_id;
}

// ---------------------------------------------------------------------------------------------
// Local writes

Result<VersionInfo> StoreImpl::Put(const ObjectKey& key, const std::filesystem::path& source,
                                   const std::string& spec_json, const TransferControl& control) {
  Result<std::vector<SourceFile>> files = ListSourceFiles(source);
  if (!files.ok()) return files.status();
  return PutFiles(key, std::move(files).value(), spec_json, control);
}

Result<VersionInfo> StoreImpl::PutFiles(const ObjectKey& key, std::vector<SourceFile> files,
                                        const std::string& spec_json, const TransferControl& control) {
  auto spec = CanonicalJsonObject(spec_json);
  if (!spec.ok()) return spec.status();
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  for (size_t i = 0; i < files.size(); ++i) {
    EDGESYNC_RETURN_IF_ERROR(ValidateRelativePath(files[i].path));
    if (i > 0 && files[i].path == files[i - 1].path)
      return Status::InvalidArgument("path '" + files[i].path + "' appears twice");
  }

  const uint64_t total_bytes = TotalBytes(files);
  if (options_.admit_local_put) EDGESYNC_RETURN_IF_ERROR(options_.admit_local_put(key, total_bytes));
  uint64_t done_bytes = 0;
  if (control.progress) control.progress(0, total_bytes);

  Manifest manifest;
  manifest.spec_json = std::move(spec).value();
  InflightChunks inflight(this);
  auto writer = chunks().NewWriter({});
  ChunkSink sink = [&](const ChunkId& id, std::string_view data) -> Status {
    if (control.cancelled && control.cancelled()) return Status::Aborted("put of " + key.str() + " cancelled");
    done_bytes += data.size();
    if (control.progress) control.progress(done_bytes, std::max(total_bytes, done_bytes));
    if (!inflight.Add(id)) return Status::Ok();  // already stored or buffered by this put
    auto present = chunks().Contains(id);
    if (!present.ok()) return present.status();
    if (*present) return Status::Ok();
    return writer->Add(id, data);
  };
  for (const auto& f : files) {
    if (f.stream) {
      auto entry = IngestStream(f.stream, f.path, f.mode, chunker_, sink);
      if (!entry.ok()) return entry.status();
      manifest.files.push_back(std::move(entry).value());
      continue;
    }
    struct stat sb;
    if (::lstat(f.source.c_str(), &sb) != 0)
      return Status::IoError("cannot stat '" + f.source.string() + "'");
    if (!S_ISREG(sb.st_mode))
      return Status::InvalidArgument("'" + f.source.string() + "' is not a regular file");
    auto entry = IngestFile(f.source, f.path, sb.st_mode & 07777, chunker_, sink);
    if (!entry.ok()) return entry.status();
    manifest.files.push_back(std::move(entry).value());
  }
  EDGESYNC_RETURN_IF_ERROR(writer->Finish());
  if (options_.fault_before_commit) EDGESYNC_RETURN_IF_ERROR(options_.fault_before_commit());
  return CommitLocal(key, &manifest);
}

Result<VersionInfo> StoreImpl::Delete(const ObjectKey& key) {
  auto latest = Latest(key);
  if (!latest.ok()) return latest.status();
  return CommitLocal(key, nullptr);
}

Result<VersionInfo> StoreImpl::Rollback(const ObjectKey& key, const std::string& version_id) {
  auto v = GetVersion(key, version_id);
  if (!v.ok()) return v.status();
  if (v->record.tombstone)
    return Status::InvalidArgument("version " + version_id + " of " + key.str() + " is a delete; nothing to roll back to");
  auto manifest = ReadManifest(v->record.manifest_id);
  if (!manifest.ok()) return manifest.status();
  return CommitLocal(key, &manifest.value());
}

Result<VersionInfo> StoreImpl::CommitLocal(const ObjectKey& key, const Manifest* manifest) {
  std::string encoded = manifest ? manifest->Encode() : std::string();
  Change change;
  VersionRecord record;
  {
    SharedLock gc_lock(gc_mu_);
    if (manifest) EDGESYNC_RETURN_IF_ERROR(CheckChunksPresent(*manifest));
    MutexLock commit_lock(commit_mu_);
    auto state = LoadState(key.str());
    if (!state.ok() && !state.status().IsNotFound()) return state.status();
    for (const auto& h : state.ok() ? state->heads : std::vector<VersionRecord>{})
      record.vector.MergeFrom(h.vector);
    record.vector.Increment(CommitActor());
    record.hlc = clock_->Now();
    record.author = node_id_;
    record.tombstone = manifest == nullptr;
    if (manifest) record.manifest_id = ManifestId(encoded);
    if (options_.seal_local_version) {
      auto sealed = options_.seal_local_version(key, record);
      if (!sealed.ok()) return sealed.status();
      record.attestation = std::move(sealed).value();
    }
    EDGESYNC_RETURN_IF_ERROR(WriteCommit(key, record, manifest, encoded, {record},
                                         state.ok() ? &state.value() : nullptr, &change));
  }
  Notify(change);
  return VersionInfo{key.str(), record.Id(key.str()), record};
}

Status StoreImpl::CheckChunksPresent(const Manifest& manifest, const FileFilter& placed) {
  for (const auto& f : manifest.files) {
    if (placed && !placed(f)) continue;
    for (const auto& c : f.chunks) {
      auto present = chunks().Contains(c.id);
      if (!present.ok()) return present.status();
      if (!*present)
        return Status::FailedPrecondition("chunk " + c.id.Hex() + " of '" + f.path + "' is not stored");
    }
  }
  return Status::Ok();
}

Status StoreImpl::WriteCommit(const ObjectKey& key, const VersionRecord& record,
                              const Manifest* manifest, const std::string& encoded_manifest,
                              std::vector<VersionRecord> new_heads, const ObjectState* old_state,
                              Change* change) {
  rocksdb::WriteBatch batch;
  const std::string id = record.Id(key.str());
  if (manifest) {
    std::string mid(record.manifest_id.AsBytes());
    db_->Put(&batch, RocksDb::kManifests, mid, encoded_manifest);
    db_->Put(&batch, RocksDb::kSpecs, mid, manifest->spec_json);
  }
  db_->Put(&batch, RocksDb::kVersions, VersionKey(key.str(), id), record.Encode());
  batch.Delete(db_->cf(RocksDb::kIntents), VersionKey(key.str(), id));  // applied: no longer pending

  ObjectState state;
  state.heads = std::move(new_heads);
  state.seq = last_seq_ + 1;
  const VersionRecord& winner = WinningHead(state.heads);
  if (!winner.tombstone) {
    if (winner.manifest_id == record.manifest_id && manifest) {
      state.logical_bytes = manifest->TotalBytes();
    } else if (old_state) {
      state.logical_bytes = old_state->logical_bytes;
    }
  }
  db_->Put(&batch, RocksDb::kObjects, key.str(), state.Encode());
  if (old_state) batch.Delete(db_->cf(RocksDb::kChanges), EncodeBigEndian64(old_state->seq));
  db_->Put(&batch, RocksDb::kChanges, EncodeBigEndian64(state.seq), key.str());
  db_->Put(&batch, RocksDb::kMeta, kSeqKey, EncodeBigEndian64(state.seq));
  db_->Put(&batch, RocksDb::kMeta, kHlcKey, EncodeBigEndian64(clock_->high_water()));

  // Retention (retention.h): the versions this commit pushes out of the policy go with it.
  auto versions = ListVersions(key.str());
  if (!versions.ok()) return versions.status();
  versions->push_back(record);
  auto verdicts = DecideFor(key.str(), std::move(versions).value(), state.heads);
  if (!verdicts.ok()) return verdicts.status();
  for (const RetentionVerdict& v : *verdicts)
    if (!v.keep) {
      batch.Delete(db_->cf(RocksDb::kVersions), VersionKey(key.str(), v.version_id));
      batch.Delete(db_->cf(RocksDb::kMeta), EvictedMarkKey(key.str(), v.version_id));
    }

  if (manifest) AddLateRoots(*manifest, record.manifest_id);
  EDGESYNC_RETURN_IF_ERROR(db_->WriteSynced(&batch).WithContext("committing " + key.str()));
  last_seq_ = state.seq;
  RecordMark();
  *change = Change{state.seq, key.str(), state.heads};
  return Status::Ok();
}

void StoreImpl::AddLateRoots(const Manifest& manifest, const ChunkId& manifest_id) {
  MutexLock lock(inflight_mu_);
  if (!gc_active_) return;
  late_roots_.insert(manifest_id);
  for (const auto& f : manifest.files)
    for (const auto& c : f.chunks) late_roots_.insert(c.id);
}

void StoreImpl::Notify(const Change& change) {
  std::vector<ChangeListener> listeners;
  {
    MutexLock lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& l : listeners) l(change);
}

void StoreImpl::AddChangeListener(ChangeListener listener) {
  MutexLock lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

// ---------------------------------------------------------------------------------------------
// Replicated writes

Result<bool> StoreImpl::ApplyRemote(const ObjectKey& key, const VersionRecord& record,
                                    const Manifest& manifest, const FileFilter& placed,
                                    const FileFilter& hashed) {
  if (record.vector.empty()) return Status::InvalidArgument("remote version without a vector");
  std::string encoded;
  if (!record.tombstone) {
    EDGESYNC_RETURN_IF_ERROR(manifest.Validate());
    encoded = manifest.Encode();
    if (ManifestId(encoded) != record.manifest_id)
      return Status::Corruption("manifest of " + key.str() + " does not match the version's manifest id");
    EDGESYNC_RETURN_IF_ERROR(VerifyFileHashes(manifest, placed, hashed));
  }
  Change change;
  {
    SharedLock gc_lock(gc_mu_);
    if (!record.tombstone) EDGESYNC_RETURN_IF_ERROR(CheckChunksPresent(manifest, placed));
    MutexLock commit_lock(commit_mu_);
    auto state = LoadState(key.str());
    if (!state.ok() && !state.status().IsNotFound()) return state.status();
    auto clash = FindClash(key, record, state.ok() ? &state.value() : nullptr);
    if (!clash.ok()) return clash.status();
    if (*clash) {
      EDGESYNC_RETURN_IF_ERROR(RecordClash(key, **clash, record, ""));
      return Status::AlreadyExists("version " + record.Id(key.str()) + " of " + key.str() + " has the vector " +
                                   record.vector.ToString() + " of local version " + (*clash)->id +
                                   " but other content (identity clash; see `edgesync conflicts`)");
    }
    std::vector<VersionRecord> heads;
    if (state.ok()) {
      for (const auto& h : state->heads) {
        VectorOrder order = record.vector.Compare(h.vector);
        if (order == VectorOrder::kEqual) return false;
        if (order == VectorOrder::kDominated) return false;
        if (order == VectorOrder::kConcurrent) heads.push_back(h);
      }
    }
    bool clamped = false;
    clock_->Observe(record.hlc, &clamped);
    if (clamped)
      Warn("version " + record.Id(key.str()) + " of " + key.str() + " from " + record.author +
           " carries a clock " + std::to_string((HlcMillis(record.hlc) - NowMillis()) / 1000) +
           " s ahead of ours; our clock did not follow it");
    heads.push_back(record);
    EDGESYNC_RETURN_IF_ERROR(WriteCommit(key, record, record.tombstone ? nullptr : &manifest, encoded,
                                         std::move(heads), state.ok() ? &state.value() : nullptr, &change));
  }
  Notify(change);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Reads

Result<ObjectState> StoreImpl::LoadState(const std::string& key) {
  std::string value;
  Status s = db_->Get(RocksDb::kObjects, key, &value);
  if (s.IsNotFound()) return Status::NotFound("no object " + key);
  if (!s.ok()) return s;
  return ObjectState::Decode(value);
}

Result<std::vector<VersionRecord>> StoreImpl::ListVersions(const std::string& key) {
  std::vector<VersionRecord> out;
  std::string prefix = key + '\0';
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kVersions);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto r = VersionRecord::Decode(it->value().ToStringView());
    if (!r.ok()) return r.status();
    out.push_back(std::move(r).value());
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing versions of " + key));
  return out;
}

Result<std::vector<VersionInfo>> StoreImpl::Heads(const ObjectKey& key) {
  auto state = LoadState(key.str());
  if (!state.ok()) return state.status();
  std::vector<VersionInfo> out;
  for (const auto& h : state->heads) out.push_back({key.str(), h.Id(key.str()), h});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.record.hlc != b.record.hlc ? a.record.hlc > b.record.hlc : a.record.author > b.record.author;
  });
  return out;
}

Result<VersionInfo> StoreImpl::Latest(const ObjectKey& key) {
  auto state = LoadState(key.str());
  if (!state.ok()) return state.status();
  const auto& winner = WinningHead(state->heads);
  if (winner.tombstone) return Status::NotFound(key.str() + " was deleted");
  return VersionInfo{key.str(), winner.Id(key.str()), winner};
}

Result<VersionInfo> StoreImpl::GetVersion(const ObjectKey& key, const std::string& version_id) {
  std::string value;
  Status s = db_->Get(RocksDb::kVersions, VersionKey(key.str(), version_id), &value);
  if (s.IsNotFound()) return Status::NotFound("no version " + version_id + " of " + key.str() + " is retained");
  if (!s.ok()) return s;
  auto r = VersionRecord::Decode(value);
  if (!r.ok()) return r.status();
  return VersionInfo{key.str(), version_id, std::move(r).value()};
}

Result<std::vector<VersionInfo>> StoreImpl::History(const ObjectKey& key) {
  auto versions = ListVersions(key.str());
  if (!versions.ok()) return versions.status();
  if (versions->empty()) return Status::NotFound("no object " + key.str());
  std::sort(versions->begin(), versions->end(), [](const auto& a, const auto& b) { return a.hlc > b.hlc; });
  std::vector<VersionInfo> out;
  for (auto& v : *versions) out.push_back({key.str(), v.Id(key.str()), v});
  return out;
}

Result<Manifest> StoreImpl::ReadManifest(const ChunkId& manifest_id) {
  std::string value;
  Status s = db_->Get(RocksDb::kManifests, std::string(manifest_id.AsBytes()), &value);
  if (s.IsNotFound()) return Status::NotFound("manifest " + manifest_id.Hex() + " is missing");
  if (!s.ok()) return s;
  if (ManifestId(value) != manifest_id) return Status::Corruption("manifest " + manifest_id.Hex() + " does not match its id");
  return Manifest::Decode(value);
}

Result<std::string> StoreImpl::ReadSpec(const ChunkId& manifest_id) {
  std::string value;
  Status s = db_->Get(RocksDb::kSpecs, std::string(manifest_id.AsBytes()), &value);
  if (s.IsNotFound()) return Status::NotFound("spec of manifest " + manifest_id.Hex() + " is missing");
  if (!s.ok()) return s;
  return value;
}

Result<std::vector<std::string>> StoreImpl::ListKeys(const std::string& prefix, const std::string& after,
                                                    size_t limit) {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kObjects);
  // The first key after `after` is `after` + '\0' (keys hold no NUL).
  const std::string start = after.empty() || after < prefix ? prefix : after + '\0';
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix) && out.size() < limit; it->Next()) {
    auto state = ObjectState::Decode(it->value().ToStringView());
    if (!state.ok()) return state.status();
    if (!WinningHead(state->heads).tombstone) out.push_back(it->key().ToString());
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing keys"));
  return out;
}

Result<std::vector<Change>> StoreImpl::ChangesSince(uint64_t seq, size_t limit) {
  std::vector<Change> out;
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snap = db_->db()->GetSnapshot();
  ro.snapshot = snap;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kChanges, ro);
  Status s;
  for (it->Seek(EncodeBigEndian64(seq + 1)); it->Valid() && out.size() < limit; it->Next()) {
    std::string key = it->value().ToString(), value;
    s = db_->Get(RocksDb::kObjects, key, &value, snap);
    if (!s.ok()) break;
    auto state = ObjectState::Decode(value);
    if (!state.ok()) { s = state.status(); break; }
    out.push_back({DecodeBigEndian64(it->key()), key, state->heads});
  }
  if (s.ok()) s = FromRocks(it->status(), "reading the change log");
  it.reset();
  db_->db()->ReleaseSnapshot(snap);
  if (!s.ok()) return s;
  return out;
}

uint64_t StoreImpl::LastSeq() {
  MutexLock lock(commit_mu_);
  return last_seq_;
}

Status StoreImpl::FlushMemTables() {
  rocksdb::FlushOptions options;
  options.allow_write_stall = true;
  return FromRocks(db_->db()->Flush(options, db_->handles()), "flushing memtables");
}

Result<StoreStats> StoreImpl::Stats() {
  StoreStats stats;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kObjects);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto state = ObjectState::Decode(it->value().ToStringView());
    if (!state.ok()) return state.status();
    if (WinningHead(state->heads).tombstone) continue;
    ++stats.keys;
    stats.logical_bytes += state->logical_bytes;
  }
  uint64_t v = 0;
  if (db_->db()->GetIntProperty(db_->cf(RocksDb::kChunkIndex), "rocksdb.estimate-num-keys", &v)) stats.chunks = v;
  if (db_->db()->GetIntProperty(db_->cf(RocksDb::kChunks), "rocksdb.estimate-live-data-size", &v)) stats.chunk_bytes = v;
  uint64_t mem = 0;
  if (db_->db()->GetIntProperty(db_->cf(RocksDb::kChunks), "rocksdb.cur-size-all-mem-tables", &mem)) stats.chunk_bytes += mem;
  stats.last_seq = LastSeq();
  auto clashes = IdentityClashes();
  if (!clashes.ok()) return clashes.status();
  stats.identity_clashes = clashes->size();
  stats.reincarnations = reincarnations_.load();
  if (tier_) {
    stats.tier = tier_->Stats();
    stats.chunk_bytes += stats.tier->pack_bytes;
  }
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Pins

Result<std::string> StoreImpl::Pin(const ChunkId& manifest_id, uint64_t lease_ms) {
  std::string pin_id = RandomHex(8);
  std::string value = manifest_id.Hex() + " " + std::to_string(NowMillis() + lease_ms);
  rocksdb::WriteBatch batch;
  db_->Put(&batch, RocksDb::kPins, pin_id, value);
  EDGESYNC_RETURN_IF_ERROR(db_->WriteSynced(&batch));
  return pin_id;
}

Status StoreImpl::RenewPin(const std::string& pin_id, uint64_t lease_ms) {
  std::string value;
  Status s = db_->Get(RocksDb::kPins, pin_id, &value);
  if (s.IsNotFound()) return Status::NotFound("pin " + pin_id + " expired or was released");
  if (!s.ok()) return s;
  rocksdb::WriteBatch batch;
  db_->Put(&batch, RocksDb::kPins, pin_id, value.substr(0, value.find(' ')) + " " + std::to_string(NowMillis() + lease_ms));
  return db_->WriteSynced(&batch);
}

Status StoreImpl::Unpin(const std::string& pin_id) {
  rocksdb::WriteBatch batch;
  batch.Delete(db_->cf(RocksDb::kPins), pin_id);
  return db_->WriteSynced(&batch);
}

}  // namespace edgesync
