// Retention applied by the store (store/retention.h): the facts DecideRetention needs (heads,
// live pins, holds from the layers above), the plan `edgesync history` shows, and the sweep
// that drops versions that aged out. Dropping is deleting version records; the chunks only
// those versions used go with the next GC, so a crash between the two leaves garbage, never a
// listed version without its chunks.
#include <string>

#include "store/store_impl.h"

namespace edgesync {
namespace {
constexpr size_t kSweepKeysPerBatch = 256;
}  // namespace

void StoreImpl::SetRetentionPolicy(RetentionPolicy policy) {
  MutexLock lock(retention_mu_);
  retention_ = std::move(policy);
}

void StoreImpl::SetRetentionHolds(std::map<std::string, std::set<std::string>> holds) {
  MutexLock lock(retention_mu_);
  retention_holds_ = std::move(holds);
}

Result<std::set<ChunkId>> StoreImpl::LiveManifestPins() {
  std::set<ChunkId> pinned;
  const uint64_t now = NowMillis();
  std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kPins);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view v = it->value().ToStringView();
    const size_t space = v.find(' ');
    if (space == std::string_view::npos) continue;
    auto id = ChunkId::FromHex(std::string(v.substr(0, space)));
    uint64_t expires = 0;
    try {
      expires = std::stoull(std::string(v.substr(space + 1)));
    } catch (const std::exception&) {
      continue;
    }
    if (id && expires > now) pinned.insert(*id);
  }
  EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "listing pins"));
  return pinned;
}

Result<std::vector<RetentionVerdict>> StoreImpl::DecideFor(const std::string& key, std::vector<VersionRecord> versions,
                                                           const std::vector<VersionRecord>& heads) {
  RetentionFacts facts;
  facts.heads = heads;
  facts.now_ms = NowMillis();
  auto pinned = LiveManifestPins();
  if (!pinned.ok()) return pinned.status();
  facts.pinned_manifests = std::move(pinned).value();
  RetentionRule rule;
  {
    MutexLock lock(retention_mu_);
    rule = retention_.For(key);
    if (auto it = retention_holds_.find(key); it != retention_holds_.end()) facts.held = it->second;
  }
  return DecideRetention(key, std::move(versions), rule, facts);
}

Result<std::vector<RetentionVerdict>> StoreImpl::RetentionPlan(const ObjectKey& key) {
  MutexLock commit_lock(commit_mu_);  // heads and versions read together
  auto state = LoadState(key.str());
  if (!state.ok()) return state.status();
  auto versions = ListVersions(key.str());
  if (!versions.ok()) return versions.status();
  return DecideFor(key.str(), std::move(versions).value(), state->heads);
}

Result<uint64_t> StoreImpl::EnforceRetention() {
  std::vector<std::string> keys;
  {
    std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kObjects);
    for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
    EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "retention: listing keys"));
  }
  uint64_t dropped = 0;
  for (size_t begin = 0; begin < keys.size(); begin += kSweepKeysPerBatch) {
    // One page of keys under the commit lock: no commit changes their heads meanwhile.
    MutexLock commit_lock(commit_mu_);
    rocksdb::WriteBatch batch;
    for (size_t i = begin; i < std::min(keys.size(), begin + kSweepKeysPerBatch); ++i) {
      auto state = LoadState(keys[i]);
      if (state.status().IsNotFound()) continue;  // purged meanwhile
      if (!state.ok()) return state.status();
      auto versions = ListVersions(keys[i]);
      if (!versions.ok()) return versions.status();
      auto verdicts = DecideFor(keys[i], std::move(versions).value(), state->heads);
      if (!verdicts.ok()) return verdicts.status();
      for (const RetentionVerdict& v : *verdicts) {
        if (v.keep) continue;
        batch.Delete(db_->cf(RocksDb::kVersions), VersionKey(keys[i], v.version_id));
        batch.Delete(db_->cf(RocksDb::kMeta), EvictedMarkKey(keys[i], v.version_id));
        ++dropped;
      }
    }
    if (batch.Count() > 0) EDGESYNC_RETURN_IF_ERROR(db_->WriteSynced(&batch).WithContext("retention"));
  }
  return dropped;
}

}  // namespace edgesync
