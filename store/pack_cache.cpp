#include "store/pack_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "store/file_descriptor.h"

namespace edgesync {
namespace {

// Range files are named "<pack>-<offset>-<length>" in 16 hex digits each.
bool ParseRangeName(const std::string& name, uint64_t* pack, uint64_t* offset, uint64_t* length) {
  if (name.size() != 50 || name[16] != '-' || name[33] != '-') return false;
  char tail = 0;
  return std::sscanf(name.c_str(), "%16" SCNx64 "-%16" SCNx64 "-%16" SCNx64 "%c", pack, offset, length, &tail) == 3;
}

}  // namespace

Result<std::unique_ptr<PackCache>> PackCache::Open(const std::filesystem::path& dir, uint64_t capacity_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("chunk cache " + dir.string() + ": " + ec.message());
  std::unique_ptr<PackCache> cache(new PackCache(dir, capacity_bytes));
  struct Found {
    std::filesystem::file_time_type mtime;
    RangeKey key;
    uint64_t length;
  };
  std::vector<Found> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    uint64_t pack, offset, length;
    const std::string name = entry.path().filename().string();
    std::error_code size_ec;
    if (!ParseRangeName(name, &pack, &offset, &length) || entry.file_size(size_ec) != length || size_ec) {
      std::filesystem::remove(entry.path(), size_ec);  // a temporary file or a torn write
      continue;
    }
    found.push_back({entry.last_write_time(size_ec), {pack, offset}, length});
  }
  if (ec) return Status::IoError("chunk cache " + dir.string() + ": " + ec.message());
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.mtime < b.mtime; });
  MutexLock lock(cache->mu_);
  for (const auto& f : found) {
    if (!cache->Adopt(f.key, f.length)) std::filesystem::remove(cache->FileOf(f.key, f.length), ec);
  }
  cache->EvictToFit(0);
  return cache;
}

std::filesystem::path PackCache::FileOf(const RangeKey& key, uint64_t length) const {
  char name[64];
  std::snprintf(name, sizeof(name), "%016" PRIx64 "-%016" PRIx64 "-%016" PRIx64, key.first, key.second, length);
  return dir_ / name;
}

bool PackCache::Adopt(const RangeKey& key, uint64_t length) {
  auto existing = ranges_.find(key);
  if (existing != ranges_.end()) {
    if (existing->second.length >= length) return false;
    Remove(existing);
  }
  lru_.push_front(key);
  ranges_[key] = Range{length, lru_.begin()};
  bytes_ += length;
  return true;
}

void PackCache::Remove(std::map<RangeKey, Range>::iterator it) {
  std::error_code ec;
  std::filesystem::remove(FileOf(it->first, it->second.length), ec);
  bytes_ -= it->second.length;
  lru_.erase(it->second.lru);
  ranges_.erase(it);
}

void PackCache::EvictToFit(uint64_t incoming) {
  while (!lru_.empty() && bytes_ + incoming > capacity_) Remove(ranges_.find(lru_.back()));
}

bool PackCache::Read(uint64_t pack, uint64_t offset, uint32_t length, std::string* out) {
  std::filesystem::path file;
  uint64_t start = 0;
  {
    MutexLock lock(mu_);
    // The range starting at or before `offset` with the highest start; ranges of one pack that
    // overlap are rare (a re-fetch after eviction of a wider one), so the nearest suffices.
    auto it = ranges_.upper_bound({pack, offset});
    if (it == ranges_.begin() || (--it)->first.first != pack ||
        it->first.second + it->second.length < offset + length) {
      ++misses_;
      return false;
    }
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    start = it->first.second;
    file = FileOf(it->first, it->second.length);
  }
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  out->resize(length);
  bool ok = fd.valid() && ::pread(fd.get(), out->data(), length, static_cast<off_t>(offset - start)) ==
                              static_cast<ssize_t>(length);
  MutexLock lock(mu_);
  ++(ok ? hits_ : misses_);
  return ok;
}

void PackCache::Insert(uint64_t pack, uint64_t offset, std::string_view bytes) {
  if (bytes.size() > capacity_) return;
  std::filesystem::path temp;
  {
    MutexLock lock(mu_);
    auto it = ranges_.find({pack, offset});
    if (it != ranges_.end() && it->second.length >= bytes.size()) return;
    temp = dir_ / (".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(next_temp_++));
  }
  FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  size_t written = 0;
  while (fd.valid() && written < bytes.size()) {
    ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  std::error_code ec;
  if (written != bytes.size()) {
    std::filesystem::remove(temp, ec);
    return;
  }
  MutexLock lock(mu_);
  EvictToFit(bytes.size());
  const std::filesystem::path file = FileOf({pack, offset}, bytes.size());
  std::filesystem::rename(temp, file, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return;
  }
  if (!Adopt({pack, offset}, bytes.size())) std::filesystem::remove(file, ec);
}

void PackCache::DropPack(uint64_t pack) {
  MutexLock lock(mu_);
  auto it = ranges_.lower_bound({pack, 0});
  while (it != ranges_.end() && it->first.first == pack) Remove(it++);
}

PackCacheStats PackCache::Stats() const {
  MutexLock lock(mu_);
  return {bytes_, ranges_.size(), hits_, misses_};
}

}  // namespace edgesync
