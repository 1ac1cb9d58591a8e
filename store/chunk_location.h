// ChunkLocation: where a chunk's bytes live in the `chunks` column family, as recorded in its
// `chunk_index` entry.
//
// Chunk ids are uniformly random, so keying the bytes by id made every ingested batch span the
// whole key space: each new file overlapped every older one and RocksDB rewrote all chunk bytes
// in compaction (a 1 GiB transfer cost seconds of background CPU on each node). The bytes are
// keyed by (segment, id) instead. Each ingested batch takes a fresh, increasing segment, so its
// file overlaps no other file and RocksDB places it in the last level, where it is never
// rewritten; small writes share one segment per process. The index maps id -> (size, segment);
// readers go through it. Stores written before this layout (4-byte index values, bytes keyed by
// id alone) are read unchanged. A store with an S3 chunk tier keeps bytes in packs instead: its
// index maps id -> (size, pack, offset in the pack), and the `chunks` family holds none of them.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/chunk_id.h"
#include "base/status.h"

namespace edgesync {

struct PackSlot {
  uint64_t pack = 0;
  uint64_t offset = 0;
};

struct ChunkLocation {
  uint32_t size = 0;
  std::optional<uint64_t> segment;  // nullopt: the pre-segment layout (bytes keyed by id)
  std::optional<PackSlot> pack;     // set: the bytes are in a tier pack, not in `chunks`
};

// Segments are below 2^56: the data key's first byte is always 0.
inline constexpr uint64_t kMaxChunkSegment = (uint64_t{1} << 56) - 1;

std::string EncodeChunkIndexValue(uint32_t size, uint64_t segment);
std::string EncodePackIndexValue(uint32_t size, const PackSlot& slot);
Result<ChunkLocation> DecodeChunkIndexValue(std::string_view value);
// The key of the chunk's bytes in the `chunks` family.
std::string ChunkDataKey(const ChunkId& id, const ChunkLocation& location);
// The segment of a data key written with a segment; nullopt for other keys.
std::optional<uint64_t> SegmentOfDataKey(std::string_view key);

}  // namespace edgesync
