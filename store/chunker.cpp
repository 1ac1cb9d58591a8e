#include "store/chunker.h"

#include <algorithm>
#include <array>
#include <bit>

namespace edgesync {
namespace {

// 256 pseudo-random 64-bit values, fixed forever: changing them changes every chunk id.
constexpr std::array<uint64_t, 256> MakeGearTable() {
  std::array<uint64_t, 256> table{};
  uint64_t state = 0x6564676573796e63ULL;  // "edgesync"
  for (auto& v : table) {
    // splitmix64
    state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    v = z ^ (z >> 31);
  }
  return table;
}
constexpr std::array<uint64_t, 256> kGear = MakeGearTable();

// A mask of `bits` ones taken from the top of the word: with fp = (fp << 1) + gear[b], the top
// bits mix the most recent 64 bytes, which is the content window a boundary depends on.
constexpr uint64_t TopBitsMask(int bits) { return bits <= 0 ? 0 : ~0ULL << (64 - bits); }

}  // namespace

Status ChunkerParams::Validate() const {
  if (min_size < 64 || max_size > (64u << 20))
    return Status::InvalidArgument("chunk sizes must lie within 64 B .. 64 MiB");
  if (!(min_size <= avg_size && avg_size <= max_size))
    return Status::InvalidArgument("chunk sizes must satisfy min <= avg <= max");
  if (!std::has_single_bit(avg_size))
    return Status::InvalidArgument("average chunk size must be a power of two");
  return Status::Ok();
}

Chunker::Chunker(const ChunkerParams& params) : params_(params) {
  int bits = std::countr_zero(params.avg_size);
  // Normalized chunking (level 2): harder to cut before the average, easier after it, which
  // narrows the size distribution around avg_size.
  mask_small_ = TopBitsMask(bits + 2);
  mask_large_ = TopBitsMask(bits - 2);
}

size_t Chunker::NextCut(const uint8_t* data, size_t size) const {
  if (size <= params_.min_size) return size;
  const size_t limit = std::min(size, params_.max_size);
  const size_t normal = std::min(limit, params_.avg_size);
  uint64_t fp = 0;
  // Bytes before min_size cannot end a chunk; hashing restarts 64 bytes before the first
  // eligible cut so the window there is already full.
  size_t i = params_.min_size >= 64 ? params_.min_size - 64 : 0;
  for (size_t warm = i + 64; i < warm && i < limit; ++i) fp = (fp << 1) + kGear[data[i]];
  for (; i < normal; ++i) {
    fp = (fp << 1) + kGear[data[i]];
    if (!(fp & mask_small_)) return i + 1;
  }
  for (; i < limit; ++i) {
    fp = (fp << 1) + kGear[data[i]];
    if (!(fp & mask_large_)) return i + 1;
  }
  return limit;
}

}  // namespace edgesync
