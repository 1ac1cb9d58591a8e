// Evicted versions (store.h, "disk quota"): a mark per version in the meta family, written in
// one synced batch before any of the version's chunks may go. The mark is what GC (gc.cpp) and
// Materialize read, so a crash at any point leaves either an unmarked version with all its
// chunks, or a marked one whose chunks may be partly gone; never an unmarked incomplete one.
#include "store/store_impl.h"

namespace edgesync {

std::string EvictedMarkKey(const std::string& key, const std::string& version_id) {
  return std::string(kEvictedMarkPrefix) + key + '\0' + version_id;
}

Result<uint64_t> StoreImpl::StoredChunkBytes() {
  uint64_t bytes = 0;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kChunkIndex, ro);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto location = DecodeChunkIndexValue(it->value().ToStringView());
    if (location.ok()) bytes += location->size;
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "summing stored chunks"));
  return bytes;
}

Status StoreImpl::MarkEvicted(const ObjectKey& key, const std::string& version_id) {
  auto version = GetVersion(key, version_id);
  if (!version.ok()) return version.status();
  if (version->record.tombstone) return Status::InvalidArgument(key.str() + " version " + version_id + " is a delete");
  rocksdb::WriteBatch batch;
  db_->Put(&batch, RocksDb::kMeta, EvictedMarkKey(key.str(), version_id), "");
  return db_->WriteSynced(&batch).WithContext("marking " + key.str() + " version " + version_id + " evicted");
}

Status StoreImpl::RestoreEvicted(const ObjectKey& key, const std::string& version_id) {
  auto version = GetVersion(key, version_id);
  if (!version.ok()) return version.status();
  auto manifest = ReadManifest(version->record.manifest_id);
  if (!manifest.ok()) return manifest.status();
  {
    SharedLock gc_lock(gc_mu_);  // no sweep between the presence check and the unmarking
    Status present = CheckChunksPresent(*manifest);
    if (!present.ok())
      return Status::FailedPrecondition(key.str() + " version " + version_id + " is still incomplete: " +
                                        present.message());
    rocksdb::WriteBatch batch;
    batch.Delete(db_->cf(RocksDb::kMeta), EvictedMarkKey(key.str(), version_id));
    EDGESYNC_RETURN_IF_ERROR(db_->WriteSynced(&batch));
  }
  return Status::Ok();
}

void StoreImpl::SetVersionReadHook(VersionReadHook hook) {
  MutexLock lock(read_hook_mu_);
  read_hook_ = std::move(hook);
}

Result<bool> StoreImpl::IsEvicted(const std::string& key, const std::string& version_id) {
  std::string mark;
  Status s = db_->Get(RocksDb::kMeta, EvictedMarkKey(key, version_id), &mark);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return s;
  return true;
}

Result<std::map<std::string, std::set<std::string>>> StoreImpl::EvictedVersions() {
  std::map<std::string, std::set<std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kMeta);
  for (it->Seek(kEvictedMarkPrefix); it->Valid() && it->key().starts_with(kEvictedMarkPrefix); it->Next()) {
    std::string_view rest = it->key().ToStringView().substr(sizeof(kEvictedMarkPrefix) - 1);
    const size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) continue;
    out[std::string(rest.substr(0, nul))].insert(std::string(rest.substr(nul + 1)));
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing evicted versions"));
  return out;
}

}  // namespace edgesync
