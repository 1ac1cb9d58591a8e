#include "quota/disk_quota.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "base/wall_clock.h"

namespace edgesync {
namespace {

constexpr uint64_t kReservationMs = 120'000;
// Eviction passes per admission: each evicts what the estimate says is enough, collects, and
// measures again (chunks shared with kept versions stay, so an estimate can fall short).
constexpr int kPasses = 4;

std::string MiB(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

struct FsSpace {
  uint64_t size = 0;
  uint64_t free = 0;
};

FsSpace SpaceOf(const std::filesystem::path& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return {};
  return {static_cast<uint64_t>(st.f_blocks) * st.f_frsize, static_cast<uint64_t>(st.f_bavail) * st.f_frsize};
}

std::string LimitName(const DiskQuotaLimits& limits) {
  if (limits.max_bytes || limits.max_percent > 0) return "storage.max_bytes";
  return "storage.min_free";
}

}  // namespace

DiskQuota::DiskQuota(Store& store, Options options) : store_(store), options_(std::move(options)) {
  MutexLock lock(mu_);
  limits_ = options_.limits;
  usage_.enabled = limits_.any();
}

void DiskQuota::SetLimits(DiskQuotaLimits limits) {
  MutexLock lock(mu_);
  limits_ = limits;
  usage_.enabled = limits_.any();
}

uint64_t DiskQuota::Now() const { return options_.now_ms ? options_.now_ms() : WallClockMs(); }

void DiskQuota::Log(int level, const std::string& message) const {
  if (options_.log) options_.log(level, message);
}

uint64_t DiskQuota::LimitNow(uint64_t used, const DiskQuotaLimits& limits) const {
  if (!limits.any()) return 0;
  const FsSpace fs = SpaceOf(options_.store_dir);
  uint64_t limit = UINT64_MAX;
  if (limits.max_bytes) limit = limits.max_bytes;
  if (limits.max_percent > 0) limit = std::min(limit, static_cast<uint64_t>(fs.size * limits.max_percent / 100));
  const uint64_t min_free =
      std::max(limits.min_free_bytes, static_cast<uint64_t>(fs.size * limits.min_free_percent / 100));
  if (min_free) {
    // What is stored now may stay; the rest of the filesystem down to min_free may be filled.
    const uint64_t room = fs.free > min_free ? fs.free - min_free : 0;
    limit = std::min(limit, used + room);
  }
  return limit;
}

uint64_t DiskQuota::ReservedLocked(uint64_t now) {
  std::erase_if(reservations_, [now](const Reservation& r) { return r.expires_ms <= now; });
  uint64_t reserved = 0;
  for (const Reservation& r : reservations_) reserved += r.bytes;
  return reserved;
}

Result<std::vector<EvictionCandidate>> DiskQuota::Candidates() {
  auto evicted = store_.EvictedVersions();
  if (!evicted.ok()) return evicted.status();
  std::map<std::pair<std::string, std::string>, uint64_t> last_read;
  {
    MutexLock lock(mu_);
    last_read = last_read_;
  }
  std::vector<EvictionCandidate> out;
  std::string after;
  for (;;) {
    auto keys = store_.ListKeys("", after, 512);
    if (!keys.ok()) return keys.status();
    if (keys->empty()) break;
    after = keys->back();
    for (const std::string& name : *keys) {
      auto key = ObjectKey::Parse(name);
      if (!key.ok()) continue;
      auto plan = store_.RetentionPlan(*key);
      if (!plan.ok()) continue;  // deleted or purged meanwhile
      for (const RetentionVerdict& v : *plan) {
        if (v.record.tombstone || !v.keep) continue;
        EvictionCandidate c;
        c.key = name;
        c.version_id = v.version_id;
        c.author = v.record.author;
        c.is_protected = v.why == "pinned" || v.why == "held";  // heads and ancestors may go
        auto e = evicted->find(name);
        c.evicted = e != evicted->end() && e->second.count(v.version_id);
        auto read = last_read.find({name, v.version_id});
        c.last_used_ms = read != last_read.end() ? read->second : HlcMillis(v.record.hlc);
        if (c.author == store_.node_id() || c.is_protected || c.evicted) {
          out.push_back(std::move(c));  // ineligible: no need to look further
          continue;
        }
        c.peer_holds = options_.peer_holds && options_.peer_holds(name, v.version_id);
        auto manifest = store_.ReadManifest(v.record.manifest_id);
        if (!manifest.ok()) continue;
        c.bytes = manifest->TotalBytes();
        for (const FileEntry& f : manifest->files) {
          for (const ChunkRef& chunk : f.chunks) {
            auto present = store_.chunks().Contains(chunk.id);
            c.complete = c.complete && present.ok() && *present;
            if (!c.complete) break;
          }
          if (!c.complete) break;
        }
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

Result<uint64_t> DiskQuota::MakeRoom(uint64_t need, uint64_t* used, uint64_t* limit) {
  for (int pass = 0;; ++pass) {
    auto stored = store_.StoredChunkBytes();
    if (!stored.ok()) return stored.status();
    uint64_t reserved = 0;
    DiskQuotaLimits limits;
    {
      MutexLock lock(mu_);
      reserved = ReservedLocked(Now());
      limits = limits_;
    }
    *used = *stored + reserved;
    *limit = LimitNow(*stored, limits);
    if (*limit == 0 || *used + need <= *limit) return uint64_t{0};
    const uint64_t missing = *used + need - *limit;
    if (pass == kPasses) return missing;
    auto candidates = Candidates();
    if (!candidates.ok()) return candidates.status();
    std::vector<EvictionCandidate> chosen = ChooseEvictions(std::move(*candidates), store_.node_id(), missing);
    if (chosen.empty()) return missing;
    uint64_t marked = 0;
    for (const EvictionCandidate& c : chosen) {
      auto key = ObjectKey::Parse(c.key);
      Status s = key.ok() ? store_.MarkEvicted(*key, c.version_id) : key.status();
      if (!s.ok()) {
        Log(4, "evicting " + c.key + " version " + c.version_id + ": " + s.ToString());
        continue;
      }
      ++marked;
      Log(6, "evicted " + c.key + " version " + c.version_id + " (" + MiB(c.bytes) +
                 ") to stay under the disk quota; it is fetched again when needed");
    }
    {
      MutexLock lock(mu_);
      usage_.evictions += marked;
    }
    auto gc = store_.CollectGarbage();
    if (!gc.ok()) return gc.status().WithContext("collecting evicted chunks");
  }
}

Status DiskQuota::Admit(const std::string& key, uint64_t bytes, bool replicated) {
  {
    MutexLock lock(mu_);
    if (!limits_.any()) return Status::Ok();
  }
  MutexLock run(run_mu_);
  uint64_t used = 0, limit = 0;
  auto missing = MakeRoom(bytes, &used, &limit);
  if (!missing.ok()) return missing.status().WithContext("disk quota");
  MutexLock lock(mu_);
  if (*missing > 0) {
    ++usage_.refusals;
    const std::string why = "quota exceeded: " + LimitName(limits_) + " allows " + MiB(limit) + " here, " +
                            MiB(used) + " is used; " + key + " needs " + MiB(bytes) +
                            " more and nothing else can be evicted (only versions another node wrote, "
                            "not pinned or deployed, that a connected peer holds)";
    if (replicated && !usage_.paused) Log(4, "replication paused: " + why);
    if (replicated) {
      usage_.paused = true;
      usage_.paused_reason = why;
    }
    return Status::NoSpace(why);
  }
  if (replicated && usage_.paused) {
    Log(6, "replication resumed: the disk quota has room again");
    usage_.paused = false;
    usage_.paused_reason.clear();
  }
  reservations_.push_back({key, bytes, Now() + kReservationMs});
  usage_.peak_bytes = std::max(usage_.peak_bytes, used + bytes);
  return Status::Ok();
}

void DiskQuota::Committed(const std::string& key) {
  MutexLock lock(mu_);
  std::erase_if(reservations_, [&](const Reservation& r) { return r.key == key; });
}

void DiskQuota::Touched(const std::string& key, const std::string& version_id) {
  MutexLock lock(mu_);
  last_read_[{key, version_id}] = Now();
}

QuotaUsage DiskQuota::Usage() {
  {
    MutexLock lock(mu_);
    if (!limits_.any()) return usage_;  // no quota: nothing to measure
  }
  auto stored = store_.StoredChunkBytes();
  auto evicted = store_.EvictedVersions();
  MutexLock lock(mu_);
  QuotaUsage usage = usage_;
  usage.used_bytes = stored.ok() ? *stored : 0;
  usage.reserved_bytes = ReservedLocked(Now());
  usage.limit_bytes = LimitNow(usage.used_bytes, limits_);
  usage.peak_bytes = std::max(usage.peak_bytes, usage.used_bytes);
  usage.evicted_versions = 0;
  if (evicted.ok())
    for (const auto& [key, ids] : *evicted) usage.evicted_versions += ids.size();
  return usage;
}

Status DiskQuota::CheckLimits(const DiskQuotaLimits& limits) {
  if (!limits.any()) return Status::Ok();
  auto candidates = Candidates();
  if (!candidates.ok()) return candidates.status();
  // What nothing may evict: versions written here and protected ones (their distinct manifests).
  std::set<std::pair<std::string, std::string>> seen;
  uint64_t kept = 0;
  for (const EvictionCandidate& c : *candidates) {
    if (c.evicted || (c.author != store_.node_id() && !c.is_protected)) continue;
    auto key = ObjectKey::Parse(c.key);
    auto version = key.ok() ? store_.GetVersion(*key, c.version_id) : Result<VersionInfo>(key.status());
    if (!version.ok()) continue;
    auto manifest = store_.ReadManifest(version->record.manifest_id);
    if (manifest.ok() && seen.insert({version->record.manifest_id.Hex(), ""}).second) kept += manifest->TotalBytes();
  }
  auto stored = store_.StoredChunkBytes();
  if (!stored.ok()) return stored.status();
  const uint64_t limit = LimitNow(*stored, limits);
  if (limit < kept) {
    return Status::InvalidArgument(LimitName(limits) + " leaves " + MiB(limit) + " for the store, below the " +
                                   MiB(kept) +
                                   " that versions written here, pinned or deployed need (they are never evicted)");
  }
  return Status::Ok();
}

}  // namespace edgesync
