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

std::string EncodeChunkSize(size_t size) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(size >> (8 * i));
  return out;
}

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
    for (const auto& e : entries_) {
      rocksdb::Slice key(e.id.AsBytes().data(), 16);
      batch.Put(db_->cf(RocksDb::kChunks), key, rocksdb::Slice(buffer_.data() + e.offset, e.size));
      batch.Put(db_->cf(RocksDb::kChunkIndex), key, EncodeChunkSize(e.size));
    }
    return db_->WriteUnsynced(&batch);
  }

  // Writes the sorted chunks and their index entries as two SST files and ingests both in one
  // atomic step.
  Status IngestSst() {
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.id < b.id; });
    const std::string stem = (db_->path() / ("ingest-" + std::to_string(::getpid()) + "-" +
                                             std::to_string(g_sst_counter.fetch_add(1)))).string();
    const std::string data_path = stem + "-data.sst", index_path = stem + "-index.sst";
    rocksdb::EnvOptions env;
    rocksdb::SstFileWriter data(env, db_->FamilyOptions(RocksDb::kChunks), db_->cf(RocksDb::kChunks));
    rocksdb::SstFileWriter index(env, db_->FamilyOptions(RocksDb::kChunkIndex), db_->cf(RocksDb::kChunkIndex));
    auto rs = data.Open(data_path);
    if (rs.ok()) rs = index.Open(index_path);
    const ChunkId* previous = nullptr;
    for (size_t i = 0; rs.ok() && i < entries_.size(); ++i) {
      const auto& e = entries_[i];
      if (previous && *previous == e.id) continue;  // same chunk twice in one batch
      rocksdb::Slice key(e.id.AsBytes().data(), 16);
      rs = data.Put(key, rocksdb::Slice(buffer_.data() + e.offset, e.size));
      if (rs.ok()) rs = index.Put(key, EncodeChunkSize(e.size));
      previous = &e.id;
    }
    if (rs.ok()) rs = data.Finish();
    if (rs.ok()) rs = index.Finish();
    if (rs.ok()) {
      rocksdb::IngestExternalFileOptions ingest;
      ingest.move_files = true;
      ingest.allow_blocking_flush = true;
      std::vector<rocksdb::IngestExternalFileArg> args(2);
      args[0].column_family = db_->cf(RocksDb::kChunks);
      args[0].external_files = {data_path};
      args[0].options = ingest;
      args[1].column_family = db_->cf(RocksDb::kChunkIndex);
      args[1].external_files = {index_path};
      args[1].options = ingest;
      rs = db_->db()->IngestExternalFiles(args);
    }
    std::error_code ec;  // the files remain only when ingestion failed
    std::filesystem::remove(data_path, ec);
    std::filesystem::remove(index_path, ec);
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
  rocksdb::PinnableSlice pinned;
  auto s = db_->db()->Get(rocksdb::ReadOptions(), db_->cf(RocksDb::kChunkIndex), key, &pinned);
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
  rocksdb::Slice key(id.AsBytes().data(), 16);
  batch.Put(db_->cf(RocksDb::kChunks), key, rocksdb::Slice(data.data(), data.size()));
  batch.Put(db_->cf(RocksDb::kChunkIndex), key, EncodeChunkSize(data.size()));
  return db_->WriteUnsynced(&batch);
}

std::unique_ptr<ChunkWriter> RocksChunkStore::NewWriter() {
  return std::make_unique<RocksChunkWriter>(db_, bulk_bytes_);
}

Status RocksChunkStore::Erase(const std::vector<ChunkId>& ids) {
  rocksdb::WriteBatch batch;
  for (const auto& id : ids) {
    rocksdb::Slice key(id.AsBytes().data(), 16);
    batch.Delete(db_->cf(RocksDb::kChunkIndex), key);
    batch.Delete(db_->cf(RocksDb::kChunks), key);
  }
  return db_->WriteUnsynced(&batch);
}

}  // namespace edgesync
