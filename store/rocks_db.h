// RocksDb: the RocksDB instance behind a Store, with its column families and memory budget.
//
// Internal to store/: nothing outside this folder includes RocksDB headers. Thread-safe (RocksDB
// handles are; the cipher is immutable).
//
// In an encrypted store every value is sealed (value_cipher.h) except chunk_index's, which hold
// only a chunk's size and where its bytes are. Values are therefore written only through Put
// (or StoredValue, for SST files) and read only through Get and NewIterator, which seal and open
// them; db() is for snapshots, flushes, ingestion and properties.
#pragma once

#include <rocksdb/db.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/value_cipher.h"

namespace edgesync {

struct RocksDbOptions {
  std::filesystem::path path;
  size_t block_cache_bytes = 8u << 20;
  size_t write_buffer_bytes = 32u << 20;
  // Set for an encrypted store: the cipher holding its data key (data_key_file.h).
  std::shared_ptr<const ValueCipher> cipher;
};

class RocksDb {
 public:
  // Column families, in the order of their handles.
  enum Family { kChunks, kChunkIndex, kManifests, kSpecs, kObjects, kVersions, kChanges, kPins, kPeers, kIntents, kMeta, kFamilyCount };

  // Bytes per write(2) of SST and log files, instead of RocksDB's 1 MiB buffer. 1 MiB writes once
  // measured slower into the page cache; with warm pages the two sizes cost the same, so that
  // was likely the cost of fresh pages on our VMs (docs/benchmarks.md).
  static constexpr size_t kFileWriteBytes = 256u << 10;

  static Result<std::unique_ptr<RocksDb>> Open(const RocksDbOptions& options);
  static const char* FamilyName(Family f);
  ~RocksDb();

  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Family f) { return handles_[f]; }
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles() { return handles_; }
  // The options a family was opened with (SST files written for ingestion must match them).
  rocksdb::Options FamilyOptions(Family f);
  const std::filesystem::path& path() const { return path_; }

  bool encrypted() const { return cipher_ != nullptr; }
  // Whether values of `f` are stored sealed.
  bool Sealed(Family f) const { return cipher_ && f != kChunkIndex; }

  // Point read of the plaintext; NotFound when missing, Corruption when a sealed value does not
  // open (sealed_values.cpp, like the three below).
  Status Get(Family f, const rocksdb::Slice& key, std::string* value,
             const rocksdb::Snapshot* snapshot = nullptr);
  // Adds a put of `value` under `key` to `batch`, sealed when `f` is.
  void Put(rocksdb::WriteBatch* batch, Family f, const rocksdb::Slice& key, const rocksdb::Slice& value);
  // `value` as it is stored under `key` in `f`: `value` itself, or its sealed form kept in
  // `*scratch`. For writers of SST files, which bypass Put.
  rocksdb::Slice StoredValue(Family f, const rocksdb::Slice& key, const rocksdb::Slice& value,
                             std::string* scratch);
  // An iterator over `f` whose value() is the plaintext; a value that does not open reads empty
  // and turns status() into Corruption.
  std::unique_ptr<rocksdb::Iterator> NewIterator(Family f, const rocksdb::ReadOptions& options = {});
  // Synced batch write: the commit point of a version.
  Status WriteSynced(rocksdb::WriteBatch* batch);
  Status WriteUnsynced(rocksdb::WriteBatch* batch);
  // NoSpace unless the store's filesystem has `bytes` free beyond a reserve (the write buffer
  // plus 4 MiB, for RocksDB's own flushes). RocksDB that meets a full disk in the middle of a
  // WAL write or flush stops taking writes until it is reopened, so writes that add data
  // (chunks, commits) are refused cleanly before that point; deletions are not checked, so
  // garbage collection can still free space.
  Status EnsureSpace(uint64_t bytes, const std::string& what) const;

 private:
  RocksDb() = default;
  // One write, retried once when RocksDB had stopped on an earlier I/O error and resumes.
  Status Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch, const char* what);
  std::filesystem::path path_;
  uint64_t reserve_bytes_ = 0;
  std::shared_ptr<const ValueCipher> cipher_;  // null: values are stored as they are
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// Converts a RocksDB status into ours, naming the operation; disk-full becomes kNoSpace.
Status FromRocks(const rocksdb::Status& s, const std::string& what);

// Big-endian fixed64, so that byte order is numeric order in RocksDB keys.
std::string EncodeBigEndian64(uint64_t v);
uint64_t DecodeBigEndian64(const rocksdb::Slice& s);

}  // namespace edgesync
