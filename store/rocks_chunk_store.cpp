#include "store/rocks_chunk_store.h"

#include "store/chunk_location.h"

#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <future>
#include <memory>
#include <utility>

namespace edgesync {
namespace {

// Below this many buffered bytes a writer's last batch goes through the ordinary write path:
// an SST ingestion has a fixed cost (file creation, fsync, manifest update, memtable flush).
constexpr size_t kMinIngestBytes = 4u << 20;

std::atomic<uint64_t> g_sst_counter{0};

// Chunks buffered by one writer, written as one unit.
struct ChunkBatch {
  struct Entry {
    ChunkId id;
    size_t offset;
    size_t size;
  };
  std::vector<Entry> entries;
  std::string bytes;
  uint64_t through = 0;  // the writer's added() when the batch was sealed
};

// Adds one chunk to `wb` under `segment`.
void PutChunk(RocksDb* db, rocksdb::WriteBatch* wb, const ChunkId& id, std::string_view data, uint64_t segment) {
  db->Put(wb, RocksDb::kChunks, ChunkDataKey(id, {0, segment}), rocksdb::Slice(data.data(), data.size()));
  db->Put(wb, RocksDb::kChunkIndex, rocksdb::Slice(id.AsBytes().data(), 16),
          EncodeChunkIndexValue(static_cast<uint32_t>(data.size()), segment));
}

// Writes a batch: an ordinary unsynced WriteBatch under the store's small-write segment when
// small, otherwise two sorted SST files (chunks + index) that RocksDB ingests in one atomic step,
// the chunk bytes under a segment of their own (see chunk_location.h).
Status WriteChunkBatch(RocksDb* db, ChunkBatch& batch, uint64_t small_segment,
                       const std::function<uint64_t()>& new_segment) {
  if (batch.entries.empty()) return Status::Ok();
  EDGESYNC_RETURN_IF_ERROR(db->EnsureSpace(batch.bytes.size(), "storing chunks"));
  if (batch.bytes.size() < kMinIngestBytes) {
    rocksdb::WriteBatch wb;
    for (const auto& e : batch.entries)
      PutChunk(db, &wb, e.id, std::string_view(batch.bytes.data() + e.offset, e.size), small_segment);
    return db->WriteUnsynced(&wb);
  }
  const uint64_t segment = new_segment();
  auto& entries = batch.entries;
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  const std::string stem = (db->path() / ("ingest-" + std::to_string(::getpid()) + "-" +
                                          std::to_string(g_sst_counter.fetch_add(1)))).string();
  const std::string data_path = stem + "-data.sst", index_path = stem + "-index.sst";
  rocksdb::EnvOptions env;
  env.writable_file_max_buffer_size = RocksDb::kFileWriteBytes;
  // The written pages stay in the page cache like any file write's (RocksDB's default drops
  // them): the next read of fresh chunks (a relay serving them on, the SHA-256 pass over the
  // unchanged chunks of a new version) should not go to the disk. The kernel reclaims them.
  constexpr bool kInvalidatePageCache = false;
  rocksdb::SstFileWriter data(env, db->FamilyOptions(RocksDb::kChunks), db->cf(RocksDb::kChunks),
                              kInvalidatePageCache);
  rocksdb::SstFileWriter index(env, db->FamilyOptions(RocksDb::kChunkIndex), db->cf(RocksDb::kChunkIndex),
                               kInvalidatePageCache);
  auto rs = data.Open(data_path);
  if (rs.ok()) rs = index.Open(index_path);
  const ChunkId* previous = nullptr;
  std::string sealed;  // an encrypted store's chunk as stored; the SST writer copies it
  for (size_t i = 0; rs.ok() && i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (previous && *previous == e.id) continue;  // same chunk twice in one batch
    const std::string key = ChunkDataKey(e.id, {0, segment});
    rs = data.Put(key, db->StoredValue(RocksDb::kChunks, key, rocksdb::Slice(batch.bytes.data() + e.offset, e.size),
                                       &sealed));
    if (rs.ok())
      rs = index.Put(rocksdb::Slice(e.id.AsBytes().data(), 16),
                     EncodeChunkIndexValue(static_cast<uint32_t>(e.size), segment));
    previous = &e.id;
  }
  if (rs.ok()) rs = data.Finish();
  if (rs.ok()) rs = index.Finish();
  if (rs.ok()) {
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    ingest.allow_blocking_flush = true;
    std::vector<rocksdb::IngestExternalFileArg> args(2);
    args[0].column_family = db->cf(RocksDb::kChunks);
    args[0].external_files = {data_path};
    args[0].options = ingest;
    args[1].column_family = db->cf(RocksDb::kChunkIndex);
    args[1].external_files = {index_path};
    args[1].options = ingest;
    rs = db->db()->IngestExternalFiles(args);
  }
  std::error_code ec;  // the files remain only when ingestion failed
  std::filesystem::remove(data_path, ec);
  std::filesystem::remove(index_path, ec);
  return FromRocks(rs, "storing chunks");
}

// Pipelined: up to `background_writes` full batches are written on background threads while the
// caller fills the next one, so hashing, receiving and disk writes overlap. One batch write is
// latency-bound (an SST build, its write and fsync, the ingestion: ~50 ms per 16 MiB on the
// virtual disks we measured), so a single write in flight capped a transfer near 300 MB/s.
// Buffers are recycled, so a large put touches fresh memory only a few times.
class RocksChunkWriter : public ChunkWriter {
 public:
  RocksChunkWriter(RocksDb* db, size_t bulk_bytes, size_t background_writes, uint64_t small_segment,
                   std::function<uint64_t()> new_segment)
      : db_(db),
        bulk_bytes_(bulk_bytes),
        background_writes_(background_writes),
        small_segment_(small_segment),
        new_segment_(std::move(new_segment)) {}
  ~RocksChunkWriter() override {
    for (auto& write : pending_) write.wait();
  }

