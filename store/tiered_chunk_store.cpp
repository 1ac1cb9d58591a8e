#include "store/tiered_chunk_store.h"

#include <chrono>
#include <deque>
#include <future>
#include <random>
#include <tuple>
#include <utility>

namespace edgesync {
namespace {

constexpr char kPackRecordPrefix[] = "pack/";
constexpr char kRetiredPrefix[] = "pack-retired/";
constexpr char kTierRootKey[] = "chunk_tier";
constexpr char kOwnerBlob[] = "meta/owner";

std::string PackRecordKey(const char* prefix, uint64_t pack_id) { return prefix + EncodeBigEndian64(pack_id); }

void PutLittle64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetLittle64(std::string_view in, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}

uint64_t RandomPackId() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          (uint64_t{std::random_device{}()} << 32));
  uint64_t id;
  do id = rng(); while (id == 0);
  return id;
}

// Collects a writer's chunks into packs and uploads up to `uploads` of them while the caller
// fills the next, like RocksChunkWriter's batches. A chunk added twice to one pack is stored
// once in it (a later pack may hold another copy; the index names the last, GC drops the other).
class TierChunkWriter : public ChunkWriter {
 public:
  TierChunkWriter(TieredChunkStore* store, uint64_t pack_bytes, size_t uploads)
      : store_(store), pack_bytes_(pack_bytes), uploads_(uploads) {}
  ~TierChunkWriter() override {
    for (auto& upload : pending_) upload.wait();
  }

  Status Add(const ChunkId& id, std::string_view data) override {
    ++added_;
    if (!seen_.insert(id).second) return Status::Ok();
    if (!has_buffer_) builder_.Reuse(NextBuffer());
    has_buffer_ = true;
    builder_.Add(id, data);
    if (builder_.data_bytes() < pack_bytes_) return Status::Ok();
    Reap(uploads_ - 1);
    EDGESYNC_RETURN_IF_ERROR(TakeFailure());
    Launch();
    return Status::Ok();
  }

  Status Finish() override {
    // The last pack goes up beside those still in flight, not after them.
    if (!builder_.empty()) Launch();
    Reap(0);
    Status s = TakeFailure();
    if (s.ok()) stored_ = added_;
    seen_.clear();
    return s;
  }

  // A pack that is filling keeps its buffer; sealing a pack moves its buffer into the upload,
  // and the uploads hand theirs back as spares.
  void ReleaseBuffers() override { spares_.clear(); }

  uint64_t added() const override { return added_; }
  uint64_t Stored() override {
    while (!pending_.empty() && pending_.front().wait_for(std::chrono::seconds(0)) == std::future_status::ready)
      Reap(pending_.size() - 1);  // a failure is kept for the next Add or Finish
    return stored_;
  }

 private:
  // Seals the filling pack and uploads it on a thread of its own. The next pack fills a buffer
  // an earlier upload handed back, or a new one sized for a whole pack (NextBuffer).
  void Launch() {
    std::vector<PackEntry> entries = builder_.entries();
    std::string pack = builder_.Seal();
    has_buffer_ = false;
    seen_.clear();
    pending_.push_back(std::async(std::launch::async, [store = store_, entries = std::move(entries),
                                                       pack = std::move(pack), through = added_]() mutable {
      Status s = store->StorePack(entries, pack);
      return std::make_tuple(s, std::move(pack), through);
    }));
  }

  std::string NextBuffer() {
    std::string buffer;
    if (!spares_.empty()) {
      buffer = std::move(spares_.back());
      spares_.pop_back();
    } else {
      buffer.reserve(pack_bytes_ + (1u << 20));
    }
    return buffer;
  }

  // Waits until at most `keep` uploads are in flight; the first failure among those collected
  // is kept until TakeFailure returns it.
  void Reap(size_t keep) {
    while (pending_.size() > keep) {
      auto [s, buffer, through] = pending_.front().get();
      pending_.pop_front();
      spares_.push_back(std::move(buffer));
      if (s.ok() && failure_.ok()) stored_ = through;
      if (failure_.ok() && !s.ok()) failure_ = s;
    }
  }
  Status TakeFailure() { return std::exchange(failure_, Status::Ok()); }

