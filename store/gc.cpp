// Mark and sweep over chunks and manifests.
//
// Roots: every retained version (only the files the root filter keeps, when selective sync
// set one; only its manifest when the disk quota evicted it, eviction_marks.cpp), every pending replication intent, every pin whose lease has
// not expired, the chunks running writers hold, and what commits make live while the
// collection runs. Only what existed when
// the mark began is a candidate (everything is read at one RocksDB snapshot), and each delete
// batch runs under the exclusive GC lock after re-checking the in-flight roots, so a commit
// never loses a chunk it checked. A crash mid-way leaves unreferenced data behind, never
// deletes referenced data.
#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "store/store_impl.h"

namespace edgesync {
namespace {
constexpr size_t kSweepBatch = 1024;

}  // namespace

void StoreImpl::SetGcRootFilter(GcRootFilter filter) {
  MutexLock lock(root_filter_mu_);
  root_filter_ = std::move(filter);
}

bool StoreImpl::IsProtected(const ChunkId& id) {
  return inflight_.count(id) > 0 || late_roots_.count(id) > 0;
}

Result<GcStats> StoreImpl::CollectGarbage() {
  MutexLock run(gc_run_mu_);
  GcStats stats;
  const rocksdb::Snapshot* snap;
  {
    ExclusiveLock gc_lock(gc_mu_);  // no commit half-done at the mark
    snap = db_->db()->GetSnapshot();
    MutexLock lock(inflight_mu_);
    gc_active_ = true;
    late_roots_.clear();
  }
  struct Finish {
    StoreImpl* self;
    const rocksdb::Snapshot* snap;
    ~Finish() {
      self->db_->db()->ReleaseSnapshot(snap);
      MutexLock lock(self->inflight_mu_);
      self->gc_active_ = false;
      self->late_roots_.clear();
    }
  } finish{this, snap};

  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  ro.fill_cache = false;

  // Mark. Each live manifest remembers whether all its chunks are roots (intents, pins, and
  // versions when no root filter is set) or which versions' filters decide.
  struct RootUse {
    bool all = false;
    std::vector<std::pair<std::string, VersionRecord>> versions;  // (key, record)
  };
  GcRootFilter root_filter;
  {
    MutexLock lock(root_filter_mu_);
    root_filter = root_filter_;
  }
  std::unordered_map<ChunkId, RootUse, ChunkIdHash> roots;
  std::unordered_set<ChunkId, ChunkIdHash> live_manifests, live_chunks;
  std::unordered_set<std::string> evicted;  // "key\0version id" of evicted versions
  {
    std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kMeta, ro);
    for (it->Seek(kEvictedMarkPrefix); it->Valid() && it->key().starts_with(kEvictedMarkPrefix); it->Next())
      evicted.insert(it->key().ToString().substr(sizeof(kEvictedMarkPrefix) - 1));
    EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "gc: scanning evicted versions"));
  }
  {
    std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kVersions, ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto r = VersionRecord::Decode(it->value().ToStringView());
      if (!r.ok()) return r.status();
      if (r->tombstone) continue;
      RootUse& use = roots[r->manifest_id];
      if (evicted.count(it->key().ToString())) continue;  // the manifest stays, its chunks may go
      if (!root_filter) {
        use.all = true;
        continue;
      }
      std::string_view key = it->key().ToStringView();
      use.versions.emplace_back(std::string(key.substr(0, key.find('\0'))), std::move(r).value());
    }
    EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "gc: scanning versions"));
  }
  {
    // Pending intents protect the chunks of manifests fetched for them.
    std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kIntents, ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto j = nlohmann::json::parse(it->value().ToStringView(), nullptr, false);
      if (j.is_discarded() || !j.contains("record")) continue;
      auto r = VersionRecord::Decode(j["record"].dump());
      if (r.ok() && !r->tombstone) roots[r->manifest_id].all = true;
    }
    EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "gc: scanning intents"));
  }
  {
    const uint64_t now = NowMillis();
    std::vector<std::string> expired;
    std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(RocksDb::kPins, ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string v = it->value().ToString();
      auto space = v.find(' ');
      auto id = ChunkId::FromHex(v.substr(0, space));
      uint64_t expires = space == std::string::npos ? 0 : std::stoull(v.substr(space + 1));
      if (id && expires > now) roots[*id].all = true;
      else expired.push_back(it->key().ToString());
    }
    for (const auto& pin : expired) EDGESYNC_RETURN_IF_ERROR(Unpin(pin));
  }
  for (const auto& [mid, use] : roots) {
    live_manifests.insert(mid);
    std::string value;
    Status s = db_->Get(RocksDb::kManifests, std::string(mid.AsBytes()), &value, snap);
    if (s.IsNotFound()) continue;  // a pin on a manifest that never arrived
    if (!s.ok()) return s;
    auto m = Manifest::Decode(value);
    if (!m.ok()) return m.status().WithContext("gc: manifest " + mid.Hex());
    std::vector<FileFilter> filters;
    bool all = use.all;
    for (const auto& [key, record] : use.versions) {
      if (all) break;
      FileFilter f = root_filter(key, record, *m);
      if (!f) all = true;
      else filters.push_back(std::move(f));
    }
    for (const auto& f : m->files) {
      bool keep = all || std::any_of(filters.begin(), filters.end(), [&](const FileFilter& filter) {
                    return filter(f);
                  });
      if (!keep) continue;
      for (const auto& c : f.chunks) live_chunks.insert(c.id);
    }
  }

  // Sweep chunks, then manifests no version or pin refers to.
  auto sweep = [&](RocksDb::Family family, const std::unordered_set<ChunkId, ChunkIdHash>& live,
                   const std::function<void(size_t)>& count) -> Status {
    std::vector<std::pair<ChunkId, ChunkLocation>> candidates;
    auto erase = [&]() -> Status {
      ExclusiveLock gc_lock(gc_mu_);
      MutexLock lock(inflight_mu_);
      rocksdb::WriteBatch batch;
      for (const auto& [id, location] : candidates) {
        if (IsProtected(id)) continue;
        if (family == RocksDb::kChunkIndex) {
          if (tier_) tier_->AddErase(&batch, id, location);
          else local_chunks_->AddErase(&batch, id, location);
        } else {
          rocksdb::Slice key(id.AsBytes().data(), 16);
          batch.Delete(db_->cf(RocksDb::kManifests), key);
          batch.Delete(db_->cf(RocksDb::kSpecs), key);
        }
        count(location.size);
      }
      candidates.clear();
      return db_->WriteUnsynced(&batch);
    };
    std::unique_ptr<rocksdb::Iterator> it = db_->NewIterator(family, ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto id = ChunkId::FromBytes(it->key().ToStringView());
      if (!id) continue;
      if (family == RocksDb::kChunkIndex) ++stats.chunks_scanned;
      if (live.count(*id)) continue;
      ChunkLocation location;
      if (family == RocksDb::kChunkIndex) {
        auto decoded = DecodeChunkIndexValue(it->value().ToStringView());
        if (!decoded.ok()) return decoded.status().WithContext("gc");
        location = *decoded;
      }
      candidates.push_back({*id, location});
      if (candidates.size() >= kSweepBatch) EDGESYNC_RETURN_IF_ERROR(erase());
    }
    EDGESYNC_RETURN_IF_ERROR(FromRocks(it->status(), "gc: sweeping"));
    return erase();
  };
  EDGESYNC_RETURN_IF_ERROR(sweep(RocksDb::kChunkIndex, live_chunks, [&](size_t size) {
    ++stats.chunks_deleted;
    stats.bytes_deleted += size;
  }));
  EDGESYNC_RETURN_IF_ERROR(sweep(RocksDb::kManifests, live_manifests, [&](size_t) { ++stats.manifests_deleted; }));
  if (tier_) EDGESYNC_RETURN_IF_ERROR(tier_->CompactPacks(&stats).WithContext("gc"));
  return stats;
}

}  // namespace edgesync