  Status Add(const ChunkId& id, std::string_view data) override {
    auto& bytes = current_->bytes;
    if (bytes.size() + data.size() > bytes.capacity())
      bytes.reserve(bytes.capacity() < (1u << 20) ? (1u << 20) : bulk_bytes_ + (1u << 20));
    current_->entries.push_back({id, bytes.size(), data.size()});
    bytes.append(data);
    ++added_;
    if (bytes.size() < bulk_bytes_) return Status::Ok();
    ReapPending(background_writes_ - 1);
    EDGESYNC_RETURN_IF_ERROR(TakeFailure());
    std::shared_ptr<ChunkBatch> full = std::move(current_);
    full->through = added_;
    if (spares_.empty()) {
      current_ = std::make_shared<ChunkBatch>();
    } else {
      current_ = std::move(spares_.back());
      spares_.pop_back();
    }
    pending_.push_back(std::async(std::launch::async, [this, full] {
      Status s = WriteChunkBatch(db_, *full, small_segment_, new_segment_);
      full->entries.clear();
      full->bytes.clear();  // keeps its capacity for reuse
      return std::make_pair(s, full);
    }));
    return Status::Ok();
  }

  Status Finish() override {
    ReapPending(0);
    Status s = TakeFailure();
    if (s.ok()) s = WriteChunkBatch(db_, *current_, small_segment_, new_segment_);
    if (s.ok()) stored_ = added_;
    current_->entries.clear();
    current_->bytes.clear();  // keeps its capacity for the next batch
    return s;
  }

  void ReleaseBuffers() override {
    ReapPending(pending_.size());
    spares_.clear();
    if (current_->entries.empty()) current_ = std::make_shared<ChunkBatch>();
  }

  uint64_t added() const override { return added_; }
  uint64_t Stored() override {
    ReapPending(pending_.size());  // a failure is kept for the next Add or Finish
    return stored_;
  }

 private:
  // Waits until at most `keep` batch writes are in flight (finished ones are collected too);
  // the first failure among them is kept until TakeFailure returns it.
  void ReapPending(size_t keep) {
    while (!pending_.empty() &&
           (pending_.size() > keep ||
            pending_.front().wait_for(std::chrono::seconds(0)) == std::future_status::ready)) {
      auto [status, batch] = pending_.front().get();
      pending_.pop_front();
      if (status.ok() && failure_.ok()) stored_ = batch->through;
      if (failure_.ok() && !status.ok()) failure_ = status;
      spares_.push_back(std::move(batch));
    }
  }
  Status TakeFailure() { return std::exchange(failure_, Status::Ok()); }