  TieredChunkStore* store_;
  uint64_t pack_bytes_;
  size_t uploads_;  // >= 1
  PackBuilder builder_;
  bool has_buffer_ = false;  // builder_ fills a buffer sized for a pack
  std::unordered_set<ChunkId, ChunkIdHash> seen_;  // in the filling pack
  std::vector<std::string> spares_;  // buffers of finished uploads
  // Uploads in flight, oldest first: their status, buffer and added() when sealed.
  std::deque<std::future<std::tuple<Status, std::string, uint64_t>>> pending_;
  uint64_t added_ = 0;
  uint64_t stored_ = 0;
  Status failure_ = Status::Ok();  // an upload that failed, not yet returned by Add or Finish
};

}  // namespace

TieredChunkStore::TieredChunkStore(RocksDb* db, RocksChunkStore* local, const TierOptions& options,
                                   std::unique_ptr<PackCache> cache, std::filesystem::path scratch_dir)
    : db_(db), local_(local), options_(options), cache_(std::move(cache)), scratch_dir_(std::move(scratch_dir)) {}

Result<std::unique_ptr<TieredChunkStore>> TieredChunkStore::Open(RocksDb* db, RocksChunkStore* local,
                                                                 const TierOptions& options,
                                                                 const std::string& node_id,
                                                                 const std::filesystem::path& cache_dir) {
  TierBucket& bucket = *options.bucket;
  const std::string root = bucket.Describe();
  std::string recorded;
  Status s = db->Get(RocksDb::kMeta, kTierRootKey, &recorded);
  if (s.ok() && recorded != root)
    return Status::FailedPrecondition("this store keeps its chunks in " + recorded + ", not " + root +
                                      "; a store cannot move between tiers");
  if (!s.ok() && !s.IsNotFound()) return s;

  std::string owner;
  s = bucket.Read(kOwnerBlob, 0, std::nullopt, [&](std::string_view bytes) {
    owner.append(bytes);
    return Status::Ok();
  });
  if (s.ok() && owner != node_id)
    return Status::FailedPrecondition(root + " holds the chunks of node " + owner + "; node " + node_id +
                                      " cannot share it (give each node its own prefix)");
  if (s.IsNotFound()) s = bucket.Put(kOwnerBlob, node_id);
  if (!s.ok()) return s.WithContext("chunk tier " + root);
  if (recorded.empty()) {
    rocksdb::WriteBatch batch;
    db->Put(&batch, RocksDb::kMeta, kTierRootKey, root);
    EDGESYNC_RETURN_IF_ERROR(db->WriteSynced(&batch));
  }

  auto cache = PackCache::Open(cache_dir, options.cache_bytes);
  if (!cache.ok()) return cache.status();
  return std::unique_ptr<TieredChunkStore>(new TieredChunkStore(
      db, local, options, std::move(cache).value(), cache_dir.parent_path() / "tier-checkpoint"));
}

Result<bool> TieredChunkStore::Contains(const ChunkId& id) { return local_->Contains(id); }

Status TieredChunkStore::Get(const ChunkId& id, std::string* out) {
  // A GC rewrite moves live chunks to a new pack and deletes the old one later; a reader that
  // located the chunk just before may find the old pack gone, and looks again once.
  for (int attempt = 0;; ++attempt) {
    auto location = local_->Locate(id);
    if (!location.ok()) return location.status();
    if (!location->pack) return local_->Get(id, out);
    Status s = ReadFromPack(id, *location, out);
    if (!s.IsNotFound() || attempt == 1) return s;
  }
}

