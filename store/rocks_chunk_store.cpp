#include "store/rocks_chunk_store.h"

#include <rocksdb/sst_file_writer.h>

#include <algorithm>
#include <atomic>
#include <filesystem>

namespace edgesync {
namespace {

// Below this many buffered bytes a writer's last batch goes through the ordinary write path:
// an SST ingestion has a fixed cost (file creation, fsync, manifest update, memtable flush).
constexpr size_t kMinIngestBytes = 4u << 20;

std::atomic<uint64_t> g_sst_counter{0};

class RocksChunkWriter : public ChunkWriter {
 public:
  RocksChunkWriter(RocksDb* db, size_t bulk_bytes) : db_(db), bulk_bytes_(bulk_bytes) {
    buffer_.reserve(bulk_bytes_ + (1u << 20));
  }

  Status Add(const ChunkId& id, std::string_view data) override {
    entries_.push_back({id, buffer_.size(), data.size()});
    buffer_.append(data);
    if (buffer_.size() >= bulk_bytes_) return Flush();
    return Status::Ok();
  }

  Status Finish() override { return Flush(); }

 private:
  struct Entry {
    ChunkId id;
    size_t offset;
    size_t size;
  };

  Status Flush() {
    if (entries_.empty()) return Status::Ok();
    Status s = buffer_.size() < kMinIngestBytes ? WriteBatch() : IngestSst();
    entries_.clear();
    buffer_.clear();
    return s;
  }

  Status WriteBatch() {
    rocksdb::WriteBatch batch;
    for (const auto& e : entries_)
      batch.Put(db_->cf(RocksDb::kChunks), rocksdb::Slice(e.id.AsBytes().data(), 16),
                rocksdb::Slice(buffer_.data() + e.offset, e.size));
    return db_->WriteUnsynced(&batch);
  }

  Status IngestSst() {
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.id < b.id; });
    auto path = db_->path() / ("ingest-" + std::to_string(::getpid()) + "-" +
                               std::to_string(g_sst_counter.fetch_add(1)) + ".sst");
    rocksdb::Options options;
    options.compression = rocksdb::kNoCompression;
    rocksdb::EnvOptions env;
    rocksdb::SstFileWriter writer(env, options, db_->cf(RocksDb::kChunks));
    auto rs = writer.Open(path.string());
    const ChunkId* previous = nullptr;
    for (size_t i = 0; rs.ok() && i < entries_.size(); ++i) {
      const auto& e = entries_[i];
      if (previous && *previous == e.id) continue;  // same chunk twice in one batch
      rs = writer.Put(rocksdb::Slice(e.id.AsBytes().data(), 16),
                      rocksdb::Slice(buffer_.data() + e.offset, e.size));
      previous = &e.id;
    }
    if (rs.ok()) rs = writer.Finish();
    if (rs.ok()) {
      rocksdb::IngestExternalFileOptions ingest;
      ingest.move_files = true;
      ingest.allow_blocking_flush = true;
      rs = db_->db()->IngestExternalFile(db_->cf(RocksDb::kChunks), {path.string()}, ingest);
    }
    std::error_code ec;
    std::filesystem::remove(path, ec);  // left behind only when ingestion failed
    return FromRocks(rs, "storing chunks");
  }

  RocksDb* db_;
  size_t bulk_bytes_;
  std::vector<Entry> entries_;
  std::string buffer_;
};

}  // namespace

RocksChunkStore::RocksChunkStore(RocksDb* db, size_t bulk_bytes) : db_(db), bulk_bytes_(bulk_bytes) {}

Result<bool> RocksChunkStore::Contains(const ChunkId& id) {
  rocksdb::Slice key(id.AsBytes().data(), 16);
  std::string value;
  if (!db_->db()->KeyMayExist(rocksdb::ReadOptions(), db_->cf(RocksDb::kChunks), key, &value))
    return false;
  rocksdb::PinnableSlice pinned;
  auto s = db_->db()->Get(rocksdb::ReadOptions(), db_->cf(RocksDb::kChunks), key, &pinned);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "looking up chunk " + id.Hex());
  return true;
}

Status RocksChunkStore::Get(const ChunkId& id, std::string* out) {
  Status s = db_->Get(RocksDb::kChunks, rocksdb::Slice(id.AsBytes().data(), 16), out);
  if (s.IsNotFound()) return Status::NotFound("chunk " + id.Hex() + " is missing");
  if (!s.ok()) return s;
  if (ChunkId::Of(out->data(), out->size()) != id)
    return Status::Corruption("chunk " + id.Hex() + " does not match its id");
  return Status::Ok();
}

Status RocksChunkStore::Put(const ChunkId& id, std::string_view data) {
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(RocksDb::kChunks), rocksdb::Slice(id.AsBytes().data(), 16),
            rocksdb::Slice(data.data(), data.size()));
  return db_->WriteUnsynced(&batch);
}

std::unique_ptr<ChunkWriter> RocksChunkStore::NewWriter() {
  return std::make_unique<RocksChunkWriter>(db_, bulk_bytes_);
}

Status RocksChunkStore::Erase(const std::vector<ChunkId>& ids) {
  rocksdb::WriteBatch batch;
  for (const auto& id : ids) batch.Delete(db_->cf(RocksDb::kChunks), rocksdb::Slice(id.AsBytes().data(), 16));
  return db_->WriteUnsynced(&batch);
}

}  // namespace edgesync
