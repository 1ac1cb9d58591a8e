// Packs: the immutable objects in which a tiered store keeps chunk bytes (tiered_chunk_store.h).
// Many chunks go into one object of tens of MiB, so a GiB costs a few dozen PUTs instead of one
// per chunk, and a pack can still be read chunk by chunk with ranged GETs.
//
// Layout:   [chunk bytes, back to back][index][footer]
//   index:  one entry per chunk: 16-byte id, offset (8 bytes, little-endian), size (4 bytes)
//   footer: index offset (8), entry count (8), XXH3-64 of the index (8), magic "ESPACK01"
// The index at the end makes a pack self-describing: the store's RocksDB index (chunk id ->
// pack, offset, size) can be checked or rebuilt from the bucket alone.
// Value types and pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/chunk_id.h"

namespace edgesync {

inline constexpr size_t kPackFooterBytes = 32;
inline constexpr size_t kPackIndexEntryBytes = 28;

struct PackEntry {
  ChunkId id;
  uint64_t offset = 0;
  uint32_t size = 0;
};

// The name of pack `pack_id` in the tier: "packs/<16 hex digits>.pack".
std::string PackName(uint64_t pack_id);
// The id in a name PackName made; false for other names.
bool ParsePackName(std::string_view name, uint64_t* pack_id);

// Collects chunks into one pack. Not thread-safe.
class PackBuilder {
 public:
  void Add(const ChunkId& id, std::string_view data);
  // Bytes of chunk data so far (the index and footer come on top).
  uint64_t data_bytes() const { return bytes_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<PackEntry>& entries() const { return entries_; }
  // Appends index and footer and returns the whole pack; the builder is empty afterwards.
  std::string Seal();
  // Takes `buffer` (its contents dropped, its capacity kept) for the next pack's bytes, so a
  // writer recycles a few buffers instead of touching fresh memory for every pack.
  void Reuse(std::string buffer);

 private:
  std::string bytes_;
  std::vector<PackEntry> entries_;
};

// The index of a pack, given its last bytes (at least the footer; the index is read from
// `tail` when it holds it). `pack_size` is the whole object's size. Corruption when the footer
// or the index does not check out.
struct PackFooter {
  uint64_t index_offset = 0;
  uint64_t entries = 0;
};
Result<PackFooter> DecodePackFooter(std::string_view footer, uint64_t pack_size);
Result<std::vector<PackEntry>> DecodePackIndex(std::string_view index, const PackFooter& footer,
                                               std::string_view footer_bytes);

}  // namespace edgesync
