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
  if (size_t cut = Scan(data, i, normal, mask_small_, fp)) return cut;
  if (size_t cut = Scan(data, std::max(i, normal), limit, mask_large_, fp)) return cut;
  return limit;
}

// Rolls the gear hash over data[i, end) and returns one past the first byte where
// (fp & mask) == 0, or 0 (with fp updated) when there is none. Unrolled by four: the hash
// chain is one add per byte, so loop overhead is what remains to save.
size_t Chunker::Scan(const uint8_t* data, size_t i, size_t end, uint64_t mask, uint64_t& fp) {
  uint64_t h = fp;
  for (; i + 4 <= end; i += 4) {
    h = (h << 1) + kGear[data[i]];
    if (!(h & mask)) return i + 1;
    h = (h << 1) + kGear[data[i + 1]];
    if (!(h & mask)) return i + 2;
    h = (h << 1) + kGear[data[i + 2]];
    if (!(h & mask)) return i + 3;
    h = (h << 1) + kGear[data[i + 3]];
    if (!(h & mask)) return i + 4;
  }
  for (; i < end; ++i) {
    h = (h << 1) + kGear[data[i]];
    if (!(h & mask)) return i + 1;
  }
  fp = h;
  return 0;
}

}  // namespace edgesync