Status TieredChunkStore::ReadFromPack(const ChunkId& id, const ChunkLocation& location, std::string* out) {
  const PackSlot slot = *location.pack;
  if (cache_->Read(slot.pack, slot.offset, location.size, out)) {
    if (ChunkId::Of(out->data(), out->size()) == id) return Status::Ok();
    cache_->DropPack(slot.pack);  // a damaged cache file: fetch again, and cache afresh
  }
  uint64_t length = location.size;
  auto record = LoadPackRecord(slot.pack);
  if (!record.ok()) return record.status();
  if (*record && (*record)->data_bytes > slot.offset)
    length = std::max<uint64_t>(length, std::min(options_.readahead_bytes, (*record)->data_bytes - slot.offset));
  std::string fetched;
  fetched.reserve(length);
  ++range_reads_;
  Status s = options_.bucket->Read(PackName(slot.pack), slot.offset, length, [&](std::string_view bytes) {
    fetched.append(bytes);
    return Status::Ok();
  });
  if (!s.ok()) return s.WithContext("chunk " + id.Hex());
  if (fetched.size() < location.size)
    return Status::Corruption("pack " + PackName(slot.pack) + " is shorter than its index says");
  if (ChunkId::Of(fetched.data(), location.size) != id)
    return Status::Corruption("chunk " + id.Hex() + " in " + PackName(slot.pack) + " does not match its id");
  cache_->Insert(slot.pack, slot.offset, fetched);
  fetched.resize(location.size);
  *out = std::move(fetched);
  return Status::Ok();
}

Status TieredChunkStore::Put(const ChunkId& id, std::string_view data) {
  auto present = Contains(id);
  if (!present.ok()) return present.status();
  if (*present) return Status::Ok();
  PackBuilder builder;
  builder.Add(id, data);
  std::vector<PackEntry> entries = builder.entries();
  return StorePack(entries, builder.Seal());
}

std::unique_ptr<ChunkWriter> TieredChunkStore::NewWriter(const ChunkWriterOptions&) {
  return std::make_unique<TierChunkWriter>(this, options_.pack_bytes, std::max<size_t>(options_.uploads_per_writer, 1));
}

Status TieredChunkStore::Erase(const std::vector<ChunkId>& ids) {
  rocksdb::WriteBatch batch;
  for (const auto& id : ids) {
    auto location = local_->Locate(id);
    if (location.status().IsNotFound()) continue;
    if (!location.ok()) return location.status();
    AddErase(&batch, id, *location);
  }
  ++generation_;
  return db_->WriteUnsynced(&batch);
}

void TieredChunkStore::AddErase(rocksdb::WriteBatch* batch, const ChunkId& id, const ChunkLocation& location) {
  if (!location.pack) {
    local_->AddErase(batch, id, location);
    return;
  }
  batch->Delete(db_->cf(RocksDb::kChunkIndex), rocksdb::Slice(id.AsBytes().data(), 16));
}

Result<uint64_t> TieredChunkStore::Upload(const std::vector<PackEntry>& entries, const std::string& pack,
                                          rocksdb::WriteBatch* batch) {
  uint64_t pack_id;
  {
    MutexLock lock(inflight_mu_);
    do pack_id = RandomPackId(); while (!inflight_.insert(pack_id).second);
  }
  Status s = options_.bucket->Put(PackName(pack_id), pack);
  if (!s.ok()) {
    Release(pack_id);
    return s.WithContext("uploading a pack to " + options_.bucket->Describe());
  }
  ++pack_uploads_;
  const uint64_t data_bytes = entries.empty() ? 0 : entries.back().offset + entries.back().size;
  cache_->Insert(pack_id, 0, std::string_view(pack).substr(0, data_bytes));
  AddPackRecord(batch, pack_id, {data_bytes, pack.size()});
  return pack_id;
}

void TieredChunkStore::Release(uint64_t pack_id) {
  MutexLock lock(inflight_mu_);
  inflight_.erase(pack_id);
}

bool TieredChunkStore::IsInflight(uint64_t pack_id) {
  MutexLock lock(inflight_mu_);
  return inflight_.count(pack_id) > 0;
}

Status TieredChunkStore::StorePack(const std::vector<PackEntry>& entries, const std::string& pack) {
  rocksdb::WriteBatch batch;
  auto pack_id = Upload(entries, pack, &batch);
  if (!pack_id.ok()) return pack_id.status();
  for (const auto& e : entries)
    db_->Put(&batch, RocksDb::kChunkIndex, rocksdb::Slice(e.id.AsBytes().data(), 16),
              EncodePackIndexValue(e.size, {*pack_id, e.offset}));
  Status s = db_->WriteUnsynced(&batch);
  ++generation_;
  Release(*pack_id);
  return s;
}

