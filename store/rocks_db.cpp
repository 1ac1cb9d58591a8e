#include "store/rocks_db.h"

#include <sys/statvfs.h>

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>

namespace edgesync {

namespace {

const char* const kFamilyNames[RocksDb::kFamilyCount] = {
    "chunks", "chunk_index", "manifests", "specs", "objects", "versions", "changes", "pins", "peers", "intents", "meta"};


rocksdb::ColumnFamilyOptions MakeFamilyOptions(RocksDb::Family f, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  if (f == RocksDb::kChunks) {
    // Chunk values are mostly incompressible and read whole: no compression, big blocks, and
    // a lazy L0 trigger: bulk puts ingest SST files whose random keys overlap everything, so
    // each compaction rewrites chunk bytes; waiting for more files rewrites them less often.
    // Point lookups stay cheap meanwhile (one cached Bloom filter per L0 file).
    o.compression = rocksdb::kNoCompression;
    t.block_size = 64 * 1024;
    o.level0_file_num_compaction_trigger = 24;
    o.level0_slowdown_writes_trigger = 72;
    o.level0_stop_writes_trigger = 96;
    o.target_file_size_base = 128u << 20;
    o.max_bytes_for_level_base = 1024u << 20;
  } else if (f == RocksDb::kChunkIndex) {
    // id -> size, consulted for every chunk of every put and commit: keep it small and cached.
    o.compression = rocksdb::kNoCompression;
    t.block_size = 4 * 1024;
  } else {
    o.compression = rocksdb::kLZ4Compression;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  o.write_buffer_size = 16u << 20;
  return o;
}

}  // namespace

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  std::string msg = what + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsNoSpace() || s.subcode() == rocksdb::Status::kNoSpace ||
      s.ToString().find("No space left") != std::string::npos)
    return Status::NoSpace(what + ": no space left on the disk holding the store (writes "
                           "resume once space is freed)");
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  return Status::IoError(msg);
}

Result<std::unique_ptr<RocksDb>> RocksDb::Open(const RocksDbOptions& options) {
  std::unique_ptr<RocksDb> rdb(new RocksDb());
  rdb->path_ = options.path;
  rdb->reserve_bytes_ = options.write_buffer_bytes + (4u << 20);
  rdb->cipher_ = options.cipher;
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);

  rocksdb::DBOptions db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.write_buffer_bytes, cache);
  db.max_background_jobs = 2;
  db.bytes_per_sync = 1u << 20;
  db.writable_file_max_buffer_size = kFileWriteBytes;
  db.max_open_files = 256;
  db.keep_log_file_num = 3;
  db.max_log_file_size = 4u << 20;
  db.info_log_level = rocksdb::WARN_LEVEL;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (int f = 0; f < kFamilyCount; ++f)
    families.emplace_back(kFamilyNames[f], MakeFamilyOptions(static_cast<Family>(f), cache));

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db, options.path.string(), families, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "opening store at " + options.path.string());
  rdb->db_.reset(raw);
  // handles[0] is the default family, which we do not use.
  rdb->db_->DestroyColumnFamilyHandle(handles[0]);
  rdb->handles_.assign(handles.begin() + 1, handles.end());
  return rdb;
}

const char* RocksDb::FamilyName(Family f) { return kFamilyNames[f]; }

RocksDb::~RocksDb() {
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

rocksdb::Options RocksDb::FamilyOptions(Family f) {
  return rocksdb::Options(db_->GetDBOptions(), db_->GetOptions(handles_[f]));
}

Status RocksDb::WriteSynced(rocksdb::WriteBatch* batch) {
  EDGESYNC_RETURN_IF_ERROR(EnsureSpace(batch->GetDataSize(), "committing"));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return Write(wo, batch, "committing");
}

Status RocksDb::WriteUnsynced(rocksdb::WriteBatch* batch) {
  return Write(rocksdb::WriteOptions(), batch, "writing");
}

Status RocksDb::Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch,
                      const char* what) {
  return FromRocks(db_->Write(options, batch), what);
}

Status RocksDb::EnsureSpace(uint64_t bytes, const std::string& what) const {
  struct statvfs fs {};
  if (statvfs(path_.c_str(), &fs) != 0) return Status::Ok();  // unknown: let the write say
  const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free_bytes >= bytes + reserve_bytes_) return Status::Ok();
  return Status::NoSpace(what + ": no space left on the disk holding the store (" +
                         std::to_string(free_bytes >> 20) + " MiB free, " +
                         std::to_string((bytes + reserve_bytes_ + (1u << 20) - 1) >> 20) +
                         " MiB needed with the reserve; writes resume once space is freed)");
}

std::string EncodeBigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

uint64_t DecodeBigEndian64(const rocksdb::Slice& s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = v << 8 | static_cast<uint8_t>(s[i]);
  return v;
}

}  // namespace edgesync