  RocksDb* db_;
  size_t bulk_bytes_;
  size_t background_writes_;  // >= 1
  uint64_t small_segment_;
  std::function<uint64_t()> new_segment_;
  std::shared_ptr<ChunkBatch> current_ = std::make_shared<ChunkBatch>();
  uint64_t added_ = 0;
  uint64_t stored_ = 0;  // added_ when the newest written batch was sealed
  Status failure_ = Status::Ok();  // a batch write that failed, not yet returned by Add or Finish
  std::vector<std::shared_ptr<ChunkBatch>> spares_;  // buffers whose write finished
  // Batches being written in the background, oldest first, handed back for reuse when done.
  std::deque<std::future<std::pair<Status, std::shared_ptr<ChunkBatch>>>> pending_;
};

// The segment after the highest one stored (a fresh store starts at 1).
uint64_t FirstFreeSegment(RocksDb* db) {
  std::unique_ptr<rocksdb::Iterator> it = db->NewIterator(RocksDb::kChunks);
  std::string last = ChunkDataKey(ChunkId{}, {0, kMaxChunkSegment});
  last.replace(8, 16, 16, '\xff');
  it->SeekForPrev(last);
  // Keys of the pre-segment layout are random ids; skip the few that may sort among segments.
  for (int i = 0; i < 64 && it->Valid(); ++i, it->Prev()) {
    if (auto segment = SegmentOfDataKey(it->key().ToStringView())) return *segment + 1;
  }
  return 1;
}

}  // namespace

RocksChunkStore::RocksChunkStore(RocksDb* db, size_t bulk_bytes)
    : db_(db), bulk_bytes_(bulk_bytes), next_segment_(FirstFreeSegment(db)) {
  small_segment_ = NextSegment();
}

uint64_t RocksChunkStore::NextSegment() { return next_segment_.fetch_add(1); }

Result<ChunkLocation> RocksChunkStore::Locate(const ChunkId& id) {
  rocksdb::PinnableSlice value;
  auto s = db_->db()->Get(rocksdb::ReadOptions(), db_->cf(RocksDb::kChunkIndex),
                          rocksdb::Slice(id.AsBytes().data(), 16), &value);
  if (s.IsNotFound()) return Status::NotFound("chunk " + id.Hex() + " is missing");
  if (!s.ok()) return FromRocks(s, "looking up chunk " + id.Hex());
  auto location = DecodeChunkIndexValue(value.ToStringView());
  if (!location.ok()) return location.status().WithContext("chunk " + id.Hex());
  return location;
}

Result<bool> RocksChunkStore::Contains(const ChunkId& id) {
  auto location = Locate(id);
  if (location.ok()) return true;
  if (location.status().IsNotFound()) return false;
  return location.status();
}

Status RocksChunkStore::Get(const ChunkId& id, std::string* out) {
  auto location = Locate(id);
  if (!location.ok()) return location.status();
  Status s = db_->Get(RocksDb::kChunks, ChunkDataKey(id, *location), out);
  if (s.IsNotFound()) return Status::NotFound("chunk " + id.Hex() + " is missing");
  if (!s.ok()) return s;
  // A sealed chunk has opened under its id (the associated data), which already proves its bytes
  // are the ones hashed when it was stored; hashing them again would only cost time.
  if (!db_->Sealed(RocksDb::kChunks) && ChunkId::Of(out->data(), out->size()) != id)
    return Status::Corruption("chunk " + id.Hex() + " does not match its id");
  return Status::Ok();
}

Status RocksChunkStore::Put(const ChunkId& id, std::string_view data) {
  EDGESYNC_RETURN_IF_ERROR(db_->EnsureSpace(data.size(), "storing chunk " + id.Hex()));
  rocksdb::WriteBatch batch;
  PutChunk(db_, &batch, id, data, small_segment_);
  return db_->WriteUnsynced(&batch);
}

std::unique_ptr<ChunkWriter> RocksChunkStore::NewWriter(const ChunkWriterOptions& options) {
  return std::make_unique<RocksChunkWriter>(db_, options.batch_bytes ? options.batch_bytes : bulk_bytes_,
                                            std::max<size_t>(options.background_writes, 1), small_segment_,
                                            [this] { return NextSegment(); });
}

Status RocksChunkStore::Erase(const std::vector<ChunkId>& ids) {
  rocksdb::WriteBatch batch;
  for (const auto& id : ids) {
    auto location = Locate(id);
    if (location.status().IsNotFound()) continue;
    if (!location.ok()) return location.status();
    AddErase(&batch, id, *location);
  }
  return db_->WriteUnsynced(&batch);
}

void RocksChunkStore::AddErase(rocksdb::WriteBatch* batch, const ChunkId& id, const ChunkLocation& location) {
  batch->Delete(db_->cf(RocksDb::kChunkIndex), rocksdb::Slice(id.AsBytes().data(), 16));
  batch->Delete(db_->cf(RocksDb::kChunks), ChunkDataKey(id, location));
}

}  // namespace edgesync