void TieredChunkStore::AddPackRecord(rocksdb::WriteBatch* batch, uint64_t pack_id, const PackRecord& record) {
  std::string value;
  PutLittle64(&value, record.data_bytes);
  PutLittle64(&value, record.object_bytes);
  db_->Put(batch, RocksDb::kMeta, PackRecordKey(kPackRecordPrefix, pack_id), value);
}

void TieredChunkStore::AddRetire(rocksdb::WriteBatch* batch, uint64_t pack_id) {
  batch->Delete(db_->cf(RocksDb::kMeta), PackRecordKey(kPackRecordPrefix, pack_id));
  db_->Put(batch, RocksDb::kMeta, PackRecordKey(kRetiredPrefix, pack_id), "");
}

void TieredChunkStore::AddForget(rocksdb::WriteBatch* batch, uint64_t pack_id) {
  batch->Delete(db_->cf(RocksDb::kMeta), PackRecordKey(kRetiredPrefix, pack_id));
}

Result<std::map<uint64_t, TieredChunkStore::PackRecord>> TieredChunkStore::PackRecords(const rocksdb::Snapshot* snap) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::map<uint64_t, PackRecord> records;
  const std::string_view prefix = kPackRecordPrefix;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kMeta, ro);
  for (it->Seek(kPackRecordPrefix); it->Valid() && it->key().starts_with(kPackRecordPrefix); it->Next()) {
    std::string_view value = it->value().ToStringView();
    if (it->key().size() != prefix.size() + 8 || value.size() != 16)
      return Status::Corruption("a pack record is damaged");
    records[DecodeBigEndian64(rocksdb::Slice(it->key().data() + prefix.size(), 8))] =
        PackRecord{GetLittle64(value, 0), GetLittle64(value, 8)};
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing packs"));
  return records;
}

std::vector<uint64_t> TieredChunkStore::RetiredPacks() {
  std::vector<uint64_t> packs;
  const std::string_view prefix = kRetiredPrefix;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kMeta);
  for (it->Seek(kRetiredPrefix); it->Valid() && it->key().starts_with(kRetiredPrefix); it->Next()) {
    if (it->key().size() == prefix.size() + 8)
      packs.push_back(DecodeBigEndian64(rocksdb::Slice(it->key().data() + prefix.size(), 8)));
  }
  return packs;
}

Result<std::optional<TieredChunkStore::PackRecord>> TieredChunkStore::LoadPackRecord(uint64_t pack_id,
                                                                                      const rocksdb::Snapshot* snap) {
  std::string value;
  Status s = db_->Get(RocksDb::kMeta, PackRecordKey(kPackRecordPrefix, pack_id), &value, snap);
  if (s.IsNotFound()) return std::optional<PackRecord>();
  if (!s.ok()) return s;
  if (value.size() != 16) return Status::Corruption("pack record of " + PackName(pack_id) + " is damaged");
  return std::optional<PackRecord>(PackRecord{GetLittle64(value, 0), GetLittle64(value, 8)});
}

TierStats TieredChunkStore::Stats() {
  TierStats stats;
  stats.root = options_.bucket->Describe();
  if (auto records = PackRecords(nullptr); records.ok()) {
    stats.packs = records->size();
    for (const auto& [id, record] : *records) stats.pack_bytes += record.object_bytes;
  }
  stats.retired_packs = RetiredPacks().size();
  stats.pack_uploads = pack_uploads_.load();
  stats.range_reads = range_reads_.load();
  stats.checkpoints = checkpoints_.load();
  stats.last_checkpoint_ms = last_checkpoint_ms_.load();
  stats.checkpoint_seq = checkpoint_seq_.load();
  const PackCacheStats cache = cache_->Stats();
  stats.cache_bytes = cache.bytes;
  stats.cache_hits = cache.hits;
  stats.cache_misses = cache.misses;
  return stats;
}

}  // namespace edgesync
